/**
 * One client's onboarding, from the EHR's "chart created" webhook on:
 * create the chart → (if asked) invite the client to the portal → wait up to
 * 7 days for registration, with reminders → on expiry mark the invitation
 * Expired and wait for staff (or re-send automatically if the practice chose
 * to) → registered: confirm by email. Staff act through the updates below,
 * each validated synchronously so a wrong action is refused with a reason.
 *
 * The form package (issue "Form & assessment packages") continues from
 * registration.
 */
import {
  ApplicationFailure,
  ActivityFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { InvitationPolicy, InvitationReason } from '../activities/invitations';
import type { StatusCallbackDetail, StatusCallbackEvent } from '../domain/status-callback';
import { activityProfiles } from '../temporal.config';
import { decideLinkRequest, type LinkRequestDecision } from './client-link-requests';
import { formRequest, formRequestWorkflowId, portalAccountReadySignal } from './form-request';
import {
  cancelOnboardingUpdate,
  changePortalOwnerUpdate,
  clientLinkRequestSignal,
  clientRegisteredSignal,
  getOnboardingStateQuery,
  invitationBouncedSignal,
  invitationDelayedSignal,
  refuse,
  resendInvitationUpdate,
  revokePortalAccessUpdate,
  type ClientOnboardingInput,
  type OnboardingOutcome,
  type OnboardingState,
  type StaffActor,
} from './client-onboarding-messages';
import { nextDeadline } from './invitation-deadline';
import { portalUserInvitation, portalUserInvitationWorkflowId } from './portal-user-invitation';

export * from './client-onboarding-messages';

const {
  createChart,
  recordOnboardingProgress,
  getInvitationPolicy,
  issueInvitation,
  sendInvitationReminder,
  expireInvitation,
  revokePortalAccess,
  changePortalOwner,
  cancelOnboarding,
  sendRegistrationConfirmation,
  startStatusCallback,
  markInvitationBounced,
  addChartContacts,
  checkInvitationDelivered,
  recordClientLinkRequest,
} = proxyActivities<Activities>(activityProfiles.database);

const DAY_MS = 24 * 60 * 60 * 1000;

export async function clientOnboarding(input: ClientOnboardingInput): Promise<OnboardingOutcome> {
  const state: OnboardingState = { status: 'PENDING', clientId: null, invitation: null, automaticResends: 0 };
  const { onboardingId } = input;
  let policy: InvitationPolicy | undefined;
  let registered = false;
  let cancelled = false;
  /** A staff action or an invitation being sent: one at a time. */
  let busy = false;
  /** Bumped whenever the invitation changes, so the wait below starts over. */
  let epoch = 0;
  let forms: ChildWorkflowHandle<typeof formRequest> | undefined;

  setHandler(getOnboardingStateQuery, () => state);
  setHandler(clientRegisteredSignal, () => {
    registered = true;
  });
  let bouncedInvitationId: string | null = null;
  /** Why: a hard bounce or complaint, or a delay that outlasted the practice's window. */
  let bounceReason: 'bounced' | 'not-delivered' = 'bounced';
  setHandler(invitationBouncedSignal, ({ invitationId }) => {
    bounceReason = 'bounced';
    bouncedInvitationId = invitationId;
  });
  /** The pending invitation is the one the provider said will never arrive. */
  const bounced = () => state.invitation?.state === 'PENDING' && bouncedInvitationId === state.invitation.id;
  /** Invitations already being watched after a delay report: later reports of the same one start no second timer. */
  const watchedDelays = new Set<string>();
  setHandler(invitationDelayedSignal, async ({ invitationId }) => {
    if (watchedDelays.has(invitationId)) return;
    watchedDelays.add(invitationId);
    policy ??= await getInvitationPolicy({ organizationId: input.organizationId });
    // A durable timer: the provider keeps retrying meanwhile; a registration, a new link or an end stops the watch.
    const settled = await condition(
      () => registered || cancelled || state.invitation?.id !== invitationId || state.invitation.state !== 'PENDING',
      policy.deliveryDelayWindowMs ?? DAY_MS,
    );
    if (settled) return;
    const { delivered } = await checkInvitationDelivered({ invitationId });
    if (delivered || bouncedInvitationId === invitationId) return;
    bounceReason = 'not-delivered';
    bouncedInvitationId = invitationId;
  });

  const exclusive = async <T>(work: () => Promise<T>): Promise<T> => {
    busy = true;
    try {
      return await work();
    } catch (error) {
      // An activity's business refusal (e.g. the email belongs to another client)
      // becomes the update's failure, with its message, instead of a generic one.
      if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) throw error.cause;
      throw error;
    } finally {
      busy = false;
    }
  };

  const sendInvitation = async (reason: InvitationReason, requestedBy: string | null) => {
    policy ??= await getInvitationPolicy({ organizationId: input.organizationId });
    const sequence = (state.invitation?.sequence ?? 0) + 1;
    const issuedAt = Date.now();
    const issued = await issueInvitation({
      onboardingId,
      sequence,
      ttlMs: policy.ttlMs,
      reason,
      requestedBy,
    });
    if (issued.alreadyRegistered) {
      // The client registered while this was being sent (an attempt that emailed the link and lost its
      // answer, then a retry): the flow ends as registered. Recorded histories never hold this answer
      // (the activity used to fail instead), so they replay unchanged without a patch marker.
      registered = true;
      return;
    }
    const { invitationId } = issued;
    state.invitation = {
      id: invitationId,
      sequence,
      issuedAt: new Date(issuedAt).toISOString(),
      expiresAt: new Date(issuedAt + policy.ttlMs).toISOString(),
      state: 'PENDING',
      remindersSent: [],
    };
    state.status = 'INVITED';
    epoch += 1;
    // A "forms are waiting" email held back for want of a portal account can go now.
    if (forms) await forms.signal(portalAccountReadySignal);
  };

  /**
   * Tells the EHR that the status changed: the activity starts a statusCallback
   * workflow of its own (when the integration has a callback URL), which
   * retries for a day without holding this flow up and outlives it. `n` tells
   * apart events that can happen more than once (an invitation's expiry).
   */
  const notifyEhr = async (event: StatusCallbackEvent, n?: number, detail?: StatusCallbackDetail) => {
    // Flows that reached this point before callbacks existed replay without them (README "Changing a workflow").
    if (!patched('status-callbacks')) return;
    await startStatusCallback({
      onboardingId,
      event,
      ...(n === undefined ? {} : { n }),
      status: state.status,
      occurredAt: new Date(Date.now()).toISOString(),
      ...(detail ? { detail } : {}),
    });
  };

  const onBounce = async (invitation: NonNullable<OnboardingState['invitation']>) => {
    await condition(() => !busy);
    // Flows that never got this signal replay untouched; the marker records that this one acted on it.
    if (!bounced() || !patched('invitation-bounced')) return;
    await exclusive(async () => {
      const { outcome } = await markInvitationBounced({
        invitationId: invitation.id,
        // Only the new escalation passes a reason, so bounces recorded before it replay with the same input.
        ...(bounceReason === 'bounced' ? {} : { reason: bounceReason }),
      });
      if (outcome === 'stale') {
        bouncedInvitationId = null;
        return;
      }
      invitation.state = 'BOUNCED';
      state.status = 'INVITATION_BOUNCED';
      await notifyEhr('invitation.bounced', invitation.sequence, { invitationSequence: invitation.sequence });
    });
  };

  /** Workflow times of the links sent at the client's request: the weekly limit counts them. */
  const linkRequestSends: number[] = [];
  setHandler(clientLinkRequestSignal, async (request) => {
    await condition(() => !busy);
    const decision: LinkRequestDecision =
      registered || cancelled
        ? { send: false, reason: 'not-waiting' }
        : decideLinkRequest(state.status, state.invitation !== null, linkRequestSends, Date.now());
    // Through the staff actions' lock and the same sendInvitation, so the old link dies, the new one is
    // numbered, reminded and expired like any other, and the timeline and the EHR see an ordinary resend.
    await exclusive(async () => {
      await recordClientLinkRequest({ onboardingId, request, decision });
      if (!decision.send) return;
      linkRequestSends.push(Date.now());
      await sendInvitation('client-request', null);
    });
  });

  const mayAct = (_request?: unknown) => {
    if (cancelled) refuse('Cancelled');
    if (registered || state.status === 'REGISTERED') refuse('AlreadyRegistered');
    if (state.status === 'PENDING') refuse('NotReady');
    if (busy) refuse('ActionInProgress');
  };

  setHandler(
    resendInvitationUpdate,
    async ({ staffUserId }) => {
      await exclusive(() => sendInvitation(state.invitation ? 'resend' : 'initial', staffUserId));
      // Staff are told, as when the registration's signal arrives first; the flow itself goes on to finish.
      if (registered) refuse('AlreadyRegistered');
      return state;
    },
    { validator: mayAct },
  );
  setHandler(
    revokePortalAccessUpdate,
    async ({ staffUserId }) => {
      await exclusive(() => revokePortalAccess({ onboardingId, staffUserId }));
      if (state.invitation) state.invitation.state = 'REVOKED';
      state.status = 'REVOKED';
      epoch += 1;
      return state;
    },
    {
      validator: (_actor: StaffActor) => {
        mayAct();
        if (!state.invitation) refuse('NotInvited');
        if (state.status === 'REVOKED') refuse('AlreadyRevoked');
      },
    },
  );
  setHandler(
    changePortalOwnerUpdate,
    async ({ staffUserId, owner }) => {
      await exclusive(async () => {
        await changePortalOwner({ onboardingId, staffUserId, owner });
        await sendInvitation('new-owner', staffUserId);
      });
      return state;
    },
    { validator: mayAct },
  );
  setHandler(
    cancelOnboardingUpdate,
    async ({ staffUserId }) => {
      await exclusive(() => cancelOnboarding({ onboardingId, staffUserId }));
      cancelled = true;
      if (state.invitation?.state === 'PENDING') state.invitation.state = 'REVOKED';
      state.status = 'CANCELLED';
      return state;
    },
    { validator: mayAct },
  );

  try {
    const { clientId } = await createChart({ onboardingId, organizationId: input.organizationId, chart: input.chart });
    state.clientId = clientId;
    state.status = 'CHART_CREATED';

    if (input.inviteRequested) await exclusive(() => sendInvitation('initial', null));
    // Only flows whose chart named contacts take this step (the input had no contacts before), so older
    // histories replay untouched; the marker records the new step all the same.
    if (input.contacts?.length && patched('chart-contacts')) {
      const { accessIds } = await addChartContacts({ onboardingId, contacts: input.contacts });
      // Invited after the client, each with their own lifecycle; without portal.invite they wait for staff.
      if (input.inviteRequested) {
        for (const accessId of accessIds) {
          await startChild(portalUserInvitation, {
            workflowId: portalUserInvitationWorkflowId(accessId),
            args: [{ accessId, organizationId: input.organizationId, requestedBy: null }],
            // A contact's invitation lives its own 7 days whatever happens to the client's flow.
            parentClosePolicy: ParentClosePolicy.ABANDON,
          });
        }
      }
    }
    if (input.formPackageId) {
      const requestId = uuid4();
      forms = await startChild(formRequest, {
        workflowId: formRequestWorkflowId(requestId),
        args: [
          {
            requestId,
            onboardingId,
            organizationId: input.organizationId,
            packageId: input.formPackageId,
            requestedBy: null,
          },
        ],
        // Cancelling the onboarding takes its unsigned forms away too.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
      state.forms = { requestId, workflowId: forms.workflowId };
    }

    while (!registered && !cancelled) {
      const seen = epoch;
      const invitation = state.invitation;
      if (invitation?.state !== 'PENDING') {
        // Not invited, expired or revoked: only staff (or the client registering
        // through a link that is still valid) can move this on.
        await condition(() => registered || cancelled || epoch !== seen);
        continue;
      }
      const next = nextDeadline(invitation, policy!);
      const woke = await condition(
        () => registered || cancelled || epoch !== seen || bounced(),
        Math.max(next.at - Date.now(), 1),
      );
      if (woke) {
        if (bounced() && !registered && !cancelled) await onBounce(invitation);
        continue;
      }
      if (busy) {
        // A staff action is changing the invitation right now; look again after it.
        await condition(() => !busy);
        continue;
      }
      if (next.kind === 'reminder') {
        await sendInvitationReminder({ invitationId: invitation.id, day: next.day });
        invitation.remindersSent.push(next.day);
        continue;
      }
      const { outcome } = await expireInvitation({ invitationId: invitation.id });
      if (outcome === 'registered') {
        // The client registered just before the timer fired; the signal is on its way or was lost.
        registered = true;
        break;
      }
      invitation.state = 'EXPIRED';
      state.status = 'EXPIRED';
      // Staff actions wait while the callback is handed over, so none slips in before the automatic resend below.
      await exclusive(() =>
        notifyEhr('onboarding.expired', invitation.sequence, { invitationSequence: invitation.sequence }),
      );
      if (state.automaticResends < policy!.automaticResends) {
        state.automaticResends += 1;
        await exclusive(() => sendInvitation('automatic-resend', null));
      }
    }

    // Let a staff action that raced the registration finish before we conclude.
    await condition(() => !busy);
    if (cancelled) await notifyEhr('onboarding.cancelled');
    if (registered && !cancelled) {
      state.status = 'REGISTERED';
      if (state.invitation) state.invitation.state = 'USED';
      await notifyEhr('onboarding.registered');
      await sendRegistrationConfirmation({ onboardingId });
      if (forms) {
        state.status = 'FORMS_OUTSTANDING';
        const outcome = await forms.result();
        if (outcome.status === 'COMPLETED') {
          state.status = 'COMPLETE';
          await notifyEhr('onboarding.forms_completed', undefined, {
            formRequestId: state.forms!.requestId,
            forms: outcome.assignmentIds.length,
          });
        }
      }
    }
    await condition(allHandlersFinished);
    return state;
  } catch (error) {
    if (!isCancellation(error)) {
      // Staff must see that this client is stuck rather than a flow that is silently
      // gone; the error itself stays in the (encrypted) history for the engineer.
      state.status = 'FAILED';
      await recordOnboardingProgress({
        onboardingId,
        status: 'FAILED',
        event: { key: `failed:${workflowInfo().runId}`, type: 'onboarding.failed' },
      });
    }
    throw error;
  }
}
