/**
 * One client's onboarding, from the EHR's "chart created" webhook on.
 *
 * Today: create the chart. The portal invitation, the 7-day wait for
 * registration and the form package build on this workflow (see the issues);
 * its status and timeline are already readable at every step.
 */
import { defineQuery, isCancellation, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TChartDetails } from '../domain/chart';
import type { OnboardingStatus } from '../domain/onboarding-status';
import { activityProfiles } from '../temporal.config';

export interface ClientOnboardingInput {
  /** Our id of the onboarding row; the workflow id is derived from it. */
  onboardingId: string;
  organizationId: string;
  chart: TChartDetails;
  /** Staff ticked "send client an email to set up their portal account". */
  inviteRequested: boolean;
  formPackageId: string | null;
}

export interface OnboardingState {
  status: OnboardingStatus;
  clientId: string | null;
}

export type OnboardingOutcome = OnboardingState;

export const getOnboardingStateQuery = defineQuery<OnboardingState>('getOnboardingState');

const { createChart, recordOnboardingProgress } = proxyActivities<Activities>(activityProfiles.database);

export async function clientOnboarding(input: ClientOnboardingInput): Promise<OnboardingOutcome> {
  const state: OnboardingState = { status: 'PENDING', clientId: null };
  setHandler(getOnboardingStateQuery, () => state);

  try {
    const { clientId } = await createChart({
      onboardingId: input.onboardingId,
      organizationId: input.organizationId,
      chart: input.chart,
    });
    state.clientId = clientId;
    state.status = 'CHART_CREATED';
    return state;
  } catch (error) {
    if (!isCancellation(error)) {
      // Staff must see that this client is stuck rather than a flow that is silently
      // gone; the error itself stays in the (encrypted) history for the engineer.
      state.status = 'FAILED';
      await recordOnboardingProgress({
        onboardingId: input.onboardingId,
        status: 'FAILED',
        event: { key: `failed:${workflowInfo().runId}`, type: 'onboarding.failed' },
      });
    }
    throw error;
  }
}
