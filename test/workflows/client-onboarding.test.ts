import { randomUUID } from 'node:crypto';
import { testActivityDeps } from '../support/activity-deps';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { PayloadKey } from '../../temporal/payload-codec';
import {
  cancelOnboardingUpdate,
  changePortalOwnerUpdate,
  clientOnboarding,
  getOnboardingStateQuery,
  type ClientOnboardingInput,
} from '../../workflows';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import { createLogger } from '../../observability/logger';
import { latestRegistrationToken } from '../support/invitations';
import { eventually } from '../support/service';
import { createTestOrganization, newOnboarding, type TestOrganization } from '../support/factories';
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

async function newOnboardingInput(invite = false): Promise<ClientOnboardingInput> {
  return (await newOnboarding(database.db, org.organizationId, { invite })).input;
}

const staff = { staffUserId: randomUUID() };

describe('clientOnboarding workflow', () => {
  it('creates the chart and reports CHART_CREATED through its query and the database', async () => {
    const taskQueue = testTaskQueue();
    const worker = await createTestWorker(env, {
      taskQueue,
      activities: createActivities(testActivityDeps(database.db)),
      keys,
    });
    const input = await newOnboardingInput();

    const outcome = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(clientOnboarding, {
        workflowId: `onboarding-${input.onboardingId}`,
        taskQueue,
        args: [input],
      });
      const state = await eventually(async () => {
        const current = await handle.query(getOnboardingStateQuery);
        return current.status === 'CHART_CREATED' ? current : undefined;
      });
      // Not invited: the flow waits for staff; cancelling ends it.
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.executeUpdate(cancelOnboardingUpdate, { args: [staff] });
      expect((await handle.result()).status).toBe('CANCELLED');
      return state;
    });

    const client = await database.db.client.findUniqueOrThrow({ where: { id: outcome.clientId! } });
    expect(client.externalChartId).toBe(input.chart.externalChartId);
  });

  it('keeps no client or guardian PHI in plaintext in the workflow history', async () => {
    const taskQueue = testTaskQueue();
    const deps = testActivityDeps(database.db);
    const worker = await createTestWorker(env, { taskQueue, activities: createActivities(deps), keys });
    const input = await newOnboardingInput(true);
    const workflowId = `onboarding-${input.onboardingId}`;
    const guardian = {
      name: `Guardian${randomUUID().slice(0, 6)}`,
      email: `g-${randomUUID().slice(0, 8)}@example.test`,
    };

    const history = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(clientOnboarding, { workflowId, taskQueue, args: [input] });
      await eventually(async () => ((await handle.query(getOnboardingStateQuery)).invitation ? true : undefined));
      await handle.executeUpdate(changePortalOwnerUpdate, { args: [{ ...staff, owner: guardian }] });
      const token = await latestRegistrationToken(deps.outboxDir, guardian.email);
      const registered = await registerPortalAccount(
        { db: database.db, temporal: env.client, logger: createLogger({ level: 'silent' }) },
        token,
        {
          lastName: input.chart.client.lastName,
          dateOfBirth: input.chart.client.dateOfBirth,
          password: 'violet harbour tuesday kite',
          passwordConfirmation: 'violet harbour tuesday kite',
        },
      );
      expect(registered.outcome).toBe('registered');
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
    for (const phi of [firstName, lastName, dateOfBirth, email!, guardian.name, guardian.email]) {
      expect(raw).not.toContain(phi);
    }
    expect(workflowId).not.toMatch(new RegExp(`${lastName}|${email}`));
    expect(raw).toContain('binary/encrypted');
    expect(raw).toContain('changePortalOwner');
  });

  it('marks the onboarding FAILED when chart creation fails for good, so staff see it', async () => {
    const taskQueue = testTaskQueue();
    const activities = createActivities(testActivityDeps(database.db));
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

  it('retries a transient database failure and creates the chart once it heals', async () => {
    const taskQueue = testTaskQueue();
    const activities = createActivities(testActivityDeps(database.db));
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

    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(clientOnboarding, {
        workflowId: `onboarding-${input.onboardingId}`,
        taskQueue,
        args: [input],
      });
      await eventually(async () =>
        (await handle.query(getOnboardingStateQuery)).status === 'CHART_CREATED' ? true : undefined,
      );
      await handle.executeUpdate(cancelOnboardingUpdate, { args: [staff] });
      await handle.result();
    });

    expect(attempts).toBe(3);
    expect(await database.db.client.count({ where: { externalChartId: input.chart.externalChartId } })).toBe(1);
  });
});
