import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { PayloadKey } from '../../temporal/payload-codec';
import { clientOnboarding, getOnboardingStateQuery, type ClientOnboardingInput } from '../../workflows';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { createTestWorker, createTimeSkippingEnv, testPayloadKeys, testTaskQueue } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let org: TestOrganization;
let keys: PayloadKey[];

beforeAll(async () => {
  keys = testPayloadKeys();
  [env, database] = await Promise.all([createTimeSkippingEnv(keys), createTestDatabase()]);
  org = await createTestOrganization(database.db);
});

afterAll(async () => {
  await env?.teardown();
  await database?.drop();
});

async function newOnboardingInput(): Promise<ClientOnboardingInput> {
  const { data } = chartCreatedWebhook();
  const id = randomUUID();
  await database.db.onboarding.create({
    data: {
      id,
      organizationId: org.organizationId,
      externalChartId: data.externalChartId,
      workflowId: `onboarding-${id}`,
      inviteRequested: data.portal.invite,
    },
  });
  return {
    onboardingId: id,
    organizationId: org.organizationId,
    chart: { externalChartId: data.externalChartId, client: data.client },
    inviteRequested: data.portal.invite,
    formPackageId: null,
  };
}

describe('clientOnboarding workflow', () => {
  it('creates the chart and reports CHART_CREATED through its result, its query and the database', async () => {
    const taskQueue = testTaskQueue();
    const worker = await createTestWorker(env, { taskQueue, activities: createActivities(database), keys });
    const input = await newOnboardingInput();

    const outcome = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(clientOnboarding, {
        workflowId: `onboarding-${input.onboardingId}`,
        taskQueue,
        args: [input],
      });
      const result = await handle.result();
      expect(await handle.query(getOnboardingStateQuery)).toEqual(result);
      return result;
    });

    expect(outcome.status).toBe('CHART_CREATED');
    const row = await database.db.onboarding.findUniqueOrThrow({ where: { id: input.onboardingId } });
    expect(row).toMatchObject({ status: 'CHART_CREATED', clientId: outcome.clientId });
  });

  it('keeps no client PHI in plaintext in the workflow history', async () => {
    const taskQueue = testTaskQueue();
    const worker = await createTestWorker(env, { taskQueue, activities: createActivities(database), keys });
    const input = await newOnboardingInput();
    const workflowId = `onboarding-${input.onboardingId}`;

    const history = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(clientOnboarding, { workflowId, taskQueue, args: [input] });
      await handle.result();
      // The raw protobuf history as the server stores it: payload bytes undecoded.
      const response = await env.client.workflowService.getWorkflowExecutionHistory({
        namespace: env.namespace ?? 'default',
        execution: { workflowId },
      });
      return response.history;
    });

    const raw = Buffer.from(temporal.api.history.v1.History.encode(history!).finish()).toString('latin1');
    const { firstName, lastName, dateOfBirth, email } = input.chart.client;
    for (const phi of [firstName, lastName, dateOfBirth, email!]) expect(raw).not.toContain(phi);
    expect(workflowId).not.toMatch(new RegExp(`${lastName}|${email}`));
    expect(raw).toContain('binary/encrypted');
  });

  it('marks the onboarding FAILED when chart creation fails for good, so staff see it', async () => {
    const taskQueue = testTaskQueue();
    const activities = createActivities(database);
    const worker = await createTestWorker(env, {
      taskQueue,
      keys,
      activities: {
        ...activities,
        createChart: () => {
          throw ApplicationFailure.nonRetryable('EHR sent a chart we cannot store', 'ValidationFailure');
        },
      },
    });
    const input = await newOnboardingInput();

    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(clientOnboarding, {
        workflowId: `onboarding-${input.onboardingId}`,
        taskQueue,
        args: [input],
      });
      await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
    });

    const row = await database.db.onboarding.findUniqueOrThrow({
      where: { id: input.onboardingId },
      include: { events: true },
    });
    expect(row.status).toBe('FAILED');
    expect(row.events.map((event) => event.type)).toEqual(['onboarding.failed']);
  });

  it('retries a transient database failure and completes once it heals', async () => {
    const taskQueue = testTaskQueue();
    const activities = createActivities(database);
    let attempts = 0;
    const worker = await createTestWorker(env, {
      taskQueue,
      keys,
      activities: {
        ...activities,
        createChart: async (input) => {
          attempts += 1;
          if (attempts < 3) throw new Error('connection reset by peer');
          return activities.createChart(input);
        },
      },
    });
    const input = await newOnboardingInput();

    const outcome = await worker.runUntil(
      env.client.workflow.execute(clientOnboarding, {
        workflowId: `onboarding-${input.onboardingId}`,
        taskQueue,
        args: [input],
      }),
    );

    expect(attempts).toBe(3);
    expect(outcome.status).toBe('CHART_CREATED');
    expect(await database.db.client.count({ where: { externalChartId: input.chart.externalChartId } })).toBe(1);
  });
});
