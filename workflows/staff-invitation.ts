/**
 * A colleague's invitation to the staff dashboard (issue 19): the client's
 * invitation lifecycle made small. Send the link → one reminder after 3 days
 * → expire after 7 → wait for an admin to resend (a new link, a new 7 days)
 * or revoke. The accept page (use-cases/accounts/accept-staff-invitation.ts)
 * signals when the account is made. The workflow id and input carry ids
 * only: the invitee's name and email are read by the activities.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { activityProfiles } from '../temporal.config';
import type { StaffActor } from './client-onboarding';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Long enough for a new colleague's first week; a resend starts it over. */
export const STAFF_INVITATION_TTL_MS = 7 * DAY_MS;
/** The one reminder, halfway-ish: early enough to act on, late enough not to nag. */
export const STAFF_INVITATION_REMINDER_MS = 3 * DAY_MS;

export interface StaffInvitationInput {
  invitationId: string;
  organizationId: string;
}

export type StaffInvitationStatus = 'INVITED' | 'EXPIRED' | 'REVOKED' | 'ACCEPTED';

export interface StaffInvitationState {
  status: StaffInvitationStatus;
  sequence: number;
  issuedAt: string | null;
  expiresAt: string | null;
  reminderSent: boolean;
}

export function staffInvitationWorkflowId(invitationId: string): string {
  return `staff-invitation-${invitationId}`;
}

export const getStaffInvitationStateQuery = defineQuery<StaffInvitationState>('getStaffInvitationState');
/** Sent once the invitee's account is committed. */
export const staffInvitationAcceptedSignal = defineSignal('staffInvitationAccepted');
export const resendStaffInvitationUpdate = defineUpdate<StaffInvitationState, [StaffActor]>('resendStaffInvitation');
export const revokeStaffInvitationUpdate = defineUpdate<StaffInvitationState, [StaffActor]>('revokeStaffInvitation');

/** Failure types an update can be refused with; the API maps each to a 409 with the message. */
export const STAFF_INVITATION_REFUSALS = {
  ActionInProgress: 'Another action on this invitation is in progress. Try again in a moment.',
  AlreadyAccepted: 'This invitation has already been accepted.',
  AlreadyRevoked: 'This invitation is already revoked.',
} as const;

function refuse(type: keyof typeof STAFF_INVITATION_REFUSALS): never {
  throw ApplicationFailure.nonRetryable(STAFF_INVITATION_REFUSALS[type], type);
}

const { sendStaffInvitation, remindStaffInvitation, expireStaffInvitation, revokeStaffInvitation } =
  proxyActivities<Activities>(activityProfiles.database);

export async function staffInvitation(input: StaffInvitationInput): Promise<StaffInvitationState> {
  const { invitationId } = input;
  const state: StaffInvitationState = {
    status: 'INVITED',
    sequence: 0,
    issuedAt: null,
    expiresAt: null,
    reminderSent: false,
  };
  let accepted = false;
  let busy = false;
  /** Bumped whenever the invitation changes, so the wait below starts over. */
  let epoch = 0;

  setHandler(getStaffInvitationStateQuery, () => state);
  setHandler(staffInvitationAcceptedSignal, () => {
    accepted = true;
  });

  const exclusive = async <T>(work: () => Promise<T>): Promise<T> => {
    busy = true;
    try {
      return await work();
    } catch (error) {
      // An activity's business refusal (accepted meanwhile) becomes the update's failure.
      if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) throw error.cause;
      throw error;
    } finally {
      busy = false;
    }
  };

  const send = async (requestedBy: string | null) => {
    const sequence = state.sequence + 1;
    const issuedAt = Date.now();
    await sendStaffInvitation({ invitationId, sequence, ttlMs: STAFF_INVITATION_TTL_MS, requestedBy });
    state.sequence = sequence;
    state.issuedAt = new Date(issuedAt).toISOString();
    state.expiresAt = new Date(issuedAt + STAFF_INVITATION_TTL_MS).toISOString();
    state.reminderSent = false;
    state.status = 'INVITED';
    epoch += 1;
  };

  const mayAct = () => {
    if (accepted) refuse('AlreadyAccepted');
    if (busy) refuse('ActionInProgress');
  };

  setHandler(
    resendStaffInvitationUpdate,
    async ({ staffUserId }) => {
      await exclusive(() => send(staffUserId));
      return state;
    },
    { validator: (_actor: StaffActor) => mayAct() },
  );
  setHandler(
    revokeStaffInvitationUpdate,
    async ({ staffUserId }) => {
      await exclusive(() => revokeStaffInvitation({ invitationId, staffUserId }));
      state.status = 'REVOKED';
      epoch += 1;
      return state;
    },
    {
      validator: (_actor: StaffActor) => {
        mayAct();
        if (state.status === 'REVOKED') refuse('AlreadyRevoked');
      },
    },
  );

  try {
    await exclusive(() => send(null));
  } catch (error) {
    // Accepted or revoked before the first link went out (a retried start): nothing to wait for.
    if (error instanceof ApplicationFailure && error.type === 'AlreadyAccepted') accepted = true;
    else throw error;
  }

  while (!accepted) {
    const seen = epoch;
    if (state.status !== 'INVITED') {
      // Expired or revoked: only an admin's resend (or a link still in flight) moves this on.
      await condition(() => accepted || epoch !== seen);
      continue;
    }
    const issuedAt = Date.parse(state.issuedAt!);
    const expiresAt = Date.parse(state.expiresAt!);
    const remind = !state.reminderSent && issuedAt + STAFF_INVITATION_REMINDER_MS < expiresAt;
    const at = remind ? issuedAt + STAFF_INVITATION_REMINDER_MS : expiresAt;
    const woke = await condition(() => accepted || epoch !== seen, Math.max(at - Date.now(), 1));
    if (woke) continue;
    if (busy) {
      await condition(() => !busy);
      continue;
    }
    if (remind) {
      await remindStaffInvitation({ invitationId, sequence: state.sequence });
      state.reminderSent = true;
      continue;
    }
    const { outcome } = await expireStaffInvitation({ invitationId, sequence: state.sequence });
    if (outcome === 'accepted') break;
    state.status = 'EXPIRED';
  }

  await condition(() => !busy);
  state.status = 'ACCEPTED';
  await condition(allHandlersFinished);
  return state;
}
