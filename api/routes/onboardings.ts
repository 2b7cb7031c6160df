import { Router } from 'express';
import { ZOnboardingParams } from '../schemas/onboarding';
import { getOnboarding, type GetOnboardingDeps } from '../use-cases/get-onboarding';
import { validate } from '../validate';

export function onboardingRoutes(deps: GetOnboardingDeps): Router {
  const router = Router();

  router.get('/v1/onboardings/:onboardingId', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    res.json(await getOnboarding(deps, onboardingId));
  });

  return router;
}
