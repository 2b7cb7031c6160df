/**
 * The ops API (issue 6, item 4) against a real Temporal dev server, worker and
 * database: an ops engineer finds a stuck flow, looks at it, and cancels,
 * terminates, resets or retries it; bulk actions are a dry run until asked.
 * Only ops and admins may, only in their organisation, and nothing read
 * shows who the client is.
 */
import { createActivities } from '../../activities';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TErrorResponse } from '../../schemas/error-response';
import type {
  TOpsActionResponse,
  TOpsBulkResponse,
  TOpsListResponse,
  TOpsOnboardingDescription,
} from '../../schemas/ops';
import { opsBulk } from '../../use-cases/ops/ops-bulk';
import { clientOnboarding } from '../../workflows/client-onboarding';
import { testActivityDeps } from '../support/activity-deps';
import {
  chartCreatedWebhook,
  createTestOrganization,
  newOnboarding,
  type TestOrganization,
} from '../support/factories';
import { emailsSent, timelineOf } from '../support/invitations';
import { opsCall, parkedOnboarding } from '../support/ops';
import { eventually, startTestService, type TestService } from '../support/service';
import { createTestWorker } from '../support/temporal';

const UI = 'http://temporal-ui.test';

let service: TestService;
let org: TestOrganization;
let other: TestOrganization;
const extraWorkers: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  service = await startTestService({ temporalUiUrl: UI });
  await service.startWorker();
  [org, other] = await Promise.all([
    createTestOrganization(service.database.db),
    createTestOrganization(service.database.db),
  ]);
});

afterAll(async () => {
  await Promise.all(extraWorkers.map((worker) => worker.stop()));
  await service?.stop();
});

const db = () => service.database.db;
const temporalStatus = async (workflowId: string) =>
  (await service.env.client.workflow.getHandle(workflowId).describe()).status.name;

async function json<T>(response: Response, status = 200): Promise<T> {
  const body = (await response.json()) as T;
  expect({ status: response.status, body }).toMatchObject({ status });
  return body;
}

/** A healthy flow through the webhook: chart created, invitation sent, waiting for the client. */
async function invitedOnboarding() {
  const event = chartCreatedWebhook();
  const { onboardingId } = await json<TWebhookAccepted>(
    await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event),
    202,
  );
  await eventually(async () => ((await emailsSent(db(), onboardingId)).length === 1 ? true : undefined));
  return { onboardingId, event };
}

/**
 * A flow that failed for good (FAILED, its run closed as FAILED): its
 * invitation's email is already another client's portal login (`account`).
 */
async function failedOnboarding() {
  const taken = await invitedOnboarding();
  const account = await db().portalAccount.findFirstOrThrow({
    where: { client: { onboarding: { id: taken.onboardingId } } },
  });
  const { input, workflowId } = await newOnboarding(db(), org.organizationId, { invite: true });
  input.chart.client.email = account.email;
  await service.env.client.workflow.start(clientOnboarding, {
    workflowId,
    taskQueue: service.taskQueue,
    args: [input],
  });
  const onboardingId = input.onboardingId;
  await eventually(async () => ((await temporalStatus(workflowId)) === 'FAILED' ? true : undefined));
  expect((await db().onboarding.findUniqueOrThrow({ where: { id: onboardingId } })).status).toBe('FAILED');
  return { onboardingId, workflowId, account };
}

/** What staff actions and ops actions alike answer about a finished onboarding (409). */
const FINISHED = 'This onboarding has finished; there is nothing left to act on.';

/** Starts a worker on a parked flow's own task queue, as if the lost workers came back. */
async function startWorkerOn(taskQueue: string) {
  const worker = await createTestWorker(service.env, {
    taskQueue,
    keys: service.keys,
    activities: createActivities(testActivityDeps(db())),
  });
  const running = worker.run();
  extraWorkers.push({
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  });
}

async function auditActions(onboardingId: string) {
  const rows = await db().auditEvent.findMany({
    where: { onboardingId, action: { startsWith: 'ops.' } },
    orderBy: { id: 'asc' },
    select: { action: true, outcome: true, actorType: true },
  });
  return rows.map((row) => `${row.action}:${row.outcome}:${row.actorType}`);
}

