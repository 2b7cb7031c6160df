import type { Prisma } from '../../generated/prisma/client';
import type { OnboardingStatus } from '../../domain/onboarding-status';
import { AppError } from '../app-error';
import {
  DEFAULT_STUCK_MINUTES,
  type OpsListState,
  type TOpsListQuery,
  type TOpsListResponse,
  type TOpsOnboardingSummary,
} from '../../schemas/ops';
import type { StaffPrincipal } from '../staff-principal';
import { assertMayOperate, type OpsDeps } from './ops-access';
import { classify, statusesToSkip } from './ops-diagnosis';
import { mapWithConcurrency } from './map-with-concurrency';
import { describeExecution, executionFacts, executionSummary, webUiUrl } from './ops-execution';

/** Temporal describe calls in flight at once while a page is enriched. */
const DESCRIBE_CONCURRENCY = 10;
/** Onboardings a list request looks at before it answers with what it found and a cursor. */
const LIST_SCAN_BUDGET = 1_000;

export interface ScanQuery {
  state: OpsListState;
  olderThanMinutes: number;
  status?: OnboardingStatus | undefined;
  limit: number;
  cursor?: string | undefined;
  /** Most onboardings to look at. */
  budget: number;
}

export interface ScanResult {
  items: TOpsOnboardingSummary[];
  scanned: number;
  nextCursor: string | null;
}

export function defaultOlderThanMinutes(state: OpsListState): number {
  return state === 'stuck' ? DEFAULT_STUCK_MINUTES : 0;
}

/**
 * Lists the caller's organisation's onboardings that are stuck, failed or
 * running (use-cases/ops/ops-diagnosis.ts says what counts).
 */
export async function listOnboardingsForOps(
  deps: OpsDeps,
  staff: StaffPrincipal,
  query: TOpsListQuery,
): Promise<TOpsListResponse> {
  assertMayOperate(staff);
  const olderThanMinutes = query.olderThanMinutes ?? defaultOlderThanMinutes(query.state);
  const result = await scanOnboardings(deps, staff.organizationId, {
    ...query,
    olderThanMinutes,
    budget: LIST_SCAN_BUDGET,
  });
  return { state: query.state, olderThanMinutes, ...result };
}

/**
 * Walks the organisation's onboardings that have not changed for
 * `olderThanMinutes`, quietest first, from the database projection (index
 * onboarding(organization_id, updated_at)); asks Temporal about each batch
 * and keeps those that match. Whether a flow is stuck depends on Temporal's
 * view, so a page may be shorter than `limit` while the cursor says there is
 * more to look at.
 */
export async function scanOnboardings(deps: OpsDeps, organizationId: string, query: ScanQuery): Promise<ScanResult> {
  const cutoff = new Date(Date.now() - query.olderThanMinutes * 60_000);
  const skip = statusesToSkip(query.state);
  const statusFilter: Prisma.OnboardingWhereInput['status'] = query.status
    ? { in: skip.includes(query.status) ? [] : [query.status] }
    : { notIn: skip };
  let after = query.cursor ? decodeCursor(query.cursor) : null;
  const items: TOpsOnboardingSummary[] = [];
  let scanned = 0;

  for (;;) {
    const take = Math.min(Math.max(query.limit, 20), query.budget - scanned);
    const rows = await deps.db.onboarding.findMany({
      where: {
        organizationId,
        status: statusFilter,
        updatedAt: { lte: cutoff },
        ...(after
          ? { OR: [{ updatedAt: { gt: after.updatedAt } }, { updatedAt: after.updatedAt, id: { gt: after.id } }] }
          : {}),
      },
      orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
      take,
      select: { id: true, externalChartId: true, status: true, createdAt: true, updatedAt: true, workflowId: true },
    });
    const descriptions = await mapWithConcurrency(rows, DESCRIBE_CONCURRENCY, (row) =>
      describeExecution(deps, row.workflowId),
    );
    for (const [index, row] of rows.entries()) {
      scanned += 1;
      after = { updatedAt: row.updatedAt, id: row.id };
      const description = descriptions[index] ?? null;
      const { matches, reason } = classify(query.state, row.status, executionFacts(description), cutoff);
      if (!matches) continue;
      items.push({
        id: row.id,
        externalChartId: row.externalChartId,
        status: row.status,
        createdAt: row.createdAt.toISOString(),
        updatedAt: row.updatedAt.toISOString(),
        workflowId: row.workflowId,
        reason,
        execution: description ? await executionSummary(deps, description) : null,
        webUiUrl: webUiUrl(deps, row.workflowId),
      });
      if (items.length === query.limit) return { items, scanned, nextCursor: encodeCursor(after) };
    }
    if (rows.length < take) return { items, scanned, nextCursor: null };
    if (scanned >= query.budget) return { items, scanned, nextCursor: after ? encodeCursor(after) : null };
  }
}

interface Cursor {
  updatedAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque to callers: where the scan stopped, as (updatedAt, id) of the last onboarding looked at. */
function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.updatedAt.toISOString(), cursor.id])).toString('base64url');
}

function decodeCursor(raw: string): Cursor {
  try {
    const [updatedAt, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown[];
    const date = new Date(String(updatedAt));
    // Both go into the query as they are: an id that is not a UUID, or a date PostgreSQL cannot store, would be a 500.
    const year = date.getUTCFullYear();
    if (typeof id !== 'string' || !UUID.test(id) || Number.isNaN(year) || year < 1 || year > 9999) throw new Error();
    return { updatedAt: date, id };
  } catch {
    throw new AppError('VALIDATION_FAILED', 'bad cursor', {
      fields: [{ path: 'query.cursor', message: 'must be a nextCursor from a previous page' }],
    });
  }
}
