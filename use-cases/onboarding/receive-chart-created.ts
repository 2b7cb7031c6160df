import type { TChartCreatedWebhook } from '../../schemas/chart-created-webhook';
import type { VerifiedIntegration } from '../integrations/ehr-webhook-auth';
import { startOnboarding, type StartOnboardingDeps, type StartOnboardingResult } from './start-onboarding';

/**
 * A verified chart.created delivery. A webhook-id seen before (the EHR
 * retrying, or someone replaying a captured request within the 5-minute
 * window) is answered from the delivery log and processed no further; a new
 * one starts the onboarding (itself idempotent per chart) and is logged.
 */
export async function receiveChartCreated(
  deps: StartOnboardingDeps,
  integration: VerifiedIntegration,
  webhookId: string,
  event: TChartCreatedWebhook,
): Promise<StartOnboardingResult> {
  const integrationId = integration.id;
  const seen = await deps.db.inboundWebhook.findUnique({
    where: { integrationId_webhookId: { integrationId, webhookId } },
    select: { onboardingId: true },
  });
  if (seen?.onboardingId) {
    const onboarding = await deps.db.onboarding.findUniqueOrThrow({
      where: { id: seen.onboardingId },
      select: { status: true },
    });
    return { onboardingId: seen.onboardingId, status: onboarding.status, duplicate: true };
  }
  const result = await startOnboarding(deps, integration, event);
  await deps.db.inboundWebhook.createMany({
    data: [{ integrationId, webhookId, eventType: event.type, onboardingId: result.onboardingId }],
    skipDuplicates: true,
  });
  return result;
}