describe('finding a stuck flow', () => {
  it('lists a flow no worker runs as stuck, but not a healthy one nor a recent one by default', async () => {
    const stuck = await parkedOnboarding(service, org.organizationId);
    const healthy = await invitedOnboarding();

    // Listed at once (PENDING, no chart); as waiting for a worker once its first task waited a moment.
    const list = await eventually(
      async () => {
        const page = await json<TOpsListResponse>(
          await opsCall(service, org.keys.ops, 'GET', '/v1/ops/onboardings?state=stuck&olderThanMinutes=0&limit=100'),
        );
        const found = page.items.find((candidate) => candidate.id === stuck.onboardingId);
        return found?.reason === 'waiting-for-worker' ? page : undefined;
      },
      { intervalMs: 250, what: 'the parked flow listed as waiting for a worker' },
    );
    const item = list.items.find((candidate) => candidate.id === stuck.onboardingId);
    expect(item).toMatchObject({
      status: 'PENDING',
      reason: 'waiting-for-worker',
      workflowId: stuck.workflowId,
      execution: { status: 'RUNNING', pendingActivities: 0, workflowTaskAttempt: 1 },
      webUiUrl: `${UI}/namespaces/default/workflows/${stuck.workflowId}`,
    });
    expect(list.items.map((candidate) => candidate.id)).not.toContain(healthy.onboardingId);

    // By default only flows quiet for 30 minutes count.
    const byDefault = await json<TOpsListResponse>(await opsCall(service, org.keys.ops, 'GET', '/v1/ops/onboardings'));
    expect(byDefault).toMatchObject({ state: 'stuck', olderThanMinutes: 30 });
    expect(byDefault.items.map((candidate) => candidate.id)).not.toContain(stuck.onboardingId);

    const running = await json<TOpsListResponse>(
      await opsCall(service, org.keys.ops, 'GET', '/v1/ops/onboardings?state=running&limit=100'),
    );
    expect(running.items.map((candidate) => candidate.id)).toEqual(
      expect.arrayContaining([stuck.onboardingId, healthy.onboardingId]),
    );
  });

  it('pages through the scan with a cursor', async () => {
    const ops = await createTestOrganization(db());
    const flows = [
      await parkedOnboarding(service, ops.organizationId),
      await parkedOnboarding(service, ops.organizationId),
    ];
    const first = await json<TOpsListResponse>(
      await opsCall(service, ops.keys.ops, 'GET', '/v1/ops/onboardings?state=stuck&olderThanMinutes=0&limit=1'),
    );
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const second = await json<TOpsListResponse>(
      await opsCall(
        service,
        ops.keys.ops,
        'GET',
        `/v1/ops/onboardings?state=stuck&olderThanMinutes=0&limit=1&cursor=${first.nextCursor}`,
      ),
    );
    expect([...first.items, ...second.items].map((item) => item.id).sort()).toEqual(
      flows.map((flow) => flow.onboardingId).sort(),
    );
  });

  it('describes a flow: status, run, history summary and Web UI links, and nothing about the client', async () => {
    const { onboardingId, event } = await invitedOnboarding();
    const response = await opsCall(service, org.keys.ops, 'GET', `/v1/ops/onboardings/${onboardingId}`);
    const text = await response.clone().text();
    const described = await json<TOpsOnboardingDescription>(response);

    expect(described).toMatchObject({
      id: onboardingId,
      status: 'INVITED',
      diagnosis: { stuck: null, failed: null },
      workflow: {
        workflowId: `onboarding-${onboardingId}`,
        namespace: 'default',
        webUiUrl: `${UI}/namespaces/default/workflows/onboarding-${onboardingId}`,
        execution: { status: 'RUNNING', pendingActivities: 0, pendingActivityDetails: [] },
      },
    });
    expect(described.workflow.execution?.webUiUrl).toBe(
      `${UI}/namespaces/default/workflows/onboarding-${onboardingId}/${described.workflow.execution?.runId}/history`,
    );
    expect(described.timeline.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(['chart.created', 'invitation.sent']),
    );
    const history = described.workflow.history!;
    expect(history.counts.WorkflowExecutionStarted).toBe(1);
    // createChart, getInvitationPolicy, issueInvitation.
    expect(history.counts.ActivityTaskCompleted).toBeGreaterThanOrEqual(3);
    expect(history.recent.length).toBe(Math.min(10, history.events));
    expect(history.resetPoints.firstWorkflowTask).toBe(4);

    // The chart id names the flow to the practice and its EHR; who the client is never appears.
    expect(described.externalChartId).toBe(event.data.externalChartId);
    const { client } = event.data;
    for (const phi of [client.firstName, client.lastName, client.email!, client.dateOfBirth]) {
      expect(text).not.toContain(phi);
    }
  });
});

