/**
 * The accounting at the end of an episode, from the database, the Temporal
 * server and the email stand-in, never from the traffic's own belief of what
 * happened: the ledger only says what the traffic was answered (202, 303,
 * 200), and each check asks the system whether that is so, exactly once.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import type { ResendStandIn } from '../test/support/resend-stand-in';
import { accountCallbacks } from './callback-invariant';
import type { EhrCallbackStandIn } from './ehr-callback-stand-in';
import type { ChartRecord } from './traffic';

export type ViolationKind = 'lost' | 'duplicated' | 'stuck' | 'unaudited';

export interface Violation {
  check: string;
  kind: ViolationKind;
  /** The chart it concerns (an id of ours, not PHI), when it concerns one. */
  externalChartId?: string;
  detail: string;
}

export interface Accounting {
  checks: { name: string; checked: number; violations: number }[];
  violations: Violation[];
  /** Status callbacks still retrying at the EHR's endpoint: allowed, and worth waiting for while the episode may. */
  callbacksRetrying: number;
}

const INVITATION_TEMPLATES = new Set(['portal-invitation', 'invitation-resent']);
const EXPECTED_STATUS: Record<ChartRecord['script'], string[]> = {
  register: ['REGISTERED', 'COMPLETE'],
  cancel: ['CANCELLED'],
  resend: ['INVITED'],
  wait: ['INVITED'],
};

function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}

function templateOf(body: unknown): string | undefined {
  const tags = (body as { tags?: { name: string; value: string }[] } | undefined)?.tags;
  return tags?.find((tag) => tag.name === 'template')?.value;
}

