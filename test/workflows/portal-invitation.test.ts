/**
 * The portal invitation lifecycle on the time-skipping test server: 7 days
 * pass in milliseconds. Activities are the real ones, against a real
 * database, sending through the local outbox.
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { registerPortalAccount, type RegistrationResult } from '../../use-cases/accounts/register-portal-account';
import { createLogger } from '../../observability/logger';
import type { PayloadKey } from '../../temporal/payload-codec';
import {
  cancelOnboardingUpdate,
  changePortalOwnerUpdate,
  clientOnboarding,
  getOnboardingStateQuery,
  resendInvitationUpdate,
  revokePortalAccessUpdate,
  type ClientOnboardingInput,
} from '../../workflows/client-onboarding';
import { testActivityDeps } from '../support/activity-deps';
import {
  newOnboarding,
  createTestOrganization,
  setInvitationPolicy,
  type TestOrganization,
} from '../support/factories';
import { emailsSent, latestRegistrationToken, timelineOf } from '../support/invitations';
import { eventually } from '../support/service';
import { createTestWorker, createTimeSkippingEnv, testPayloadKeys, testTaskQueue } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let keys: PayloadKey[];
let deps: ReturnType<typeof testActivityDeps>;
let worker: Worker;
let workerRun: Promise<void>;
let taskQueue: string;

beforeAll(async () => {
  keys = testPayloadKeys();
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

async function startFlow(
  policy: Parameters<typeof setInvitationPolicy>[2] = {},
  overrides: { invite?: boolean } = {},
): Promise<Flow> {
  const org = await createTestOrganization(database.db);
  await setInvitationPolicy(database.db, org.organizationId, policy);
  const { input, workflowId } = await newOnboarding(database.db, org.organizationId, {
    invite: overrides.invite ?? true,
  });
  const handle = await env.client.workflow.start(clientOnboarding, { workflowId, taskQueue, args: [input] });
  // The invitation activity has finished (its email is out) once the workflow knows the invitation.
  if (input.inviteRequested) {
    await eventually(async () => ((await handle.query(getOnboardingStateQuery)).invitation ? true : undefined));
  } else {
    await waitForStatus(input.onboardingId, 'CHART_CREATED');
  }
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

function register(
  flow: Flow,
  token: string,
  changes: Partial<{ lastName: string; dateOfBirth: string }> = {},
  temporal: Client = env.client,
) {
  return registerPortalAccount({ db: database.db, temporal, logger: createLogger({ level: 'silent' }) }, token, {
    lastName: changes.lastName ?? flow.input.chart.client.lastName,
    dateOfBirth: changes.dateOfBirth ?? flow.input.chart.client.dateOfBirth,
    password: 'violet harbour tuesday kite',
    passwordConfirmation: 'violet harbour tuesday kite',
  });
}

const admin = { staffUserId: randomUUID() };

describe('the portal invitation', () => {
  it('reminds on days 3 and 6, expires on day 7 and then waits for staff', async () => {
    const flow = await startFlow({ invitationReminderDays: [3, 6] });
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual(['portal-invitation']);

    await env.sleep('3 days');
    await eventually(async () =>
      (await emailsSent(database.db, flow.input.onboardingId)).length === 2 ? true : undefined,
    );
    await env.sleep('3 days');
    await eventually(async () =>
      (await emailsSent(database.db, flow.input.onboardingId)).length === 3 ? true : undefined,
    );
    expect((await flow.handle.query(getOnboardingStateQuery)).status).toBe('INVITED');

    await env.sleep('1 day');
    await waitForStatus(flow.input.onboardingId, 'EXPIRED');
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual([
      'portal-invitation',
      'invitation-reminder',
      'invitation-reminder',
    ]);
    const invitation = await database.db.invitation.findFirstOrThrow({
      where: { onboardingId: flow.input.onboardingId },
    });
    expect(invitation.status).toBe('EXPIRED');
    expect((await flow.handle.describe()).status.name).toBe('RUNNING');
    // The expired link now shows the "ask your practice" outcome.
    expect((await register(flow, await latestRegistrationToken(deps.outboxDir, flow.email))).outcome).toBe('invalid');
  });

  it('starts a fresh 7 days when staff resend after expiry, and the old link stays dead', async () => {
    const flow = await startFlow({ invitationReminderDays: [] });
    const firstToken = await latestRegistrationToken(deps.outboxDir, flow.email);
    await env.sleep('7 days');
    await waitForStatus(flow.input.onboardingId, 'EXPIRED');

    const state = await flow.handle.executeUpdate(resendInvitationUpdate, { args: [admin] });
    expect(state).toMatchObject({ status: 'INVITED', invitation: { sequence: 2, state: 'PENDING' } });
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual(['portal-invitation', 'invitation-resent']);
    const secondToken = await latestRegistrationToken(deps.outboxDir, flow.email);
    expect(secondToken).not.toBe(firstToken);

    await env.sleep('6 days');
    expect((await flow.handle.query(getOnboardingStateQuery)).status).toBe('INVITED');
    await env.sleep('1 day');
    await waitForStatus(flow.input.onboardingId, 'EXPIRED');
    expect((await register(flow, firstToken)).outcome).toBe('invalid');
  });

  it('completes as REGISTERED when the client registers, and confirms by email', async () => {
    const flow = await startFlow();
    const result = await register(flow, await latestRegistrationToken(deps.outboxDir, flow.email));
    expect(result.outcome).toBe('registered');

    const outcome = await flow.handle.result();
    expect(outcome.status).toBe('REGISTERED');
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual([
      'portal-invitation',
      'registration-confirmed',
    ]);
    expect(await timelineOf(database.db, flow.input.onboardingId)).toEqual([
      'chart.created',
      'invitation.sent',
      'portal.registered',
    ]);
    const account = await database.db.portalAccount.findFirstOrThrow({ where: { email: flow.email } });
    expect(account.status).toBe('ACTIVE');
    expect(account.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('counts a registration that beat the expiry timer even when the signal was lost', async () => {
    const flow = await startFlow({ invitationReminderDays: [] });
    const lostSignal = {
      workflow: { getHandle: () => ({ signal: () => Promise.reject(new Error('network partition')) }) },
    } as unknown as Client;
    const result = await register(flow, await latestRegistrationToken(deps.outboxDir, flow.email), {}, lostSignal);
    expect(result.outcome).toBe('registered');

    await env.sleep('7 days');
    const outcome = await flow.handle.result();
    expect(outcome.status).toBe('REGISTERED');
    expect(await timelineOf(database.db, flow.input.onboardingId)).not.toContain('invitation.expired');
  });

  it('registers once when the same link is submitted twice at the same moment', async () => {
    const flow = await startFlow();
    const token = await latestRegistrationToken(deps.outboxDir, flow.email);
    const results = await Promise.all([register(flow, token), register(flow, token)]);
    expect(results.map((result: RegistrationResult) => result.outcome).sort()).toEqual(['registered', 'used']);
    expect((await flow.handle.result()).status).toBe('REGISTERED');
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual([
      'portal-invitation',
      'registration-confirmed',
    ]);
  });

  it('locks the link after 5 wrong date-of-birth attempts and lets the practice see it', async () => {
    const flow = await startFlow();
    const token = await latestRegistrationToken(deps.outboxDir, flow.email);
    const outcomes = [];
    for (let i = 0; i < 5; i += 1) outcomes.push((await register(flow, token, { dateOfBirth: '1950-01-01' })).outcome);
    expect(outcomes).toEqual(['mismatch', 'mismatch', 'mismatch', 'mismatch', 'locked']);
    // Even the right details no longer open a locked link.
    expect((await register(flow, token)).outcome).toBe('invalid');
    expect(await timelineOf(database.db, flow.input.onboardingId)).toContain('invitation.locked');

    await flow.handle.executeUpdate(resendInvitationUpdate, { args: [admin] });
    const fresh = await latestRegistrationToken(deps.outboxDir, flow.email);
    expect((await register(flow, fresh)).outcome).toBe('registered');
    expect((await flow.handle.result()).status).toBe('REGISTERED');
  });

  it('matches the last name whatever its case, accents and spaces', async () => {
    const flow = await startFlow();
    const token = await latestRegistrationToken(deps.outboxDir, flow.email);
    const typed = ` ${flow.input.chart.client.lastName.toUpperCase().replace('A', 'Á')} `;
    expect((await register(flow, token, { lastName: typed })).outcome).toBe('registered');
  });

  it('revokes access: the link dies, the state says REVOKED, and revoking twice is refused', async () => {
    const flow = await startFlow();
    const token = await latestRegistrationToken(deps.outboxDir, flow.email);
    const state = await flow.handle.executeUpdate(revokePortalAccessUpdate, { args: [admin] });
    expect(state.status).toBe('REVOKED');
    expect((await register(flow, token)).outcome).toBe('invalid');
    const account = await database.db.portalAccount.findFirstOrThrow({ where: { email: flow.email } });
    expect(account.status).toBe('REVOKED');

    await expect(flow.handle.executeUpdate(revokePortalAccessUpdate, { args: [admin] })).rejects.toThrow(
      WorkflowUpdateFailedError,
    );
    // Staff can still bring the client back with a new invitation.
    await flow.handle.executeUpdate(resendInvitationUpdate, { args: [admin] });
    expect((await register(flow, await latestRegistrationToken(deps.outboxDir, flow.email))).outcome).toBe(
      'registered',
    );
  });

  it('changes ownership to a guardian, who registers with the client’s last name and date of birth', async () => {
    const flow = await startFlow();
    const clientToken = await latestRegistrationToken(deps.outboxDir, flow.email);
    const guardianEmail = `guardian-${randomUUID().slice(0, 8)}@example.test`;

    const state = await flow.handle.executeUpdate(changePortalOwnerUpdate, {
      args: [{ ...admin, owner: { name: 'Pat Guardian', email: guardianEmail } }],
    });
    expect(state.invitation).toMatchObject({ sequence: 2, state: 'PENDING' });
    expect((await register(flow, clientToken)).outcome).toBe('invalid');

    const guardianToken = await latestRegistrationToken(deps.outboxDir, guardianEmail);
    expect((await register(flow, guardianToken)).outcome).toBe('registered');
    const account = await database.db.portalAccount.findFirstOrThrow({ where: { email: guardianEmail } });
    expect(account).toMatchObject({ ownerKind: 'GUARDIAN', ownerName: 'Pat Guardian', status: 'ACTIVE' });
  });

  it('refuses to hand the portal to an email that belongs to another client', async () => {
    const flow = await startFlow();
    const takenEmail = `sibling-${randomUUID().slice(0, 8)}@example.test`;
    const sibling = await database.db.client.create({
      data: {
        organizationId: flow.org.organizationId,
        externalChartId: `CHART-${randomUUID().slice(0, 8)}`,
        firstName: 'Sam',
        lastName: 'Sibling',
        dateOfBirth: new Date('2012-03-04T00:00:00Z'),
        email: takenEmail,
      },
    });
    await database.db.portalAccount.create({
      data: { organizationId: flow.org.organizationId, clientId: sibling.id, email: takenEmail },
    });

    const refusal = flow.handle.executeUpdate(changePortalOwnerUpdate, {
      args: [{ ...admin, owner: { name: 'Someone', email: takenEmail } }],
    });
    await expect(refusal).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(refusal).rejects.toMatchObject({ cause: { type: 'EmailInUse' } });
    // Nothing changed: the client's own invitation still works.
    expect((await flow.handle.query(getOnboardingStateQuery)).invitation?.sequence).toBe(1);
  });

  it('cancels: the flow ends CANCELLED and the link no longer works', async () => {
    const flow = await startFlow();
    const token = await latestRegistrationToken(deps.outboxDir, flow.email);
    await flow.handle.executeUpdate(cancelOnboardingUpdate, { args: [admin] });
    expect((await flow.handle.result()).status).toBe('CANCELLED');
    expect((await register(flow, token)).outcome).toBe('invalid');
    expect(await timelineOf(database.db, flow.input.onboardingId)).toContain('onboarding.cancelled');
  });

  it('re-sends an expired invitation automatically when the practice turned that on', async () => {
    const flow = await startFlow({ invitationReminderDays: [], autoReinviteMax: 1 });
    await env.sleep('7 days');
    await eventually(async () => {
      const state = await flow.handle.query(getOnboardingStateQuery);
      return state.invitation?.sequence === 2 && state.status === 'INVITED' ? state : undefined;
    });
    await env.sleep('7 days');
    await waitForStatus(flow.input.onboardingId, 'EXPIRED');
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual(['portal-invitation', 'invitation-resent']);
  });

  it('honours a practice’s own invitation lifetime', async () => {
    const flow = await startFlow({ invitationTtlHours: 48, invitationReminderDays: [1] });
    await env.sleep('2 days');
    await waitForStatus(flow.input.onboardingId, 'EXPIRED');
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual([
      'portal-invitation',
      'invitation-reminder',
    ]);
  });

  it('waits without inviting when none was asked for, until staff send the invitation', async () => {
    const flow = await startFlow({}, { invite: false });
    await expect(flow.handle.executeUpdate(revokePortalAccessUpdate, { args: [admin] })).rejects.toMatchObject({
      cause: { type: 'NotInvited' },
    });
    const state = await flow.handle.executeUpdate(resendInvitationUpdate, { args: [admin] });
    expect(state).toMatchObject({ status: 'INVITED', invitation: { sequence: 1 } });
    expect(await emailsSent(database.db, flow.input.onboardingId)).toEqual(['portal-invitation']);
  });
});