describe('acting on a flow', () => {
  it('cancel: CANCELLED in the database at once, and in Temporal once a worker runs it; audited', async () => {
    const stuck = await parkedOnboarding(service, org.organizationId);
    const cancelled = await json<TOpsActionResponse>(
      await opsCall(service, org.keys.ops, 'POST', `/v1/ops/onboardings/${stuck.onboardingId}/cancel`),
    );
    expect(cancelled).toMatchObject({ action: 'cancel', status: 'CANCELLED', executionStatus: 'RUNNING' });
    expect(cancelled.message).toMatch(/requested/);
    expect(await db().onboarding.findUniqueOrThrow({ where: { id: stuck.onboardingId } })).toMatchObject({
      status: 'CANCELLED',
    });
    expect(await timelineOf(db(), stuck.onboardingId)).toEqual(['ops.cancelled']);
    expect(await auditActions(stuck.onboardingId)).toEqual(['ops.cancel:success:staff']);

    await startWorkerOn(stuck.taskQueue);
    await eventually(async () => ((await temporalStatus(stuck.workflowId)) === 'CANCELLED' ? true : undefined));
    // The flow stopped before its first step: no chart was created.
    expect(await db().onboarding.findUniqueOrThrow({ where: { id: stuck.onboardingId } })).toMatchObject({
      status: 'CANCELLED',
      clientId: null,
    });

    const again = await opsCall(service, org.keys.ops, 'POST', `/v1/ops/onboardings/${stuck.onboardingId}/cancel`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as TErrorResponse).error.message).toBe(FINISHED);
  });

  it('cancel revokes the link of an invited client, like the staff cancel', async () => {
    const { onboardingId } = await invitedOnboarding();
    await json<TOpsActionResponse>(
      await opsCall(service, org.keys.admin, 'POST', `/v1/ops/onboardings/${onboardingId}/cancel`),
    );
    const invitations = await db().invitation.findMany({ where: { onboardingId } });
    expect(invitations.map((invitation) => invitation.status)).toEqual(['REVOKED']);
    await eventually(async () =>
      (await temporalStatus(`onboarding-${onboardingId}`)) === 'CANCELLED' ? true : undefined,
    );
  });

  it('terminate: needs a reason, stops the workflow at once, CANCELLED with ops.terminated', async () => {
    const stuck = await parkedOnboarding(service, org.organizationId);
    const path = `/v1/ops/onboardings/${stuck.onboardingId}/terminate`;

    const noReason = await opsCall(service, org.keys.ops, 'POST', path, {});
    expect(noReason.status).toBe(400);
    expect(((await noReason.json()) as TErrorResponse).error.fields?.map((field) => field.path)).toEqual(['reason']);
    expect(await temporalStatus(stuck.workflowId)).toBe('RUNNING');

    const terminated = await json<TOpsActionResponse>(
      await opsCall(service, org.keys.ops, 'POST', path, { reason: 'workers lost in region move' }),
    );
    expect(terminated).toMatchObject({ action: 'terminate', status: 'CANCELLED', executionStatus: 'TERMINATED' });
    expect(await temporalStatus(stuck.workflowId)).toBe('TERMINATED');
    expect(await timelineOf(db(), stuck.onboardingId)).toEqual(['ops.terminated']);
    expect(await auditActions(stuck.onboardingId)).toEqual(['ops.terminate:success:staff']);

    // Terminated on purpose and recorded as cancelled: not listed as failed.
    const failed = await json<TOpsListResponse>(
      await opsCall(service, org.keys.ops, 'GET', '/v1/ops/onboardings?state=failed&limit=100'),
    );
    expect(failed.items.map((item) => item.id)).not.toContain(stuck.onboardingId);
  });

  it('reset to the first workflow task starts a new run that carries on', async () => {
    const { onboardingId } = await invitedOnboarding();
    const workflowId = `onboarding-${onboardingId}`;
    const before = await service.env.client.workflow.getHandle(workflowId).describe();
    const path = `/v1/ops/onboardings/${onboardingId}/reset`;

    const notAWorkflowTask = await opsCall(service, org.keys.ops, 'POST', path, { to: 2, reason: 'test' });
    expect(notAWorkflowTask.status).toBe(400);
    expect(((await notAWorkflowTask.json()) as TErrorResponse).error.fields?.[0]?.path).toBe('to');

    const reset = await json<TOpsActionResponse>(
      await opsCall(service, org.keys.ops, 'POST', path, { to: 'first-workflow-task', reason: 'replay after fix' }),
    );
    expect(reset).toMatchObject({ action: 'reset', previousRunId: before.runId, resetToEventId: 4, status: 'INVITED' });
    expect(reset.runId).not.toBe(before.runId);
    const after = await service.env.client.workflow.getHandle(workflowId).describe();
    expect(after.runId).toBe(reset.runId);
    expect(after.status.name).toBe('RUNNING');
    expect(await timelineOf(db(), onboardingId)).toContain('ops.reset');
    // The refused attempt (not a workflow task completion) is in the trail too.
    expect(await auditActions(onboardingId)).toEqual(['ops.reset:refused:staff', 'ops.reset:success:staff']);
    // The new run re-ran the steps (each idempotent) and is waiting for the client again.
    await eventually(async () => {
      const described = await json<TOpsOnboardingDescription>(
        await opsCall(service, org.keys.ops, 'GET', `/v1/ops/onboardings/${onboardingId}`),
      );
      return (described.workflow.history?.counts.ActivityTaskCompleted ?? 0) >= 3 ? true : undefined;
    });
    // Each step ran again without effect: no second email, and the status did not go back.
    expect(await emailsSent(db(), onboardingId)).toEqual(['portal-invitation']);
    expect((await db().onboarding.findUniqueOrThrow({ where: { id: onboardingId } })).status).toBe('INVITED');
  });

  it('reset of a flow that never ran a workflow task is refused', async () => {
    const stuck = await parkedOnboarding(service, org.organizationId);
    const refused = await opsCall(service, org.keys.ops, 'POST', `/v1/ops/onboardings/${stuck.onboardingId}/reset`, {
      to: 'last-workflow-task',
      reason: 'test',
    });
    expect(refused.status).toBe(409);
  });

  it('retry runs a failed flow again from the step that failed', async () => {
    const { onboardingId, workflowId, account } = await failedOnboarding();

    const failed = await json<TOpsListResponse>(
      await opsCall(service, org.keys.ops, 'GET', '/v1/ops/onboardings?state=failed&limit=100'),
    );
    expect(failed.items.find((item) => item.id === onboardingId)).toMatchObject({
      reason: 'onboarding-failed',
      execution: { status: 'FAILED', lastFailureType: 'EmailInUse' },
    });
    const described = await json<TOpsOnboardingDescription>(
      await opsCall(service, org.keys.ops, 'GET', `/v1/ops/onboardings/${onboardingId}`),
    );
    expect(described.diagnosis.failed).toBe('onboarding-failed');
    const { retry, lastWorkflowTask } = described.workflow.history!.resetPoints;
    expect(retry).not.toBeNull();
    expect(retry).toBeLessThan(lastWorkflowTask!);

    // The cause is fixed (the other client changed their login email); retry.
    await db().portalAccount.update({ where: { id: account.id }, data: { email: `moved-${account.email}` } });
    const retried = await json<TOpsActionResponse>(
      await opsCall(service, org.keys.ops, 'POST', `/v1/ops/onboardings/${onboardingId}/retry`),
    );
    expect(retried).toMatchObject({ action: 'retry', status: 'CHART_CREATED', resetToEventId: retry });
    await eventually(async () =>
      (await db().onboarding.findUniqueOrThrow({ where: { id: onboardingId } })).status === 'INVITED'
        ? true
        : undefined,
    );
    expect(await temporalStatus(workflowId)).toBe('RUNNING');
    expect(await timelineOf(db(), onboardingId)).toEqual(
      expect.arrayContaining(['onboarding.failed', 'ops.retried', 'invitation.sent']),
    );

    const again = await opsCall(service, org.keys.ops, 'POST', `/v1/ops/onboardings/${onboardingId}/retry`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as TErrorResponse).error.message).toMatch(/running/);
  });
});

