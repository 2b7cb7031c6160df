import { AppError } from '../app-error';
import type { TOpsActionResponse, TOpsBulkRequest, TOpsBulkResponse } from '../../schemas/ops';
import type { StaffPrincipal } from '../staff-principal';
import { mapWithConcurrency } from './map-with-concurrency';
import { assertMayOperate, type OpsDeps } from './ops-access';
import { defaultOlderThanMinutes, scanOnboardings } from './ops-list-onboardings';
import { opsCancelOnboarding, opsTerminateOnboarding } from './ops-stop-onboarding';

/** Onboardings a bulk request looks at, at most, to find its matches. */
const BULK_SCAN_BUDGET = 5_000;
/** Flows stopped at once: enough to be quick, few enough not to flood Temporal or the database pool. */
const ACTION_CONCURRENCY = 4;

/**
 * Runs one onboarding's action inside the caller's audit wrapper, so every
 * onboarding acted on has its own entry in its audit trail.
 */
export type AuditEach = (
  action: 'ops.cancel' | 'ops.terminate',
  onboardingId: string,
  work: () => Promise<TOpsActionResponse>,
) => Promise<TOpsActionResponse>;

/**
 * Cancels or terminates every onboarding a list query matches (up to
 * `limit`). A dry run, the default, only says which ones. The query runs
 * again for the real thing, so what is acted on is what matches then; each
 * onboarding is checked again as it is acted on, exactly as the single
 * action checks it. One that finished (COMPLETE, CANCELLED) or whose
 * workflow closed in between is reported under `refused` with the 409's code
 * and message, not acted on and not retried; `failed` is for errors
 * (Temporal unavailable...).
 */
export async function opsBulk(
  deps: OpsDeps,
  staff: StaffPrincipal,
  request: TOpsBulkRequest,
  auditEach: AuditEach,
): Promise<TOpsBulkResponse> {
  assertMayOperate(staff);
  const olderThanMinutes = request.query.olderThanMinutes ?? defaultOlderThanMinutes(request.query.state);
  const scan = await scanOnboardings(deps, staff.organizationId, {
    state: request.query.state,
    olderThanMinutes,
    status: request.query.status,
    limit: request.limit,
    budget: BULK_SCAN_BUDGET,
  });
  const matched = scan.items.map((item) => item.id);
  const response: TOpsBulkResponse = {
    action: request.action,
    dryRun: request.dryRun,
    olderThanMinutes,
    matched,
    done: [],
    refused: [],
    failed: [],
    complete: scan.nextCursor === null,
  };
  if (request.dryRun) return response;

  const outcomes = await mapWithConcurrency(matched, ACTION_CONCURRENCY, async (onboardingId) => {
    try {
      if (request.action === 'cancel') {
        await auditEach('ops.cancel', onboardingId, () => opsCancelOnboarding(deps, staff, onboardingId));
      } else {
        const reason = request.reason ?? 'bulk terminate';
        await auditEach('ops.terminate', onboardingId, () => opsTerminateOnboarding(deps, staff, onboardingId, reason));
      }
      return { onboardingId, error: null };
    } catch (error) {
      return { onboardingId, error };
    }
  });
  for (const { onboardingId, error } of outcomes) {
    if (error === null) response.done.push(onboardingId);
    else if (error instanceof AppError && error.code === 'CONFLICT') {
      response.refused.push({ onboardingId, code: error.code, message: error.publicMessage });
    } else if (error instanceof AppError) {
      response.failed.push({ onboardingId, code: error.code, message: error.publicMessage });
    } else {
      deps.logger?.error({ err: error, onboardingId }, 'bulk ops action failed');
      response.failed.push({ onboardingId, code: 'INTERNAL', message: 'An unexpected error occurred.' });
    }
  }
  return response;
}