export async function account(
  deps: { db: Db; temporal: Client; standIn: ResendStandIn; ehr: EhrCallbackStandIn; organizationId: string },
  ledger: ChartRecord[],
): Promise<Accounting> {
  const { db, temporal, standIn, organizationId } = deps;
  const violations: Violation[] = [];
  const checks: Accounting['checks'] = [];
  const check = (name: string, checked: number, found: Violation[]) => {
    checks.push({ name, checked, violations: found.length });
    violations.push(...found);
  };

  // 1. Every accepted webhook: one onboarding, one client, every delivery answered with the same onboarding.
  const onboardings = await db.onboarding.findMany({
    where: { organizationId },
    select: { id: true, externalChartId: true, status: true, clientId: true },
  });
  const clients = await db.client.findMany({ where: { organizationId }, select: { externalChartId: true } });
  const byChart = groupBy(onboardings, (row) => row.externalChartId);
  const clientsByChart = groupBy(clients, (row) => row.externalChartId);
  const found1: Violation[] = [];
  for (const record of ledger) {
    const chart = record.externalChartId;
    const rows = byChart.get(chart) ?? [];
    if (record.answers.length === 0) {
      found1.push({
        check: 'webhook',
        kind: 'lost',
        externalChartId: chart,
        detail: `never accepted: ${record.error}`,
      });
    } else if (new Set(record.answers).size > 1) {
      found1.push({
        check: 'webhook',
        kind: 'duplicated',
        externalChartId: chart,
        detail: 'deliveries got different onboardings',
      });
    } else if (rows.length !== 1 || rows[0]!.id !== record.answers[0]) {
      const kind = rows.length === 0 ? 'lost' : 'duplicated';
      found1.push({ check: 'webhook', kind, externalChartId: chart, detail: `${rows.length} onboarding rows` });
    } else if ((clientsByChart.get(chart) ?? []).length !== 1) {
      const count = (clientsByChart.get(chart) ?? []).length;
      found1.push({
        check: 'webhook',
        kind: count === 0 ? 'lost' : 'duplicated',
        externalChartId: chart,
        detail: `${count} clients`,
      });
    }
  }
  check('every accepted webhook: exactly one onboarding and one client', ledger.length, found1);

  // 2. Each onboarding reached what its script implies, and the step the traffic saw done is recorded once.
  const found2: Violation[] = [];
  const onboardingOf = (record: ChartRecord) => byChart.get(record.externalChartId)?.[0];
  const invitations = await db.invitation.groupBy({ by: ['onboardingId'], where: { organizationId }, _count: true });
  const invitationCount = new Map(invitations.map((row) => [row.onboardingId, row._count]));
  const accounts = await db.portalAccount.findMany({
    where: { organizationId },
    select: { clientId: true, status: true },
  });
  const accountOf = new Map(accounts.map((row) => [row.clientId, row.status]));
  for (const record of ledger) {
    const row = onboardingOf(record);
    if (!row) continue;
    const chart = record.externalChartId;
    if (!record.completed) {
      found2.push({
        check: 'script',
        kind: 'lost',
        externalChartId: chart,
        detail: `${record.script} not done: ${record.error}`,
      });
      continue;
    }
    if (!EXPECTED_STATUS[record.script].includes(row.status)) {
      found2.push({
        check: 'script',
        kind: 'lost',
        externalChartId: chart,
        detail: `${record.script} but ${row.status}`,
      });
    }
    // Staff actions carry an Idempotency-Key, so a resend retried after a lost answer resends nothing.
    const expectedInvitations = record.script === 'resend' ? 2 : 1;
    const actual = invitationCount.get(row.id) ?? 0;
    if (actual !== expectedInvitations) {
      const kind = actual > expectedInvitations ? 'duplicated' : 'lost';
      found2.push({
        check: 'script',
        kind,
        externalChartId: chart,
        detail: `${actual} invitations, ${expectedInvitations} expected`,
      });
    }
    if (record.script === 'register' && (!row.clientId || accountOf.get(row.clientId) !== 'ACTIVE')) {
      found2.push({
        check: 'script',
        kind: 'lost',
        externalChartId: chart,
        detail: 'registered but no active portal account',
      });
    }
  }
  check(
    'each onboarding in the state its script implies (registrations, resends, cancels once)',
    ledger.length,
    found2,
  );

  // 3. Each email handed to the provider exactly once per idempotency key; each invitation emailed once.
  const found3: Violation[] = [];
  const messages = await db.emailMessage.findMany({
    where: { organizationId },
    select: { idempotencyKey: true, status: true, template: true, onboardingId: true },
  });
  const deliveredByKey = groupBy(standIn.deliveries(), (request) => request.headers['idempotency-key'] ?? '');
  const chartOfOnboarding = new Map(onboardings.map((row) => [row.id, row.externalChartId]));
  for (const message of messages) {
    const delivered = deliveredByKey.get(message.idempotencyKey)?.length ?? 0;
    const chart = (message.onboardingId && chartOfOnboarding.get(message.onboardingId)) || undefined;
    if (message.status !== 'SENT' || delivered !== 1) {
      found3.push({
        check: 'email',
        kind: delivered > 1 ? 'duplicated' : 'lost',
        ...(chart ? { externalChartId: chart } : {}),
        detail: `${message.template} ${message.status}, delivered ${delivered} times`,
      });
    }
  }
  for (const [key] of deliveredByKey) {
    if (!messages.some((message) => message.idempotencyKey === key)) {
      found3.push({
        check: 'email',
        kind: 'duplicated',
        detail: `an email the database does not know of (key ${key})`,
      });
    }
  }
  for (const record of ledger) {
    const row = onboardingOf(record);
    if (!row) continue;
    const invitationEmails = standIn.deliveries().filter((request) => {
      const body = request.body as { to?: string[] } | undefined;
      return body?.to?.includes(record.email) && INVITATION_TEMPLATES.has(templateOf(request.body) ?? '');
    }).length;
    if (invitationEmails > (invitationCount.get(row.id) ?? 0)) {
      found3.push({
        check: 'email',
        kind: 'duplicated',
        externalChartId: record.externalChartId,
        detail: `${invitationEmails} invitation emails`,
      });
    }
  }
  check('each email handed to the provider once per key; one invitation email per invitation', messages.length, found3);

  // 4. No workflow stuck (running with an activity still failing) and none failed.
  const found4: Violation[] = [];
  let workflows = 0;
  for await (const execution of temporal.workflow.list()) {
    workflows += 1;
    const status = execution.status.name;
    if (status === 'FAILED' || status === 'TERMINATED' || status === 'TIMED_OUT') {
      found4.push({ check: 'workflow', kind: 'lost', detail: `${execution.workflowId} ${status}` });
    } else if (status === 'RUNNING' && execution.type !== 'statusCallback') {
      // A status callback retrying against an EHR that is down is visibly retrying: the callback check counts it.
      const description = await temporal.workflow.getHandle(execution.workflowId).describe();
      const pending = description.raw.pendingActivities ?? [];
      if (pending.length > 0) {
        const names = pending.map((activity) => `${activity.activityType?.name} attempt ${activity.attempt}`);
        found4.push({ check: 'workflow', kind: 'stuck', detail: `${execution.workflowId}: ${names.join(', ')}` });
      }
    }
  }
  check('no workflow failed or stuck on an activity (open ones wait for a person or a timer)', workflows, found4);

  // 5. Every PHI read the traffic made (staff reading an onboarding, a registration) is in the audit trail.
  const found5: Violation[] = [];
  const audits = await db.auditEvent.groupBy({
    by: ['onboardingId', 'action'],
    where: { organizationId, outcome: 'success', action: { in: ['onboarding.read', 'portal.register'] } },
    _count: true,
  });
  const audited = (onboardingId: string, action: string) =>
    audits.find((row) => row.onboardingId === onboardingId && row.action === action)?._count ?? 0;
  let reads = 0;
  for (const record of ledger) {
    const row = onboardingOf(record);
    if (!row) continue;
    reads += record.reads + (record.script === 'register' && record.completed ? 1 : 0);
    if (audited(row.id, 'onboarding.read') < record.reads) {
      found5.push({
        check: 'audit',
        kind: 'unaudited',
        externalChartId: record.externalChartId,
        detail: 'staff read not audited',
      });
    }
    if (record.script === 'register' && record.completed && audited(row.id, 'portal.register') !== 1) {
      found5.push({
        check: 'audit',
        kind: 'unaudited',
        externalChartId: record.externalChartId,
        detail: `${audited(row.id, 'portal.register')} registration audits`,
      });
    }
  }
  check('every PHI access the traffic made is in the audit trail', reads, found5);

  // 6. Every status callback delivered, visibly retrying, or given up because the EHR answered 410.
  const callbacks = await accountCallbacks(deps, ledger, (record) => onboardingOf(record)?.id);
  check(
    "every status callback delivered, retrying, or given up on the EHR's 410 (logged)",
    callbacks.checked,
    callbacks.violations,
  );

  return { checks, violations, callbacksRetrying: callbacks.retrying };
}