describe('finished onboardings (issue 13, item 13)', () => {
  /** The current run's id, the timeline and the status: none of it may change on a refused action. */
  async function snapshot(onboardingId: string, workflowId: string) {
    const run = await service.env.client.workflow.getHandle(workflowId).describe();
    const { status } = await db().onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
    return { runId: run.runId, execution: run.status.name, status, timeline: await timelineOf(db(), onboardingId) };
  }

  /** Every ops action on the onboarding answers 409 "finished", is audited as refused, and changes nothing. */
  async function expectEveryActionRefused(onboardingId: string, workflowId: string) {
    const before = await snapshot(onboardingId, workflowId);
    const actions: [string, unknown][] = [
      ['reset', { to: 'first-workflow-task', reason: 'try again' }],
      ['reset', { to: 'last-workflow-task', reason: 'try again', force: true }],
      ['retry', {}],
      ['cancel', {}],
      ['terminate', { reason: 'clean up' }],
    ];
    for (const [action, body] of actions) {
      const response = await opsCall(
        service,
        org.keys.ops,
        'POST',
        `/v1/ops/onboardings/${onboardingId}/${action}`,
        body,
      );
      const answer = (await response.json()) as TErrorResponse;
      expect({ action, status: response.status, code: answer.error?.code, message: answer.error?.message }).toEqual({
        action,
        status: 409,
        code: 'CONFLICT',
        message: FINISHED,
      });
    }
    expect(await snapshot(onboardingId, workflowId)).toEqual(before);
    expect((await auditActions(onboardingId)).slice(-actions.length)).toEqual(
      actions.map(([action]) => `ops.${action}:refused:staff`),
    );
  }

  it('a COMPLETE onboarding whose workflow still runs takes no reset, retry, cancel or terminate', async () => {
    const { onboardingId } = await invitedOnboarding();
    const { workflowId } = await db().onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
    // The database says COMPLETE while the run is still open (as the issue found it).
    await db().onboarding.update({ where: { id: onboardingId }, data: { status: 'COMPLETE' } });
    expect(await temporalStatus(workflowId)).toBe('RUNNING');

    await expectEveryActionRefused(onboardingId, workflowId);
    expect((await db().onboarding.findUniqueOrThrow({ where: { id: onboardingId } })).status).toBe('COMPLETE');
  });

  it('a CANCELLED onboarding is not reset into a new run, nor acted on otherwise', async () => {
    const { onboardingId } = await invitedOnboarding();
    const { workflowId } = await db().onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
    const cancelled = await json<TOpsActionResponse>(
      await opsCall(service, org.keys.ops, 'POST', `/v1/ops/onboardings/${onboardingId}/cancel`),
    );
    // The answer's status is the database's.
    expect(cancelled.status).toBe((await db().onboarding.findUniqueOrThrow({ where: { id: onboardingId } })).status);
    expect(cancelled.status).toBe('CANCELLED');
    await eventually(async () => ((await temporalStatus(workflowId)) === 'CANCELLED' ? true : undefined));

    await expectEveryActionRefused(onboardingId, workflowId);
    expect((await db().onboarding.findUniqueOrThrow({ where: { id: onboardingId } })).status).toBe('CANCELLED');
  });

  it('a FAILED onboarding is reset only when forced, and the forced reset is audited and on the timeline', async () => {
    const { onboardingId, workflowId, account } = await failedOnboarding();
    const before = await snapshot(onboardingId, workflowId);

    const unforced = await opsCall(service, org.keys.ops, 'POST', `/v1/ops/onboardings/${onboardingId}/reset`, {
      to: 'first-workflow-task',
      reason: 'email fixed',
    });
    expect(unforced.status).toBe(409);
    const refusal = ((await unforced.json()) as TErrorResponse).error;
    expect(refusal.code).toBe('CONFLICT');
    expect(refusal.message).toMatch(/"force": true/);
    expect(await snapshot(onboardingId, workflowId)).toEqual(before);

    await db().portalAccount.update({ where: { id: account.id }, data: { email: `moved-${account.email}` } });
    const forced = await json<TOpsActionResponse>(
      await opsCall(service, org.keys.ops, 'POST', `/v1/ops/onboardings/${onboardingId}/reset`, {
        to: 'first-workflow-task',
        reason: 'email fixed',
        force: true,
      }),
    );
    expect(forced).toMatchObject({ action: 'reset', previousRunId: before.runId });
    expect(forced.runId).not.toBe(before.runId);
    expect(forced.status).not.toBe('FAILED');
    expect((await service.env.client.workflow.getHandle(workflowId).describe()).runId).toBe(forced.runId);
    await eventually(async () =>
      (await db().onboarding.findUniqueOrThrow({ where: { id: onboardingId } })).status === 'INVITED'
        ? true
        : undefined,
    );

    const reset = await db().onboardingEvent.findFirstOrThrow({ where: { onboardingId, type: 'ops.reset' } });
    expect(reset.detail).toMatchObject({ forced: true, previousRunId: before.runId, runId: forced.runId });
    expect(await auditActions(onboardingId)).toEqual(['ops.reset:refused:staff', 'ops.reset:success:staff']);
  });

  it('a bulk cancel reports an onboarding that finished before its turn as refused, and leaves it alone', async () => {
    const practice = await createTestOrganization(db());
    const finishing = await parkedOnboarding(service, practice.organizationId);
    const stuck = await parkedOnboarding(service, practice.organizationId);
    const flows = [finishing, stuck];
    const opsUser = await db().staffUser.findFirstOrThrow({
      where: { organizationId: practice.organizationId, role: 'OPS' },
    });
    const staff = {
      staffUserId: opsUser.id,
      organizationId: practice.organizationId,
      role: 'OPS' as const,
      canInvite: false,
    };
    const runIdBefore = (await service.env.client.workflow.getHandle(finishing.workflowId).describe()).runId;

    // Matched as stuck; the client completes it between the scan and its turn.
    const result = await opsBulk(
      { db: db(), temporal: service.env.client },
      staff,
      { action: 'cancel', query: { state: 'stuck', olderThanMinutes: 0 }, dryRun: false, limit: 100 },
      async (_action, onboardingId, work) => {
        if (onboardingId === finishing.onboardingId) {
          await db().onboarding.update({ where: { id: onboardingId }, data: { status: 'COMPLETE' } });
        }
        return work();
      },
    );

    expect([...result.matched].sort()).toEqual(flows.map((flow) => flow.onboardingId).sort());
    expect(result.done).toEqual([stuck.onboardingId]);
    expect(result.refused).toEqual([{ onboardingId: finishing.onboardingId, code: 'CONFLICT', message: FINISHED }]);
    expect(result.failed).toEqual([]);
    expect(await db().onboarding.findUniqueOrThrow({ where: { id: finishing.onboardingId } })).toMatchObject({
      status: 'COMPLETE',
    });
    expect(await timelineOf(db(), finishing.onboardingId)).toEqual([]);
    const run = await service.env.client.workflow.getHandle(finishing.workflowId).describe();
    expect({ runId: run.runId, status: run.status.name }).toEqual({ runId: runIdBefore, status: 'RUNNING' });
    const described = await json<TOpsOnboardingDescription>(
      await opsCall(service, practice.keys.ops, 'GET', `/v1/ops/onboardings/${finishing.onboardingId}`),
    );
    expect(described.workflow.history?.counts.WorkflowExecutionCancelRequested).toBeUndefined();
    expect(await db().onboarding.findUniqueOrThrow({ where: { id: stuck.onboardingId } })).toMatchObject({
      status: 'CANCELLED',
    });
  });
});

