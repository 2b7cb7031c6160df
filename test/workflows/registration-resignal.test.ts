/**
 * Found by `npm run chaos`: the API commits a registration and then signals
 * the workflow; if it dies in between, the workflow learned of it only at its
 * expiry step, a week later, and the confirmation email and the EHR's
 * callback waited that long. Now each API process re-signals, when it starts,
 * every recent registration its workflow has not confirmed.
 */
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { createLogger } from '../../observability/logger';
import type { PayloadKey } from '../../temporal/payload-codec';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import { resignalUnconfirmedRegistrations } from '../../use-cases/accounts/registration-signals';
import { clientOnboarding, getOnboardingStateQuery } from '../../workflows/client-onboarding';
import { testActivityDeps } from '../support/activity-deps';
import { createTestOrganization, newOnboarding } from '../support/factories';
import { emailsSent, latestRegistrationToken } from '../support/invitations';
import { eventually } from '../support/service';
import { createTestWorker, createTimeSkippingEnv, testPayloadKeys, testTaskQueue } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let keys: PayloadKey[];
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  keys = testPayloadKeys();
  [env, database] = await Promise.all([createTimeSkippingEnv(keys), createTestDatabase()]);
});

afterAll(async () => {
  await env?.teardown();
  await database?.drop();
});

it('a registration whose signal was lost reaches its workflow when an API process starts', async () => {
  const org = await createTestOrganization(database.db);
  const deps = testActivityDeps(database.db);
  const taskQueue = testTaskQueue();
  const { input, workflowId } = await newOnboarding(database.db, org.organizationId, { invite: true });
  const worker = await createTestWorker(env, { taskQueue, keys, activities: createActivities(deps) });

  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(clientOnboarding, { workflowId, taskQueue, args: [input] });
    const state = () => handle.query(getOnboardingStateQuery);
    await eventually(async () => ((await state()).status === 'INVITED' ? true : undefined), {
      what: 'the invitation',
    });

    // The API dies between its commit and its signal: here, a client whose signal never arrives.
    const dying = {
      workflow: { getHandle: () => ({ signal: () => Promise.reject(new Error('process killed')) }) },
    } as unknown as Client;
    const token = await latestRegistrationToken(deps.outboxDir, input.chart.client.email!);
    const registration = await registerPortalAccount({ db: database.db, temporal: dying, logger }, token, {
      lastName: input.chart.client.lastName,
      dateOfBirth: input.chart.client.dateOfBirth,
      password: 'violet harbour tuesday kite',
      passwordConfirmation: 'violet harbour tuesday kite',
    });
    expect(registration.outcome).toBe('registered');
    // Queries do not move the test server's clock: without the fix the flow waits here for its expiry.
    expect((await state()).status).toBe('INVITED');

    // A new API process starts.
    expect(await resignalUnconfirmedRegistrations({ db: database.db, temporal: env.client, logger })).toBe(1);
    await eventually(async () => ((await state()).status === 'REGISTERED' ? true : undefined), {
      what: 'the workflow to learn of the registration',
    });
    await eventually(
      async () =>
        (await emailsSent(database.db, input.onboardingId)).includes('registration-confirmed') ? true : undefined,
      { what: 'the confirmation email' },
    );
  });

  // Confirmed now: a later start has nothing to tell.
  expect(await resignalUnconfirmedRegistrations({ db: database.db, temporal: env.client, logger })).toBe(0);
  expect(await emailsSent(database.db, input.onboardingId)).toEqual(['portal-invitation', 'registration-confirmed']);
});
