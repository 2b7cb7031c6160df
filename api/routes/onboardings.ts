import type { Client } from '@temporalio/client';
import { Router, type Request, type Response } from 'express';
import { recordAudit, type AuditOutcome } from '../../audit/audit-log';
import { AppError } from '../app-error';
import { originOf } from '../audit-context';
import type { Db } from '../../db/client';
import type { OnboardingState } from '../../workflows/client-onboarding';
import { ZChangePortalOwnerRequest, ZOnboardingParams, type TStaffActionResponse } from '../schemas/onboarding';
import { requireStaff, staffOf } from '../staff-auth';
import {
  cancelOnboarding,
  changePortalOwner,
  resendInvitation,
  revokePortalAccess,
} from '../use-cases/act-on-onboarding';
import { getOnboarding } from '../use-cases/get-onboarding';
import { validate } from '../validate';

function actionResult(res: Response, onboardingId: string, state: OnboardingState): void {
  const body: TStaffActionResponse = {
    onboardingId,
    status: state.status,
    invitation: state.invitation
      ? { sequence: state.invitation.sequence, expiresAt: state.invitation.expiresAt, state: state.invitation.state }
      : null,
  };
  res.json(body);
}

function outcomeOf(error: unknown): { outcome: AuditOutcome; code: string } {
  if (!(error instanceof AppError)) return { outcome: 'failed', code: 'INTERNAL' };
  const denied = error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND' || error.code === 'UNAUTHENTICATED';
  return { outcome: denied ? 'denied' : error.code === 'UNAVAILABLE' ? 'failed' : 'refused', code: error.code };
}

/**
 * Runs a staff request on one onboarding and records it in the audit trail,
 * whatever its outcome. The client is named only when the onboarding is in
 * the staff member's own organisation.
 */
async function audited<T>(db: Db, req: Request, action: string, onboardingId: string, work: () => Promise<T>) {
  const staff = staffOf(req);
  let result: { outcome: AuditOutcome; code: string | null } = { outcome: 'success', code: null };
  try {
    return await work();
  } catch (error) {
    result = outcomeOf(error);
    throw error;
  } finally {
    const onboarding = await db.onboarding.findUnique({
      where: { id: onboardingId },
      select: { organizationId: true, clientId: true },
    });
    const own = onboarding?.organizationId === staff.organizationId;
    await recordAudit(db, {
      organizationId: staff.organizationId,
      actor: { type: 'staff', id: staff.staffUserId },
      action,
      onboardingId: own ? onboardingId : null,
      clientId: own ? onboarding.clientId : null,
      outcome: result.outcome,
      origin: originOf(req),
      detail: {
        ...(result.code ? { code: result.code } : {}),
        ...(own ? {} : { requestedOnboardingId: onboardingId }),
      },
    });
  }
}

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

  router.post('/v1/onboardings/:onboardingId/invitation/resend', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    const state = await audited(deps.db, req, 'invitation.resend', onboardingId, () =>
      resendInvitation(deps, staffOf(req), onboardingId),
    );
    actionResult(res, onboardingId, state);
  });

  router.post('/v1/onboardings/:onboardingId/portal-access/revoke', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    const state = await audited(deps.db, req, 'portal.revoke', onboardingId, () =>
      revokePortalAccess(deps, staffOf(req), onboardingId),
    );
    actionResult(res, onboardingId, state);
  });

  router.post('/v1/onboardings/:onboardingId/portal-owner', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    const owner = validate(ZChangePortalOwnerRequest, req.body);
    const state = await audited(deps.db, req, 'portal.owner_change', onboardingId, () =>
      changePortalOwner(deps, staffOf(req), onboardingId, owner),
    );
    actionResult(res, onboardingId, state);
  });

  router.post('/v1/onboardings/:onboardingId/cancel', async (req, res) => {
    const { onboardingId } = validate(ZOnboardingParams, req.params, ['params']);
    const state = await audited(deps.db, req, 'onboarding.cancel', onboardingId, () =>
      cancelOnboarding(deps, staffOf(req), onboardingId),
    );
    actionResult(res, onboardingId, state);
  });

  return router;
}
