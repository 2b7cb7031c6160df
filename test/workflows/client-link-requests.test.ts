/**
 * "Email me a new link" (issue 20, part 3) on the time-skipping server: a
 * client holding a dead invitation link, or typing their address into
 * "Forgot your password?" before they ever registered, gets a fresh
 * invitation at the address on file, at most 3 times a week, through the
 * workflow's own resend path; a revoked link and a practice that turned the
 * offer off get nothing. The real activities, database and local outbox.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createLogger } from '../../observability/logger';
import { requestPasswordReset } from '../../use-cases/accounts/password-reset';
import { inspectRegistrationLink } from '../../use-cases/accounts/register-portal-account';
import { offersNewLink, requestNewInvitationLink } from '../../use-cases/accounts/request-invitation-link';
import {
  clientOnboarding,
  getOnboardingStateQuery,
  revokePortalAccessUpdate,
  type ClientOnboardingInput,
} from '../../workflows/client-onboarding';
import { testActivityDeps } from '../support/activity-deps';
import {
  createTestOrganization,
  newOnboarding,
  setInvitationPolicy,
  type TestOrganization,
} from '../support/factories';
import { emailsSent, latestRegistrationToken } from '../support/invitations';
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
  email: string;
  org: TestOrganization;
}

const origin = { ip: '203.0.113.7', userAgent: 'jest', requestId: null };

async function expiredFlow(): Promise<Flow> {
  const org = await createTestOrganization(database.db);
  await setInvitationPolicy(database.db, org.organizationId, { invitationReminderDays: [] });
  const { input, workflowId } = await newOnboarding(database.db, org.organizationId, { invite: true });
  const handle = await env.client.workflow.start(clientOnboarding, { workflowId, taskQueue, args: [input] });
  await eventually(async () => ((await handle.query(getOnboardingStateQuery)).invitation ? true : undefined));
  await env.sleep('7 days');
  await waitForStatus(input.onboardingId, 'EXPIRED');
  return { handle, input, email: input.chart.client.email!, org };
}

async function waitForStatus(onboardingId: string, status: string) {
  return eventually(
    async () => {
      const row = await database.db.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
      return row.status === status ? row : undefined;
    },
    { what: `onboarding to reach ${status}`, timeoutMs: 15_000 },
  );
}

/**
 * The expiry hands its EHR callback over as an exclusive step, and an action
 * arriving then is refused "in progress, try again in a moment"; staff would
 * try again, and so does the test (CI found the moment).
 */
