/**
 * What the API, the tests and other workflows talk to the client onboarding
 * with (workflows/client-onboarding.ts): its input, the state its query
 * answers, its signals and updates, and the reasons an update is refused.
 * Kept apart so the flow itself reads as the steps it takes.
 */
import { ApplicationFailure, defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { TChartDetails } from '../domain/chart';
import type { OnboardingStatus } from '../domain/onboarding-status';
import type { TEhrContact } from '../schemas/ehr-contacts';
import type { ClientLinkRequest } from './client-link-requests';

export interface ClientOnboardingInput {
  /** Our id of the onboarding row; the workflow id is derived from it. */
  onboardingId: string;
  organizationId: string;
  chart: TChartDetails;
  /** Staff ticked "send client an email to set up their portal account". */
  inviteRequested: boolean;
  formPackageId: string | null;
  /**
   * Contacts the EHR named in chart.created (issue 15): portal users invited after the client, each by a
   * portalUserInvitation workflow of their own. PHI: only in this (encrypted) input, never in ids.
   */
  contacts?: TEhrContact[];
}

/** BOUNCED: the provider reported it will never arrive (hard bounce or spam complaint). */
export type InvitationState = 'PENDING' | 'EXPIRED' | 'REVOKED' | 'USED' | 'BOUNCED';

export interface OnboardingState {
  status: OnboardingStatus;
  clientId: string | null;
  invitation: {
    id: string;
    sequence: number;
    /** Workflow time the link was sent and expires (ISO). */
    issuedAt: string;
    expiresAt: string;
    state: InvitationState;
    remindersSent: number[];
  } | null;
  automaticResends: number;
  /** The form package's request, when one was assigned at chart creation. */
  forms?: { requestId: string; workflowId: string } | null;
}

export type OnboardingOutcome = OnboardingState;

/** Who asked for a staff action (checked by the API before it asks us). */
export interface StaffActor {
  staffUserId: string;
}

/** A guardian or other contact who becomes the portal owner (seed 004). PHI: travels encrypted. */
export interface NewPortalOwner {
  name: string;
  email: string;
}

export const getOnboardingStateQuery = defineQuery<OnboardingState>('getOnboardingState');
/** Sent by the API once the registration is committed in the database. */
export const clientRegisteredSignal = defineSignal<[{ invitationId: string }]>('clientRegistered');
/** Sent by the API when the provider reports a hard bounce or a complaint on this invitation's emails. */
export const invitationBouncedSignal = defineSignal<[{ invitationId: string }]>('invitationBounced');
/**
 * Sent by the API when the provider reports an invitation's email delayed (a soft bounce, "delivery
 * delayed"): the provider retries; if it is still undelivered after the practice's window, it is
 * handled as a bounce.
 */
export const invitationDelayedSignal = defineSignal<[{ invitationId: string }]>('invitationDelayed');
/** A client holding a dead link asked for a new one ("Email me a new link"); decided by decideLinkRequest. */
export const clientLinkRequestSignal = defineSignal<[ClientLinkRequest]>('clientLinkRequest');
/** Sends a new link (first one if none was sent); the previous link stops working. */
export const resendInvitationUpdate = defineUpdate<OnboardingState, [StaffActor]>('resendInvitation');
export const revokePortalAccessUpdate = defineUpdate<OnboardingState, [StaffActor]>('revokePortalAccess');
export const changePortalOwnerUpdate = defineUpdate<OnboardingState, [StaffActor & { owner: NewPortalOwner }]>(
  'changePortalOwner',
);
export const cancelOnboardingUpdate = defineUpdate<OnboardingState, [StaffActor]>('cancelOnboarding');

/** Failure types an update can be refused with; the API maps each to a 409 with the message. */
export const REFUSALS = {
  NotReady: 'The chart is still being created. Try again in a moment.',
  ActionInProgress: 'Another action on this onboarding is in progress. Try again in a moment.',
  Cancelled: 'This onboarding was cancelled.',
  AlreadyRegistered: 'The client has already registered.',
  NotInvited: 'No portal invitation has been sent yet.',
  AlreadyRevoked: 'Portal access is already revoked.',
} as const;

export function refuse(type: keyof typeof REFUSALS): never {
  throw ApplicationFailure.nonRetryable(REFUSALS[type], type);
}
