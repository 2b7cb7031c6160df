import { Router } from 'express';
import type { Db } from '../../db/client';
import { originOf } from '../../http/audit-context';
import { requireStaff, staffOf } from '../../http/staff-auth';
import { validate } from '../../http/validate';
import { ZApiKeyCreate, ZApiKeyId } from '../../schemas/api-keys';
import {
  assertMayManageApiKeys,
  createApiKey,
  listApiKeys,
  revokeApiKey,
} from '../../use-cases/accounts/manage-api-keys';

/** Admins make, list and revoke the practice's API keys without SQL (issue 19). */
export function apiKeyRoutes(deps: { db: Db }): Router {
  const router = Router();
  router.use('/v1/api-keys', requireStaff(deps.db));

  router.get('/v1/api-keys', async (req, res) => {
    res.json(await listApiKeys(deps.db, staffOf(req)));
  });

  router.post('/v1/api-keys', async (req, res) => {
    const staff = staffOf(req);
    // Who asks is checked before what is asked: a therapist learns nothing from a validation error.
    assertMayManageApiKeys(staff);
    const input = validate(ZApiKeyCreate, req.body);
    res.status(201).json(await createApiKey(deps.db, staff, input, originOf(req)));
  });

  router.post('/v1/api-keys/:apiKeyId/revoke', async (req, res) => {
    const staff = staffOf(req);
    assertMayManageApiKeys(staff);
    const { apiKeyId } = validate(ZApiKeyId, req.params, ['params']);
    res.json(await revokeApiKey(deps.db, staff, apiKeyId, originOf(req)));
  });

  return router;
}
