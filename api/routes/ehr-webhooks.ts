import { Router } from 'express';
import { z } from 'zod';
import { ZChartCreatedWebhook, type TWebhookAccepted } from '../schemas/chart-created-webhook';
import { startOnboarding, type StartOnboardingDeps } from '../use-cases/start-onboarding';
import { validate } from '../validate';

const ZIntegrationParams = z.object({ integrationId: z.uuid('must be an integration id (UUID)') });

/** Webhooks from EHR systems. One URL per integration, so each EHR can be told apart (and later, verified). */
export function ehrWebhookRoutes(deps: StartOnboardingDeps): Router {
  const router = Router();

  router.post('/v1/webhooks/ehr/:integrationId', async (req, res) => {
    const { integrationId } = validate(ZIntegrationParams, req.params, ['params']);
    const event = validate(ZChartCreatedWebhook, req.body);
    const result = await startOnboarding(deps, integrationId, event);
    const body: TWebhookAccepted = {
      onboardingId: result.onboardingId,
      status: result.status,
      duplicate: result.duplicate,
      links: { self: `/v1/onboardings/${result.onboardingId}` },
    };
    // 202: the onboarding runs on; 200: this chart was already onboarding, nothing new started.
    res
      .status(result.duplicate ? 200 : 202)
      .location(body.links.self)
      .json(body);
  });

  return router;
}
