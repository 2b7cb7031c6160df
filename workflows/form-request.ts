/**
 * One sending of intake forms to a client (a "Form & Assessment Package" at
 * chart creation, or "Send New Forms to Existing Portal Users" later, seed
 * 003): assign the forms → email the client that they are waiting (separately
 * from the invitation, seed 000) → remind on the practice's days while any is
 * unsigned → when all are signed, close the request, which marks the
 * onboarding Complete, and notify the assigned clinician and the admins.
 *
 * The portal signals each signature once it is committed in the database; the
 * reminders (and a weekly look after the last one) re-read the database, so a
 * lost signal delays completion but never loses it.
 */
import {
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FormRequestProgress } from '../activities/form-requests';
import { activityProfiles, temporalConfig } from '../temporal.config';

export interface FormRequestInput {
  /** Our id of the form_request row; the workflow id is derived from it. */
  requestId: string;
  onboardingId: string;
  organizationId: string;
  packageId: string | null;
  /** Exact form versions, when staff picked forms rather than a package. */
  formDefinitionIds?: string[];
  /** Staff user who sent the forms; null when the EHR assigned them at chart creation. */
  requestedBy: string | null;
}

export interface FormRequestState {
  status: 'OPEN' | 'COMPLETED' | 'CANCELLED';
  assignmentIds: string[];
  /** Signed assignments, with the SHA-256 of what was signed. */
  signed: { assignmentId: string; contentSha256: string | null }[];
  /** Whether the "forms are waiting" email went out (it waits for a portal account). */
  notified: boolean;
  remindersSent: number[];
}

export function formRequestWorkflowId(requestId: string): string {
  return `${temporalConfig.workflowIdPrefix.formRequest}${requestId}`;
}

export const getFormRequestStateQuery = defineQuery<FormRequestState>('getFormRequestState');
/** Sent by the portal once a signed form is committed. */
export const formSignedSignal = defineSignal<[{ assignmentId: string; contentSha256: string }]>('formSigned');
/** Sent by the onboarding when an invitation went out, so a deferred "forms are waiting" email can go too. */
export const portalAccountReadySignal = defineSignal('portalAccountReady');

const {
  openFormRequest,
  getFormReminderPolicy,
  sendFormsAssignedEmail,
  sendFormsReminder,
  getFormRequestProgress,
  completeFormRequest,
  notifyStaffFormsCompleted,
  cancelFormRequest,
  alertStaffToCrisisAnswers,
} = proxyActivities<Activities>(activityProfiles.database);

const DAY_MS = 24 * 60 * 60 * 1000;
/** After the last reminder, how often to re-read the database in case a signal was lost. */
const RECHECK_MS = 7 * DAY_MS;

export async function formRequest(input: FormRequestInput): Promise<FormRequestState> {
  const { requestId } = input;
  const state: FormRequestState = { status: 'OPEN', assignmentIds: [], signed: [], notified: false, remindersSent: [] };
  let accountReady = false;
  // Histories from before each signed form was reviewed for a crisis answer replay without it:
  // their runs wake only when every form is signed, and keep doing so.
  const reviewsEachForm = patched('review-each-signed-form');
  /** Signed forms not yet checked for an answer that needs the practice's review today. */
  const toReview: string[] = [];

  const isSigned = (assignmentId: string) => state.signed.some((entry) => entry.assignmentId === assignmentId);
  const allSigned = () => state.assignmentIds.length > 0 && state.assignmentIds.every(isSigned);
  const markSigned = (assignmentId: string, contentSha256: string | null) => {
    if (isSigned(assignmentId)) return;
    state.signed.push({ assignmentId, contentSha256 });
    if (reviewsEachForm) toReview.push(assignmentId);
  };
  /** Alerts staff, once per form, as soon as it is signed: not when the last of the package is. */
  const reviewSignedForms = async () => {
    while (toReview.length > 0) {
      await alertStaffToCrisisAnswers({ assignmentId: toReview[0]! });
      toReview.shift();
    }
  };
  const catchUp = (progress: FormRequestProgress) => {
    for (const assignmentId of progress.assignmentIds) {
      if (!progress.outstanding.includes(assignmentId)) markSigned(assignmentId, null);
    }
  };

  setHandler(getFormRequestStateQuery, () => state);
  setHandler(formSignedSignal, ({ assignmentId, contentSha256 }) => markSigned(assignmentId, contentSha256));
  setHandler(portalAccountReadySignal, () => {
    accountReady = true;
  });

  try {
    const { assignmentIds } = await openFormRequest({ ...input, workflowId: workflowInfo().workflowId });
    state.assignmentIds = assignmentIds;
    const { reminderDays } = await getFormReminderPolicy({ organizationId: input.organizationId });
    const sentAt = Date.now();

    for (;;) {
      const { deferred } = await sendFormsAssignedEmail({ requestId });
      if (!deferred) break;
      // No portal account to sign in with yet: the onboarding tells us when an invitation goes
      // out; looking again daily covers an invitation sent before this flow was listening.
      await condition(() => accountReady, DAY_MS);
      accountReady = false;
    }
    state.notified = true;

    /** Reminder days count from here; moved on while the client has not registered yet. */
    let remindFrom = sentAt;
    while (!allSigned()) {
      const day = reminderDays.find((candidate) => !state.remindersSent.includes(candidate));
      const wait = day === undefined ? RECHECK_MS : Math.max(remindFrom + day * DAY_MS - Date.now(), 1);
      if (await condition(() => allSigned() || toReview.length > 0, wait)) {
        await reviewSignedForms();
        if (allSigned()) break;
        continue;
      }
      let progress: FormRequestProgress;
      if (day === undefined) {
        progress = await getFormRequestProgress({ requestId });
      } else {
        progress = await sendFormsReminder({ requestId, day, reminderNumber: state.remindersSent.length + 1 });
        if (progress.reminded !== false) {
          state.remindersSent.push(day);
        } else {
          // Not registered yet (the invitation's reminders speak for now): keep this reminder
          // for later rather than spend it, so a client who registers late is still reminded.
          remindFrom = Date.now();
        }
      }
      catchUp(progress);
      if (progress.status === 'CANCELLED') {
        await reviewSignedForms();
        state.status = 'CANCELLED';
        return state;
      }
    }

    await reviewSignedForms();
    await completeFormRequest({ requestId });
    state.status = 'COMPLETED';
    await notifyStaffFormsCompleted({ requestId });
    return state;
  } catch (error) {
    if (isCancellation(error)) {
      // Cancelled by staff (directly or with the onboarding): take the unsigned forms off the client's list.
      await CancellationScope.nonCancellable(() => cancelFormRequest({ requestId }));
      state.status = 'CANCELLED';
    }
    throw error;
  }
}
