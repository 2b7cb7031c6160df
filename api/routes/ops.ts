import { Router, type Request } from 'express';
import { recordAudit, type AuditOutcome } from '../../audit/audit-log';
import type { Db } from '../../db/client';
import { originOf } from '../../http/audit-context';
import {
  ZOpsBulkRequest,
  ZOpsListQuery,
  ZOpsParams,
  ZOpsResetRequest,
  ZOpsTerminateRequest,
  type TOpsBulkResponse,
} from '../../schemas/ops';
import { requireStaff, staffOf } from '../../http/staff-auth';
import { audited, outcomeOf } from '../../http/staff-audit';
import type { OpsDeps } from '../../use-cases/ops/ops-access';
import { opsBulk } from '../../use-cases/ops/ops-bulk';
import { opsDescribeOnboarding } from '../../use-cases/ops/ops-describe-onboarding';
import { listOnboardingsForOps } from '../../use-cases/ops/ops-list-onboardings';
import { opsResetOnboarding, opsRetryOnboarding } from '../../use-cases/ops/ops-reset-onboarding';
import { opsCancelOnboarding, opsTerminateOnboarding } from '../../use-cases/ops/ops-stop-onboarding';
import { validate } from '../../http/validate';

/**
 * The ops API (issue 6, item 4), for ops engineers and organisation admins,
 * within their own organisation; `npm run ops` (scripts/ops.ts) is its CLI.
 * Reads carry no PHI and are not audited; every action is, per onboarding.
 */
export function opsRoutes(deps: OpsDeps): Router {
  const router = Router();
  router.use('/v1/ops', requireStaff(deps.db));

  router.get('/v1/ops/onboardings', async (req, res) => {
    const query = validate(ZOpsListQuery, req.query, ['query']);
    res.json(await listOnboardingsForOps(deps, staffOf(req), query));
  });

  router.get('/v1/ops/onboardings/:onboardingId', async (req, res) => {
    const { onboardingId } = validate(ZOpsParams, req.params, ['params']);
    res.json(await opsDescribeOnboarding(deps, staffOf(req), onboardingId));
  });

  router.post('/v1/ops/onboardings/:onboardingId/cancel', async (req, res) => {
    const { onboardingId } = validate(ZOpsParams, req.params, ['params']);
    res.json(
      await audited(deps.db, req, 'ops.cancel', onboardingId, () =>
        opsCancelOnboarding(deps, staffOf(req), onboardingId),
      ),
    );
  });

  router.post('/v1/ops/onboardings/:onboardingId/terminate', async (req, res) => {
    const { onboardingId } = validate(ZOpsParams, req.params, ['params']);
    const { reason } = validate(ZOpsTerminateRequest, req.body);
    res.json(
      await audited(deps.db, req, 'ops.terminate', onboardingId, () =>
        opsTerminateOnboarding(deps, staffOf(req), onboardingId, reason),
      ),
    );
  });

  router.post('/v1/ops/onboardings/:onboardingId/reset', async (req, res) => {
    const { onboardingId } = validate(ZOpsParams, req.params, ['params']);
    const body = validate(ZOpsResetRequest, req.body);
    res.json(
      await audited(deps.db, req, 'ops.reset', onboardingId, () =>
        opsResetOnboarding(deps, staffOf(req), onboardingId, body),
      ),
    );
  });

  router.post('/v1/ops/onboardings/:onboardingId/retry', async (req, res) => {
    const { onboardingId } = validate(ZOpsParams, req.params, ['params']);
    res.json(
      await audited(deps.db, req, 'ops.retry', onboardingId, () =>
        opsRetryOnboarding(deps, staffOf(req), onboardingId),
      ),
    );
  });

  router.post('/v1/ops/bulk', async (req, res) => {
    const body = validate(ZOpsBulkRequest, req.body ?? {});
    res.json(
      await auditedBulk(deps.db, req, body.action, body.dryRun, () =>
        opsBulk(deps, staffOf(req), body, (action, onboardingId, work) =>
          audited(deps.db, req, action, onboardingId, work),
        ),
      ),
    );
  });

  return router;
}

/**
 * One organisation-level audit entry for a bulk request (counts only); each
 * onboarding acted on also gets its own ops.cancel or ops.terminate entry.
 */
async function auditedBulk(
  db: Db,
  req: Request,
  action: string,
  dryRun: boolean,
  work: () => Promise<TOpsBulkResponse>,
): Promise<TOpsBulkResponse> {
  const staff = staffOf(req);
  let outcome: AuditOutcome = 'success';
  let code: string | null = null;
  let result: TOpsBulkResponse | undefined;
  try {
    result = await work();
    return result;
  } catch (error) {
    ({ outcome, code } = outcomeOf(error));
    throw error;
  } finally {
    await recordAudit(db, {
      organizationId: staff.organizationId,
      actor: { type: 'staff', id: staff.staffUserId },
      action: 'ops.bulk',
      outcome,
      origin: originOf(req),
      detail: {
        bulkAction: action,
        dryRun,
        ...(result
          ? {
              matched: result.matched.length,
              done: result.done.length,
              refused: result.refused.length,
              failed: result.failed.length,
            }
          : {}),
        ...(code ? { code } : {}),
      },
    });
  }
}