describe('bulk', () => {
  it('a dry run lists and changes nothing; then it cancels what matched', async () => {
    const practice = await createTestOrganization(db());
    const flows = [
      await parkedOnboarding(service, practice.organizationId),
      await parkedOnboarding(service, practice.organizationId),
    ];
    const ids = flows.map((flow) => flow.onboardingId).sort();
    const query = { state: 'stuck', olderThanMinutes: 0 };

    const dryRun = await json<TOpsBulkResponse>(
      await opsCall(service, practice.keys.ops, 'POST', '/v1/ops/bulk', { action: 'cancel', query }),
    );
    expect({ ...dryRun, matched: [...dryRun.matched].sort() }).toMatchObject({
      dryRun: true,
      matched: ids,
      done: [],
      refused: [],
      failed: [],
      complete: true,
    });
    for (const id of ids) {
      expect((await db().onboarding.findUniqueOrThrow({ where: { id } })).status).toBe('PENDING');
      expect(await auditActions(id)).toEqual([]);
    }

    const done = await json<TOpsBulkResponse>(
      await opsCall(service, practice.keys.ops, 'POST', '/v1/ops/bulk', { action: 'cancel', query, dryRun: false }),
    );
    expect([...done.done].sort()).toEqual(ids);
    expect(done.failed).toEqual([]);
    for (const id of ids) {
      expect((await db().onboarding.findUniqueOrThrow({ where: { id } })).status).toBe('CANCELLED');
      expect(await auditActions(id)).toEqual(['ops.cancel:success:staff']);
      const described = await json<TOpsOnboardingDescription>(
        await opsCall(service, practice.keys.ops, 'GET', `/v1/ops/onboardings/${id}`),
      );
      expect(described.workflow.history?.counts.WorkflowExecutionCancelRequested).toBe(1);
    }
    const bulkAudit = await db().auditEvent.findMany({
      where: { organizationId: practice.organizationId, action: 'ops.bulk' },
      orderBy: { id: 'asc' },
    });
    expect(bulkAudit.map((row) => row.detail)).toEqual([
      { bulkAction: 'cancel', dryRun: true, matched: 2, done: 0, refused: 0, failed: 0 },
      { bulkAction: 'cancel', dryRun: false, matched: 2, done: 2, refused: 0, failed: 0 },
    ]);

    // Nothing is stuck any more.
    const after = await json<TOpsBulkResponse>(
      await opsCall(service, practice.keys.ops, 'POST', '/v1/ops/bulk', { action: 'cancel', query }),
    );
    expect(after.matched).toEqual([]);
  });

  it('validates the request', async () => {
    const bad = async (body: unknown) => {
      const response = await opsCall(service, org.keys.ops, 'POST', '/v1/ops/bulk', body);
      expect(response.status).toBe(400);
      return ((await response.json()) as TErrorResponse).error.fields?.map((field) => field.path);
    };
    expect(await bad({ action: 'terminate', query: { state: 'stuck' } })).toEqual(['reason']);
    expect(await bad({ action: 'cancel', query: { state: 'stuck' }, limit: 501 })).toEqual(['limit']);
    expect(await bad({ action: 'delete', query: { state: 'running' } })).toEqual(['action', 'query.state']);
  });
});

