/**
 * The status-callback part of the accounting: every callback the traffic
 * implies (a registration tells the EHR `onboarding.registered`, a cancel
 * `onboarding.cancelled`) and every row of the delivery log is delivered, or
 * visibly retrying (its statusCallback workflow still running), or given up
 * because the EHR answered 410 and the log says so. "Delivered" is asked of
 * the EHR stand-in, which keeps what it answered per webhook id, not taken
 * from the log alone.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { statusCallbackWorkflowId, type StatusCallbackEvent } from '../domain/status-callback';
import type { EhrCallbackStandIn } from './ehr-callback-stand-in';
import type { Violation } from './invariants';
import type { ChartRecord } from './traffic';

export interface CallbackAccounting {
  checked: number;
  violations: Violation[];
  /** Callbacks still retrying (their workflow running): not violations, but the episode waits for them while it may. */
  retrying: number;
}

const IMPLIED_EVENT: Partial<Record<ChartRecord['script'], StatusCallbackEvent>> = {
  register: 'onboarding.registered',
  cancel: 'onboarding.cancelled',
};

async function isRunning(temporal: Client, workflowId: string): Promise<boolean> {
  try {
    const description = await temporal.workflow.getHandle(workflowId).describe();
    return description.status.name === 'RUNNING';
  } catch {
    // Not found: never started.
    return false;
  }
}

export async function accountCallbacks(
  deps: { db: Db; temporal: Client; ehr: EhrCallbackStandIn; organizationId: string },
  ledger: ChartRecord[],
  onboardingIdOf: (record: ChartRecord) => string | undefined,
): Promise<CallbackAccounting> {
  const { db, temporal, ehr, organizationId } = deps;
  const violations: Violation[] = [];
  let retrying = 0;
  const rows = await db.outboundWebhook.findMany({
    where: { integration: { organizationId } },
    select: { webhookId: true, onboardingId: true, eventType: true, status: true, lastStatusCode: true },
  });
  const byId = new Map(rows.map((row) => [row.webhookId, row]));
  const answered = (webhookId: string, status: number) =>
    ehr.receipts.some((receipt) => receipt.webhookId === webhookId && receipt.status === status);

  // Each callback the traffic implies exists (or its workflow is still on its first attempt).
  for (const record of ledger) {
    const event = IMPLIED_EVENT[record.script];
    const onboardingId = onboardingIdOf(record);
    if (!event || !record.completed || !onboardingId) continue;
    const webhookId = statusCallbackWorkflowId(onboardingId, event);
    if (byId.has(webhookId)) continue;
    if (await isRunning(temporal, webhookId)) retrying += 1;
    else {
      violations.push({
        check: 'callback',
        kind: 'lost',
        externalChartId: record.externalChartId,
        detail: `no ${event} callback`,
      });
    }
  }

  const chartOf = new Map(
    ledger.flatMap((record) => {
      const id = onboardingIdOf(record);
      return id ? [[id, record.externalChartId] as const] : [];
    }),
  );
  for (const row of rows) {
    const chart = chartOf.get(row.onboardingId);
    const about = { check: 'callback', ...(chart ? { externalChartId: chart } : {}) };
    if (row.status === 'DELIVERED') {
      if (!answered(row.webhookId, 204)) {
        violations.push({ ...about, kind: 'lost', detail: `${row.eventType} logged delivered, the EHR never took it` });
      }
    } else if (row.status === 'FAILED') {
      // Only the EHR's own "gone" may end a callback in this episode: every other fault heals.
      if (row.lastStatusCode !== 410 || !answered(row.webhookId, 410)) {
        violations.push({
          ...about,
          kind: 'lost',
          detail: `${row.eventType} FAILED (last status ${row.lastStatusCode})`,
        });
      }
    } else if (await isRunning(temporal, row.webhookId)) {
      retrying += 1;
    } else {
      violations.push({ ...about, kind: 'lost', detail: `${row.eventType} PENDING with nothing retrying it` });
    }
  }

  // Whatever the EHR took must be a callback the log knows: anything else was sent behind its back.
  const taken = new Set(ehr.receipts.filter((receipt) => receipt.status === 204).map((receipt) => receipt.webhookId));
  for (const webhookId of taken) {
    if (!byId.has(webhookId)) {
      violations.push({
        check: 'callback',
        kind: 'duplicated',
        detail: `the EHR took ${webhookId}, unknown to the log`,
      });
    }
  }
  if (ehr.receipts.some((receipt) => receipt.status === 401)) {
    violations.push({ check: 'callback', kind: 'lost', detail: 'a callback arrived with a bad signature' });
  }
  return { checked: rows.length, violations, retrying };
}
