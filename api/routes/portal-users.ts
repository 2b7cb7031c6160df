import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { Logger } from '../../observability/logger';
import { audited } from '../../http/staff-audit';
import { requireStaff, staffOf } from '../../http/staff-auth';
import { validate } from '../../http/validate';
import { ZOnboardingParams } from '../../schemas/onboarding';
import { ZAddPortalUserRequest, ZPortalUserParams, ZUpdatePortalUserRequest } from '../../schemas/portal-users';
import {
  addPortalUser,
  listPortalUsers,
  removePortalUser,
  resendPortalUserInvitation,
  revokePortalUserInvitation,
  updatePortalUser,
} from '../../use-cases/accounts/portal-users';

/** Staff manage the people who use one client's portal (issue 15, seed 004); every call is on the client's trail. */
export function portalUserRoutes(deps: { db: Db; temporal: Client; taskQueue: string; logger?: Logger }): Router {
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
      addPortalUser(deps, staffOf(req), onboardingId, body),
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
      removePortalUser(deps, staffOf(req), onboardingId, portalUserId),
    );
    res.status(204).end();
  });

  // A contact's own invitation (workflows/portal-user-invitation.ts): resend and revoke, per user.
  router.post('/v1/onboardings/:onboardingId/portal-users/:portalUserId/invitation/resend', async (req, res) => {
    const { onboardingId, portalUserId } = validate(ZPortalUserParams, req.params, ['params']);
    res.json(
      await audited(db, req, 'portal_user.invitation_resend', onboardingId, () =>
        resendPortalUserInvitation(deps, staffOf(req), onboardingId, portalUserId),
      ),
    );
  });

  router.post('/v1/onboardings/:onboardingId/portal-users/:portalUserId/invitation/revoke', async (req, res) => {
    const { onboardingId, portalUserId } = validate(ZPortalUserParams, req.params, ['params']);
    res.json(
      await audited(db, req, 'portal_user.invitation_revoke', onboardingId, () =>
        revokePortalUserInvitation(deps, staffOf(req), onboardingId, portalUserId),
      ),
    );
  });

  return router;
}
