/**
 * The chaos harness's callback accounting (chaos/callback-invariant.ts) must
 * catch what it is there for, not only pass on a healthy run: a log that says
 * delivered when the EHR never took the callback, a callback given up for any
 * reason but the EHR's 410, one pending with nothing retrying it, an implied
 * callback missing, and one the EHR took that the log never knew.
 */
import type { Client } from '@temporalio/client';
import { accountCallbacks } from '../../chaos/callback-invariant';
import type { CallbackReceipt, EhrCallbackStandIn } from '../../chaos/ehr-callback-stand-in';
import type { ChartRecord } from '../../chaos/traffic';
import type { Db } from '../../db/client';
import { statusCallbackWorkflowId } from '../../domain/status-callback';

interface Row {
  webhookId: string;
  onboardingId: string;
  eventType: string;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  lastStatusCode: number | null;
}

function record(chart: string, script: ChartRecord['script']): ChartRecord {
  return {
    externalChartId: chart,
    email: '',
    lastName: '',
    startedAt: 0,
    finishedAt: 0,
    script,
    deliveries: 1,
    answers: [`onb-${chart}`],
    completed: true,
    reads: 0,
    unansweredActions: 0,
  };
}

const registered = (chart: string) => statusCallbackWorkflowId(`onb-${chart}`, 'onboarding.registered');

async function accountWith(rows: Row[], receipts: Omit<CallbackReceipt, 'at' | 'type'>[], running: string[] = []) {
  const db = { outboundWebhook: { findMany: async () => rows } } as unknown as Db;
  const temporal = {
    workflow: {
      getHandle: (id: string) => ({
        describe: async () => {
          if (!running.includes(id)) throw new Error('not found');
          return { status: { name: 'RUNNING' } };
        },
      }),
    },
  } as unknown as Client;
  const ehr = {
    receipts: receipts.map((receipt) => ({ ...receipt, type: 'onboarding.registered', at: 0 })),
  } as unknown as EhrCallbackStandIn;
  const ledger = ['a', 'b', 'c'].map((chart) => record(chart, 'register'));
  return accountCallbacks({ db, temporal, ehr, organizationId: 'org' }, ledger, (r) => r.answers[0]);
}

const row = (chart: string, status: Row['status'], lastStatusCode: number | null = null): Row => ({
  webhookId: registered(chart),
  onboardingId: `onb-${chart}`,
  eventType: 'onboarding.registered',
  status,
  lastStatusCode,
});

it('passes callbacks delivered, given up on a 410, or retrying', async () => {
  const result = await accountWith(
    [row('a', 'DELIVERED', 204), row('b', 'FAILED', 410), row('c', 'PENDING')],
    [
      { webhookId: registered('a'), status: 0 },
      { webhookId: registered('a'), status: 204 },
      { webhookId: registered('b'), status: 410 },
    ],
    [registered('c')],
  );
  expect(result).toEqual({ checked: 3, violations: [], retrying: 1 });
});

it('finds each way a callback can be lost or sent behind the log', async () => {
  const result = await accountWith(
    // a: logged delivered, never taken; b: given up on a 500; c: missing altogether.
    [row('a', 'DELIVERED', 204), row('b', 'FAILED', 500)],
    [
      { webhookId: registered('b'), status: 0 },
      { webhookId: 'status-callback-unknown', status: 204 },
    ],
  );
  expect(result.violations.map((violation) => [violation.kind, violation.externalChartId ?? null])).toEqual([
    ['lost', 'c'],
    ['lost', 'a'],
    ['lost', 'b'],
    ['duplicated', null],
  ]);
  expect(result.retrying).toBe(0);
});

it('counts a pending callback nothing retries as lost', async () => {
  const result = await accountWith(
    [row('a', 'DELIVERED', 204), row('b', 'DELIVERED', 204), row('c', 'PENDING')],
    [
      { webhookId: registered('a'), status: 204 },
      { webhookId: registered('b'), status: 204 },
    ],
  );
  expect(result.violations.map((violation) => [violation.kind, violation.externalChartId])).toEqual([['lost', 'c']]);
  expect(result.violations[0]!.detail).toContain('PENDING with nothing retrying it');
});
