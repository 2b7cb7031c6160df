/**
 * Issue 20: a soft bounce or "delivery delayed" on an invitation is shown and
 * left to the provider's retries; only if the invitation has still not been
 * delivered when the practice's window ends does the onboarding turn
 * "Invitation bounced" and staff hear of it. On the time-skipping server, the
 * delay reported through the same use case as the provider's webhook.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { listOutbox } from '../../emails/mailer';
import { receiveDeliveryEvent } from '../../use-cases/email/receive-delivery-event';
import {
  clientOnboarding,
  getOnboardingStateQuery,
  resendInvitationUpdate,
  type ClientOnboardingInput,
} from '../../workflows/client-onboarding';
import { testActivityDeps } from '../support/activity-deps';
import { createTestOrganization, newOnboarding, setInvitationPolicy } from '../support/factories';
import { emailsSent, timelineOf } from '../support/invitations';
import { eventually } from '../support/service';
import { createTestWorker, createTimeSkippingEnv, testPayloadKeys, testTaskQueue } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let deps: ReturnType<typeof testActivityDeps>;
let worker: Worker;
let workerRun: Promise<void>;
let taskQueue: string;

beforeAll(async () => {
  const keys = testPayloadKeys();
  [env, database] = await Promise.all([createTimeSkippingEnv(keys), createTestDatabase()]);
  deps = testActivityDeps(database.db);
  taskQueue = testTaskQueue();
  worker = await createTestWorker(env, { taskQueue, keys, activities: createActivities(deps) });
  workerRun = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await env?.teardown();
  await database?.drop();
});

interface Flow {
  handle: WorkflowHandle<typeof clientOnboarding>;
  input: ClientOnboardingInput;
  organizationId: string;
}

/** An invitation sent at a practice whose delay window is 6 hours. */
async function invited(): Promise<Flow> {
  const org = await createTestOrganization(database.db);
  await setInvitationPolicy(database.db, org.organizationId, { invitationReminderDays: [] });
  await database.db.organization.update({
    where: { id: org.organizationId },
    data: { deliveryDelayWindowHours: 6 },
  });
  const { input, workflowId } = await newOnboarding(database.db, org.organizationId, { invite: true });
  const handle = await env.client.workflow.start(clientOnboarding, { workflowId, taskQueue, args: [input] });
  await eventually(async () => ((await handle.query(getOnboardingStateQuery)).invitation ? true : undefined));
  return { handle, input, organizationId: org.organizationId };
}

async function invitationEmail(onboardingId: string) {
  return database.db.emailMessage.findFirstOrThrow({
    where: { onboardingId, template: 'portal-invitation', status: 'SENT' },
  });
}

/** What the provider's webhook reports, through the same use case as the route. */
async function report(onboardingId: string, kind: 'delivery_delayed' | 'bounced' | 'delivered') {
  const email = await invitationEmail(onboardingId);
  await receiveDeliveryEvent(
    { db: database.db, tokenSigningKey: deps.tokenSigningKey, temporal: env.client },
    {
      eventId: `msg_${randomUUID()}`,
      providerMessageId: email.providerMessageId!,
      kind,
      bounceType: kind === 'bounced' ? 'soft' : null,
      reason: kind === 'bounced' ? 'MailboxFull' : null,
      occurredAt: new Date(),
      recipient: null,
    },
  );
}

const statusOf = async (onboardingId: string) =>
  (await database.db.onboarding.findUniqueOrThrow({ where: { id: onboardingId } })).status;

/** Staff notices about this onboarding in the outbox rows. */
const staffNotices = (onboardingId: string) =>
  database.db.emailMessage.findMany({ where: { onboardingId, template: 'invitation-bounced-staff' } });

it('a delay that never lands becomes "Invitation bounced" when the window ends, and staff are told once', async () => {
  const flow = await invited();
  const { onboardingId } = flow.input;
  await report(onboardingId, 'delivery_delayed');
  await report(onboardingId, 'bounced'); // a soft bounce later: the same watch, not a second one
  await eventually(async () =>
    (await timelineOf(database.db, onboardingId)).includes('invitation.delayed') ? true : undefined,
  );

  await env.sleep('5 hours');
  expect(await statusOf(onboardingId)).toBe('INVITED');
  expect(await staffNotices(onboardingId)).toHaveLength(0);

  await env.sleep('2 hours');
  await eventually(async () => ((await statusOf(onboardingId)) === 'INVITATION_BOUNCED' ? true : undefined), {
    what: 'the escalation',
  });
  expect((await flow.handle.query(getOnboardingStateQuery)).invitation?.state).toBe('BOUNCED');
  const undeliverable = await database.db.onboardingEvent.findFirstOrThrow({
    where: { onboardingId, type: 'invitation.undeliverable' },
  });
  expect(undeliverable.detail).toMatchObject({ reason: 'not-delivered' });
  const notices = await eventually(async () => {
    const rows = await staffNotices(onboardingId);
    return rows.length > 0 ? rows : undefined;
  });
  // The practice's one admin (no clinician assigned); the address is not suppressed, since it was never refused.
  expect(notices).toHaveLength(1);
  const [sent] = (await listOutbox(deps.outboxDir)).filter(
    (message) =>
      message.tags.template === 'invitation-bounced-staff' && message.subject.includes(onboardingId.slice(0, 8)),
  );
  expect(sent?.subject).toContain('Invitation not delivered');
  expect(await database.db.emailSuppression.count({ where: { organizationId: flow.organizationId } })).toBe(0);
});

it('a delay that is then delivered changes nothing when the window ends', async () => {
  const flow = await invited();
  const { onboardingId } = flow.input;
  await report(onboardingId, 'delivery_delayed');
  await report(onboardingId, 'delivered');
  await env.sleep('7 hours');
  // Time for the workflow to have looked, then nothing.
  await env.sleep('1 minute');
  expect(await statusOf(onboardingId)).toBe('INVITED');
  expect(await staffNotices(onboardingId)).toHaveLength(0);
  expect(await emailsSent(database.db, onboardingId)).toEqual(['portal-invitation']);
});

it('a new link sent before the window ends stops the watch on the old one', async () => {
  const flow = await invited();
  const { onboardingId } = flow.input;
  await report(onboardingId, 'delivery_delayed');
  await env.sleep('1 hour');
  await flow.handle.executeUpdate(resendInvitationUpdate, { args: [{ staffUserId: randomUUID() }] });
  await env.sleep('7 hours');
  expect(await statusOf(onboardingId)).toBe('INVITED');
  expect(await staffNotices(onboardingId)).toHaveLength(0);
});
