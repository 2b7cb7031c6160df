import { Router } from 'express';
import type { Db } from '../../db/client';
import { ZIntegrationCallbacksParams, ZIntegrationCallbacksQuery } from '../../schemas/callbacks';
import { requireStaff, staffOf } from '../../http/staff-auth';
import { listStatusCallbacks } from '../../use-cases/onboarding/list-status-callbacks';
import { validate } from '../../http/validate';

/** Admins check that their EHR hears of status changes: the per-integration delivery log of status callbacks. */
export function integrationCallbackRoutes(deps: { db: Db }): Router {
  const router = Router();
  router.use('/v1/integrations', requireStaff(deps.db));

  router.get('/v1/integrations/:integrationId/callbacks', async (req, res) => {
    const { integrationId } = validate(ZIntegrationCallbacksParams, req.params, ['params']);
    const query = validate(ZIntegrationCallbacksQuery, req.query, ['query']);
    res.json(await listStatusCallbacks(deps.db, staffOf(req), integrationId, query));
  });

  return router;
}
