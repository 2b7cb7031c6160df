import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Db } from '../../db/client';
import { originOf } from '../../http/audit-context';
import { requireStaff, staffOf } from '../../http/staff-auth';
import { validate } from '../../http/validate';
import {
  ZIntegrationCallbackParams,
  ZIntegrationCreate,
  ZIntegrationId,
  ZIntegrationPatch,
  ZIntegrationRotate,
} from '../../schemas/integrations';
import type { SecretBox } from '../../security/secret-box';
import {
  listInboundDeliveries,
  pingCallback,
  redeliverCallback,
} from '../../use-cases/integrations/integration-deliveries';
import {
  assertMayManageIntegrations,
  createIntegration,
  getIntegration,
  listIntegrations,
  rotateSigningSecret,
  updateIntegration,
} from '../../use-cases/integrations/manage-integrations';

export interface IntegrationRouteDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  secretBox: SecretBox;
  publicBaseUrl: string;
  allowPrivateCallbackTargets?: boolean;
}

/** Admins set up their EHR integrations without SQL (issue 19): create, rotate, callbacks, logs, disable. */
export function integrationRoutes(deps: IntegrationRouteDeps): Router {
  const router = Router();
  router.use('/v1/integrations', requireStaff(deps.db));

  router.get('/v1/integrations', async (req, res) => {
    res.json(await listIntegrations(deps, staffOf(req)));
  });

  router.post('/v1/integrations', async (req, res) => {
    const staff = staffOf(req);
    // Who asks is checked before what is asked: a therapist learns nothing from a validation error.
    assertMayManageIntegrations(staff);
    const input = validate(ZIntegrationCreate, req.body);
    res.status(201).json(await createIntegration(deps, staff, input, originOf(req)));
  });

  router.get('/v1/integrations/:integrationId', async (req, res) => {
    const staff = staffOf(req);
    assertMayManageIntegrations(staff);
    const { integrationId } = validate(ZIntegrationId, req.params, ['params']);
    res.json(await getIntegration(deps, staff, integrationId));
  });

  router.patch('/v1/integrations/:integrationId', async (req, res) => {
    const staff = staffOf(req);
    assertMayManageIntegrations(staff);
    const { integrationId } = validate(ZIntegrationId, req.params, ['params']);
    const patch = validate(ZIntegrationPatch, req.body);
    res.json(await updateIntegration(deps, staff, integrationId, patch, originOf(req)));
  });

  router.post('/v1/integrations/:integrationId/rotate-secret', async (req, res) => {
    const staff = staffOf(req);
    assertMayManageIntegrations(staff);
    const { integrationId } = validate(ZIntegrationId, req.params, ['params']);
    const input = validate(ZIntegrationRotate, req.body);
    res.json(await rotateSigningSecret(deps, staff, integrationId, input, originOf(req)));
  });

  router.post('/v1/integrations/:integrationId/ping', async (req, res) => {
    const staff = staffOf(req);
    assertMayManageIntegrations(staff);
    const { integrationId } = validate(ZIntegrationId, req.params, ['params']);
    res.json(await pingCallback(deps, staff, integrationId, originOf(req)));
  });

  router.get('/v1/integrations/:integrationId/deliveries', async (req, res) => {
    const staff = staffOf(req);
    assertMayManageIntegrations(staff);
    const { integrationId } = validate(ZIntegrationId, req.params, ['params']);
    res.json(await listInboundDeliveries(deps.db, staff, integrationId));
  });

  router.post('/v1/integrations/:integrationId/callbacks/:callbackId/redeliver', async (req, res) => {
    const staff = staffOf(req);
    assertMayManageIntegrations(staff);
    const { integrationId, callbackId } = validate(ZIntegrationCallbackParams, req.params, ['params']);
    res.status(202).json(await redeliverCallback(deps, staff, integrationId, callbackId, originOf(req)));
  });

  return router;
}