describe('who may', () => {
  it('therapists get 403, another organisation 404, no key 401; admins may', async () => {
    const stuck = await parkedOnboarding(service, org.organizationId);
    const describePath = `/v1/ops/onboardings/${stuck.onboardingId}`;
    const cancelPath = `${describePath}/cancel`;

    expect((await opsCall(service, org.keys.therapist, 'GET', '/v1/ops/onboardings')).status).toBe(403);
    expect((await opsCall(service, org.keys.permittedTherapist, 'POST', cancelPath)).status).toBe(403);
    expect((await opsCall(service, other.keys.ops, 'GET', describePath)).status).toBe(404);
    expect((await opsCall(service, other.keys.admin, 'POST', cancelPath)).status).toBe(404);
    expect((await opsCall(service, null, 'GET', '/v1/ops/onboardings')).status).toBe(401);
    expect((await opsCall(service, null, 'POST', cancelPath)).status).toBe(401);
    expect(
      (
        await opsCall(service, org.keys.therapist, 'POST', '/v1/ops/bulk', {
          action: 'cancel',
          query: { state: 'stuck' },
        })
      ).status,
    ).toBe(403);

    const elsewhere = await json<TOpsListResponse>(
      await opsCall(service, other.keys.ops, 'GET', '/v1/ops/onboardings?olderThanMinutes=0&limit=100'),
    );
    expect(elsewhere.items.map((item) => item.id)).not.toContain(stuck.onboardingId);

    // Refused attempts are in the trail too, and changed nothing.
    expect(await auditActions(stuck.onboardingId)).toEqual(['ops.cancel:denied:staff']);
    expect((await db().onboarding.findUniqueOrThrow({ where: { id: stuck.onboardingId } })).status).toBe('PENDING');
    expect(await temporalStatus(stuck.workflowId)).toBe('RUNNING');

    expect((await opsCall(service, org.keys.admin, 'GET', describePath)).status).toBe(200);
  });

  it('answers a bad query or id with 400', async () => {
    const fields = async (path: string) => {
      const response = await opsCall(service, org.keys.ops, 'GET', path);
      expect(response.status).toBe(400);
      return ((await response.json()) as TErrorResponse).error.fields?.map((field) => field.path);
    };
    expect(await fields('/v1/ops/onboardings?state=bogus&limit=0')).toEqual(['query.state', 'query.limit']);
    expect(await fields('/v1/ops/onboardings?cursor=bm90LWEtY3Vyc29y')).toEqual(['query.cursor']);
    expect(await fields('/v1/ops/onboardings/not-a-uuid')).toEqual(['params.onboardingId']);
  });
});