async function revokeOnceIdle(handle: Flow['handle']): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await handle.executeUpdate(revokePortalAccessUpdate, { args: [{ staffUserId: randomUUID() }] });
      return;
    } catch (error) {
      const busy =
        error instanceof WorkflowUpdateFailedError &&
        error.cause instanceof ApplicationFailure &&
        error.cause.type === 'ActionInProgress';
      if (!busy || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const useCaseDeps = () => ({ db: database.db, temporal: env.client, logger: createLogger({ level: 'silent' }) });

/** The audit rows of the client's link requests, oldest first, as (outcome, reason). */
async function linkRequestAudits(onboardingId: string) {
  const rows = await database.db.auditEvent.findMany({
    where: { onboardingId, action: 'portal.invitation_link_request' },
    orderBy: { id: 'asc' },
  });
  return rows.map((row) => [row.outcome, (row.detail as Record<string, string>).reason]);
}

/** Waits until the workflow has decided `count` link requests (each writes one audit row). */
async function decided(onboardingId: string, count: number) {
  await eventually(async () => ((await linkRequestAudits(onboardingId)).length >= count ? true : undefined), {
    what: `${count} link requests decided`,
  });
}

describe('Email me a new link', () => {
  it('sends a fresh invitation to the address on file; the old link stays dead', async () => {
    const flow = await expiredFlow();
    const oldToken = await latestRegistrationToken(deps.outboxDir, flow.email);
    expect(await offersNewLink(database.db, oldToken)).toBe(true);

    await requestNewInvitationLink(useCaseDeps(), oldToken, origin);
    await waitForStatus(flow.input.onboardingId, 'INVITED');
    await eventually(async () =>
      (await emailsSent(database.db, flow.input.onboardingId)).length === 2 ? true : undefined,
    );
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual(['portal-invitation', 'invitation-resent']);

    const newToken = await latestRegistrationToken(deps.outboxDir, flow.email);
    expect(newToken).not.toBe(oldToken);
    expect((await inspectRegistrationLink(database.db, newToken)).usable).toBe(true);
    expect((await inspectRegistrationLink(database.db, oldToken)).usable).toBe(false);

    // The workflow knows the new invitation as its own: numbered, pending, expiring like any other.
    const state = await flow.handle.query(getOnboardingStateQuery);
    expect(state.invitation).toMatchObject({ sequence: 2, state: 'PENDING' });

    const events = await database.db.onboardingEvent.findMany({
      where: { onboardingId: flow.input.onboardingId },
      orderBy: { id: 'asc' },
    });
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['invitation.client_requested', 'invitation.sent']),
    );
    expect(events.find((event) => event.key === 'invitation-sent:2')?.detail).toMatchObject({
      reason: 'client-request',
      requestedBy: null,
    });
    const [audit] = await database.db.auditEvent.findMany({
      where: { onboardingId: flow.input.onboardingId, action: 'portal.invitation_link_request' },
    });
    expect(audit).toMatchObject({ outcome: 'success', actorType: 'portal_user', ip: '203.0.113.7' });
    expect(audit!.detail).toEqual({ via: 'expired-link', reason: 'sent' });
  });

  it('sends at most 3 a week, then again after the week', async () => {
    const flow = await expiredFlow();
    const oldToken = await latestRegistrationToken(deps.outboxDir, flow.email);
    for (let n = 1; n <= 4; n += 1) {
      await requestNewInvitationLink(useCaseDeps(), oldToken, origin);
      await decided(flow.input.onboardingId, n);
    }
    expect(await linkRequestAudits(flow.input.onboardingId)).toEqual([
      ['success', 'sent'],
      ['success', 'sent'],
      ['success', 'sent'],
      ['refused', 'rate-limited'],
    ]);
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual([
      'portal-invitation',
      'invitation-resent',
      'invitation-resent',
      'invitation-resent',
    ]);

    await env.sleep('8 days');
    await waitForStatus(flow.input.onboardingId, 'EXPIRED');
    await requestNewInvitationLink(useCaseDeps(), oldToken, origin);
    await decided(flow.input.onboardingId, 5);
    expect((await linkRequestAudits(flow.input.onboardingId))[4]).toEqual(['success', 'sent']);
  });

  it('offers nothing on a link staff revoked, nor where the practice turned it off', async () => {
    const revoked = await expiredFlow();
    const revokedToken = await latestRegistrationToken(deps.outboxDir, revoked.email);
    await revokeOnceIdle(revoked.handle);
    expect(await offersNewLink(database.db, revokedToken)).toBe(false);
    await requestNewInvitationLink(useCaseDeps(), revokedToken, origin);

    const off = await expiredFlow();
    await database.db.organization.update({
      where: { id: off.org.organizationId },
      data: { clientLinkRequests: false },
    });
    const offToken = await latestRegistrationToken(deps.outboxDir, off.email);
    expect(await offersNewLink(database.db, offToken)).toBe(false);
    await requestNewInvitationLink(useCaseDeps(), offToken, origin);

    // A made-up token asks nothing either, and the answer (the caller's page) is the same.
    expect(await offersNewLink(database.db, 'x'.repeat(43))).toBe(false);
    await requestNewInvitationLink(useCaseDeps(), 'x'.repeat(43), origin);

    await env.sleep('1 minute');
    expect(await emailsSent(database.db, revoked.input.onboardingId)).toEqual(['portal-invitation']);
    expect(await emailsSent(database.db, off.input.onboardingId)).toEqual(['portal-invitation']);
    expect(await linkRequestAudits(revoked.input.onboardingId)).toEqual([]);
  });

  it('sends a new invitation to a never-registered client who asks for a password reset', async () => {
    const flow = await expiredFlow();
    await requestPasswordReset(
      { db: database.db, temporal: env.client, taskQueue, tokenSigningKey: deps.tokenSigningKey },
      flow.org.organizationId,
      flow.email.toUpperCase(),
      origin,
    );
    await waitForStatus(flow.input.onboardingId, 'INVITED');
    await eventually(async () =>
      (await emailsSent(database.db, flow.input.onboardingId)).length === 2 ? true : undefined,
    );
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual(['portal-invitation', 'invitation-resent']);
    const audits = await database.db.auditEvent.findMany({
      where: { onboardingId: flow.input.onboardingId, action: 'portal.invitation_link_request' },
    });
    expect(audits.map((audit) => audit.detail)).toEqual([{ via: 'forgot-password', reason: 'sent' }]);
  });
});
