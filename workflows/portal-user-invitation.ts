/**
 * One contact's invitation to a client's portal (issue 15): the lifecycle the
 * client's own invitation has in client-onboarding.ts, for one portal user.
 * Send the link → remind on the practice's days → expire after the practice's
 * lifetime (7 days by default) → wait for staff, or re-send by itself if the
 * practice chose to. Staff resend or revoke through the updates below; the
 * registration (use-cases/accounts/register-portal-user.ts) signals when it
 * commits, and removing the user ends the flow.
 *
 * It runs beside the client's onboarding, not inside it, so adding a contact
 * never changes the onboarding's history (the recorded replays stay as they
 * are). The workflow id and input carry ids only: the contact's name and email
 * are read by the activities.
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
import type { InvitationPolicy } from '../activities/invitations';
import type { IssuePortalUserInvitationInput } from '../activities/portal-user-invitations';
import { activityProfiles } from '../temporal.config';
import type { InvitationState, StaffActor } from './client-onboarding';
import { nextDeadline } from './invitation-deadline';

export interface PortalUserInvitationInput {
  /** The contact's access row (client_portal_access): the workflow id is derived from it. */
  accessId: string;
  organizationId: string;
  /** The staff member who added the contact; null when the EHR named them. */
  requestedBy: string | null;
}

export type PortalUserInvitationStatus = 'INVITED' | 'EXPIRED' | 'REVOKED' | 'REGISTERED' | 'REMOVED';

export interface PortalUserInvitationState {
  status: PortalUserInvitationStatus;
  invitation: {
    id: string;
    sequence: number;
    issuedAt: string;
    expiresAt: string;
    state: InvitationState;
    remindersSent: number[];
  } | null;
  automaticResends: number;
}

export function portalUserInvitationWorkflowId(accessId: string): string {
  return `portal-user-invitation-${accessId}`;
}

export const getPortalUserInvitationStateQuery = defineQuery<PortalUserInvitationState>('getPortalUserInvitationState');
/** Sent once the contact's registration is committed. */
export const portalUserRegisteredSignal = defineSignal<[{ invitationId: string }]>('portalUserRegistered');
/** Sent when staff (or the EHR) remove the contact: nothing more is sent to them. */
export const portalUserRemovedSignal = defineSignal('portalUserRemoved');
export const resendPortalUserInvitationUpdate = defineUpdate<PortalUserInvitationState, [StaffActor]>(
  'resendPortalUserInvitation',
);
export const revokePortalUserInvitationUpdate = defineUpdate<PortalUserInvitationState, [StaffActor]>(
  'revokePortalUserInvitation',
);

/** Failure types an update can be refused with; the API maps each to a 409 with the message. */
export const PORTAL_USER_REFUSALS = {
  ActionInProgress: 'Another action on this portal user is in progress. Try again in a moment.',
  AlreadyRegistered: 'This portal user has already registered.',
  Removed: 'This person is no longer a portal user of the client.',
  AlreadyRevoked: 'This portal user’s invitation is already revoked.',
} as const;

function refuse(type: keyof typeof PORTAL_USER_REFUSALS): never {
  throw ApplicationFailure.nonRetryable(PORTAL_USER_REFUSALS[type], type);
}

const {
  getInvitationPolicy,
  issuePortalUserInvitation,
  sendPortalUserInvitationReminder,
  expirePortalUserInvitation,
  revokePortalUserInvitation,
} = proxyActivities<Activities>(activityProfiles.database);

export async function portalUserInvitation(input: PortalUserInvitationInput): Promise<PortalUserInvitationState> {
  const state: PortalUserInvitationState = { status: 'INVITED', invitation: null, automaticResends: 0 };
  const { accessId } = input;
  let policy: InvitationPolicy | undefined;
  let registered = false;
  let removed = false;
  let busy = false;
  /** Bumped whenever the invitation changes, so the wait below starts over. */
  let epoch = 0;

  setHandler(getPortalUserInvitationStateQuery, () => state);
  setHandler(portalUserRegisteredSignal, () => {
    registered = true;
  });
  setHandler(portalUserRemovedSignal, () => {
    removed = true;
  });

  const exclusive = async <T>(work: () => Promise<T>): Promise<T> => {
    busy = true;
    try {
      return await work();
    } catch (error) {
      // An activity's business refusal (the user was removed meanwhile) becomes the update's failure.
      if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) throw error.cause;
      throw error;
    } finally {
      busy = false;
    }
  };

  const sendInvitation = async (reason: IssuePortalUserInvitationInput['reason'], requestedBy: string | null) => {
    policy ??= await getInvitationPolicy({ organizationId: input.organizationId });
    const sequence = (state.invitation?.sequence ?? 0) + 1;
    const issuedAt = Date.now();
    const { invitationId } = await issuePortalUserInvitation({
      accessId,
      sequence,
      ttlMs: policy.ttlMs,
      reason,
      requestedBy,
    });
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
  };

  const mayAct = (_actor?: StaffActor) => {
    if (removed) refuse('Removed');
    if (registered) refuse('AlreadyRegistered');
    if (busy) refuse('ActionInProgress');
  };

  setHandler(
    resendPortalUserInvitationUpdate,
    async ({ staffUserId }) => {
      await exclusive(() => sendInvitation(state.invitation ? 'resend' : 'initial', staffUserId));
      return state;
    },
    { validator: mayAct },
  );
  setHandler(
    revokePortalUserInvitationUpdate,
    async ({ staffUserId }) => {
      await exclusive(() => revokePortalUserInvitation({ accessId, staffUserId }));
      if (state.invitation) state.invitation.state = 'REVOKED';
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

  const done = () => registered || removed;

  try {
    await exclusive(() => sendInvitation('initial', input.requestedBy));
  } catch (error) {
    // Removed before the first link went out: nothing to wait for.
    if (error instanceof ApplicationFailure && error.type === 'PortalUserRemoved') {
      state.status = 'REMOVED';
      return state;
    }
    throw error;
  }

  while (!done()) {
    const seen = epoch;
    const invitation = state.invitation;
    if (invitation?.state !== 'PENDING') {
      // Expired or revoked: only staff (or a registration through a still-valid link) move this on.
      await condition(() => done() || epoch !== seen);
      continue;
    }
    const next = nextDeadline(invitation, policy!);
    const woke = await condition(() => done() || epoch !== seen, Math.max(next.at - Date.now(), 1));
    if (woke) continue;
    if (busy) {
      await condition(() => !busy);
      continue;
    }
    if (next.kind === 'reminder') {
      await sendPortalUserInvitationReminder({ invitationId: invitation.id, day: next.day });
      invitation.remindersSent.push(next.day);
      continue;
    }
    const { outcome } = await expirePortalUserInvitation({ invitationId: invitation.id });
    if (outcome === 'registered') {
      registered = true;
      break;
    }
    invitation.state = 'EXPIRED';
    state.status = 'EXPIRED';
    if (state.automaticResends < policy!.automaticResends) {
      state.automaticResends += 1;
      await exclusive(() => sendInvitation('automatic-resend', null));
    }
  }

  await condition(() => !busy);
  if (registered) {
    state.status = 'REGISTERED';
    if (state.invitation) state.invitation.state = 'USED';
  } else {
    state.status = 'REMOVED';
    if (state.invitation?.state === 'PENDING') state.invitation.state = 'REVOKED';
  }
  await condition(allHandlersFinished);
  return state;
}
