/**
 * The floor: a workflow of the onboarding's shape up to "invitation handed to
 * the mailer" (workflows/client-onboarding.ts), on which every activity
 * returns at once. Same handlers (one query, two signals, four updates), same
 * activity options, the same three activities in a row (create the chart,
 * read the invitation policy, issue the invitation), then the same wait for
 * registration with a 7-day timer. What the onboarding costs above this is
 * ours; this much is Temporal's.
 *
 * Workflow code: deterministic, and imports only types from the activities.
 */
import { condition, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import { activityProfiles } from '../temporal.config';
import type { FloorActivities } from './floor-activities';

export const floorStateQuery = defineQuery<string>('getOnboardingState');
export const floorRegisteredSignal = defineSignal('clientRegistered');
export const floorBouncedSignal = defineSignal('invitationBounced');
const floorUpdates = ['resendInvitation', 'revokePortalAccess', 'changePortalOwner', 'cancelOnboarding'].map((name) =>
  defineUpdate<string>(name),
);

const { createChart, getInvitationPolicy, issueInvitation } = proxyActivities<FloorActivities>(
  activityProfiles.database,
);

export async function onboardingFloor(input: { onboardingId: string }): Promise<string> {
  let status = 'PENDING';
  let registered = false;
  setHandler(floorStateQuery, () => status);
  setHandler(floorRegisteredSignal, () => {
    registered = true;
  });
  setHandler(floorBouncedSignal, () => undefined);
  for (const update of floorUpdates) setHandler(update, () => status);

  await createChart(input.onboardingId);
  status = 'CHART_CREATED';
  await getInvitationPolicy(input.onboardingId);
  await issueInvitation(input.onboardingId);
  status = 'INVITED';
  await condition(() => registered, '7 days');
  return status;
}
