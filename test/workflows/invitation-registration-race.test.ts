/**
 * The race the chaos harness found (issue 21): the invitation activity emails
 * the link and its worker dies before answering; the client registers through
 * that link; the retried activity then finds them registered. That used to be
 * a non-retryable failure that FAILED the whole onboarding; now the flow ends
 * as registered, with one invitation email and one confirmation.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { createLogger } from '../../observability/logger';
import type { PayloadKey } from '../../temporal/payload-codec';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import { clientOnboarding } from '../../workflows/client-onboarding';
import { testActivityDeps } from '../support/activity-deps';
import { createTestOrganization, newOnboarding } from '../support/factories';
import { emailsSent, latestRegistrationToken } from '../support/invitations';
import { createTestWorker, createTimeSkippingEnv, testPayloadKeys, testTaskQueue } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let keys: PayloadKey[];

beforeAll(async () => {
  keys = testPayloadKeys();
  [env, database] = await Promise.all([createTimeSkippingEnv(keys), createTestDatabase()]);
});

afterAll(async () => {
  await env?.teardown();
  await database?.drop();
});

it('finishes as registered when the client registers between an invitation sent and its retried activity', async () => {
  const org = await createTestOrganization(database.db);
  const deps = testActivityDeps(database.db);
  const activities = createActivities(deps);
  const taskQueue = testTaskQueue();
  const { input, workflowId } = await newOnboarding(database.db, org.organizationId, { invite: true });
  const email = input.chart.client.email!;
  let attempts = 0;
  const worker = await createTestWorker(env, {
    taskQueue,
    keys,
    activities: {
      ...activities,
      issueInvitation: async (request) => {
        attempts += 1;
        const issued = await activities.issueInvitation(request);
        if (attempts > 1) return issued;
        // The email is out; the client registers before the worker's answer gets anywhere.
        const token = await latestRegistrationToken(deps.outboxDir, email);
        const registration = await registerPortalAccount(
          { db: database.db, temporal: env.client, logger: createLogger({ level: 'silent' }) },
          token,
          {
            lastName: input.chart.client.lastName,
            dateOfBirth: input.chart.client.dateOfBirth,
            password: 'violet harbour tuesday kite',
            passwordConfirmation: 'violet harbour tuesday kite',
          },
        );
        expect(registration.outcome).toBe('registered');
        throw new Error('worker lost before answering');
      },
    },
  });

  const outcome = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(clientOnboarding, { workflowId, taskQueue, args: [input] });
    return handle.result();
  });

  expect(attempts).toBe(2);
  expect(outcome.status).toBe('REGISTERED');
  const row = await database.db.onboarding.findUniqueOrThrow({ where: { id: input.onboardingId } });
  expect(row.status).toBe('REGISTERED');
  expect(await emailsSent(database.db, input.onboardingId)).toEqual(['portal-invitation', 'registration-confirmed']);
});
