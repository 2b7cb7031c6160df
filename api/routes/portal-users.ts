import { Router } from 'express';
import type { Db } from '../../db/client';
import { audited } from '../../http/staff-audit';
import { requireStaff, staffOf } from '../../http/staff-auth';
import { validate } from '../../http/validate';
import { ZOnboardingParams } from '../../schemas/onboarding';
import { ZAddPortalUserRequest, ZPortalUserParams, ZUpdatePortalUserRequest } from '../../schemas/portal-users';
import {
  addPortalUser,
  listPortalUsers,
  removePortalUser,
  updatePortalUser,
} from '../../use-cases/accounts/portal-users';

/** Staff manage the people who use one client's portal (issue 15, seed 004); every call is on the client's trail. */
export function portalUserRoutes(deps: { db: Db }): Router {
  const router = Router();
  const { db } = deps;
  router.use('/v1/onboardings', requireStaff(db));

  router.get('/v1/onboardings/:onboardingId/portal-users', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    res.json(
      await audited(db, req, 'portal_users.read', onboardingId, () => listPortalUsers(db, staffOf(req), onboardingId)),
    );
  });

  router.post('/v1/onboardings/:onboardingId/portal-users', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    const body = validate(ZAddPortalUserRequest, req.body);
    const user = await audited(db, req, 'portal_user.add', onboardingId, () =>
      addPortalUser(db, staffOf(req), onboardingId, body),
    );
    res.status(201).json(user);
  });

  router.patch('/v1/onboardings/:onboardingId/portal-users/:portalUserId', async (req, res) => {
    const { onboardingId, portalUserId } = validate(ZPortalUserParams, req.params, ['params']);
    const body = validate(ZUpdatePortalUserRequest, req.body);
    res.json(
      await audited(db, req, 'portal_user.update', onboardingId, () =>
        updatePortalUser(db, staffOf(req), onboardingId, portalUserId, body),
      ),
    );
  });

  router.delete('/v1/onboardings/:onboardingId/portal-users/:portalUserId', async (req, res) => {
    const { onboardingId, portalUserId } = validate(ZPortalUserParams, req.params, ['params']);
    await audited(db, req, 'portal_user.remove', onboardingId, () =>
      removePortalUser(db, staffOf(req), onboardingId, portalUserId),
    );
    res.status(204).end();
  });

  return router;
}
