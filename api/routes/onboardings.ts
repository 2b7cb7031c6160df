import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Db } from '../../db/client';
import { ZChangePortalOwnerRequest, ZOnboardingParams } from '../../schemas/onboarding';
import { requireStaff, staffOf } from '../../http/staff-auth';
import { audited } from '../../http/staff-audit';
import {
  cancelOnboarding,
  changePortalOwner,
  resendInvitation,
  restoreRegisteredPortalAccess,
  revokePortalAccess,
} from '../../use-cases/onboarding/act-on-onboarding';
import { getOnboarding } from '../../use-cases/onboarding/get-onboarding';
import { assertMayReadBilling, listOnboardingPayments } from '../../use-cases/billing/onboarding-payments';
import { validate } from '../../http/validate';
import { idempotent } from '../../http/idempotency';

/** Staff endpoints on one onboarding: read it, and the actions of seed 001 and 004. */
export function onboardingRoutes(deps: { db: Db; temporal: Client }): Router {
  const router = Router();
  router.use('/v1/onboardings', requireStaff(deps.db));

  router.get('/v1/onboardings/:onboardingId', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    res.json(
      await audited(deps.db, req, 'onboarding.read', onboardingId, () =>
        getOnboarding(deps, staffOf(req), onboardingId),
      ),
    );
  });

  router.get('/v1/onboardings/:onboardingId/payments', async (req, res) => {
    const staff = staffOf(req);
    assertMayReadBilling(staff);
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    res.json(
      await audited(deps.db, req, 'payments.read', onboardingId, () =>
        listOnboardingPayments(deps.db, staff, onboardingId),
      ),
    );
  });

  router.post('/v1/onboardings/:onboardingId/invitation/resend', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    await idempotent(deps.db, req, res, (actionId) =>
      audited(deps.db, req, 'invitation.resend', onboardingId, () =>
        resendInvitation(deps, staffOf(req), onboardingId, actionId),
      ),
    );
  });

  router.post('/v1/onboardings/:onboardingId/portal-access/revoke', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    await idempotent(deps.db, req, res, (actionId) =>
      audited(deps.db, req, 'portal.revoke', onboardingId, () =>
        revokePortalAccess(deps, staffOf(req), onboardingId, actionId),
      ),
    );
  });

  router.post('/v1/onboardings/:onboardingId/portal-access/restore', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    await idempotent(deps.db, req, res, () =>
      audited(deps.db, req, 'portal.restore', onboardingId, () =>
        restoreRegisteredPortalAccess(deps, staffOf(req), onboardingId),
      ),
    );
  });

  router.post('/v1/onboardings/:onboardingId/portal-owner', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    const owner = validate(ZChangePortalOwnerRequest, req.body);
    await idempotent(deps.db, req, res, (actionId) =>
      audited(deps.db, req, 'portal.owner_change', onboardingId, () =>
        changePortalOwner(deps, staffOf(req), onboardingId, owner, actionId),
      ),
    );
  });

  router.post('/v1/onboardings/:onboardingId/cancel', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    await idempotent(deps.db, req, res, (actionId) =>
      audited(deps.db, req, 'onboarding.cancel', onboardingId, () =>
        cancelOnboarding(deps, staffOf(req), onboardingId, actionId),
      ),
    );
  });

  return router;
}
