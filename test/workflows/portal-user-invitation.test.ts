/**
 * Issue 15: each contact added as a portal user gets their own invitation
 * with the client's lifecycle (link, reminders, expiry, resend, revoke), on
 * the time-skipping server with the real activities, database and outbox.
 * They register by confirming the CLIENT's last name and date of birth.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createLogger } from '../../observability/logger';
import type { PayloadKey } from '../../temporal/payload-codec';
import {
  addPortalUser,
  listPortalUsers,
  removePortalUser,
  resendPortalUserInvitation,
  revokePortalUserInvitation,
} from '../../use-cases/accounts/portal-users';
import { inspectRegistrationLink, registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import type { StaffPrincipal } from '../../use-cases/staff-principal';
import { AppError } from '../../use-cases/app-error';
import {
  getPortalUserInvitationStateQuery,
  type portalUserInvitation,
  portalUserInvitationWorkflowId,
} from '../../workflows/portal-user-invitation';
import { testActivityDeps } from '../support/activity-deps';
import { createTestOrganization, setInvitationPolicy, type TestOrganization } from '../support/factories';
import { emailsSent, latestRegistrationToken, timelineOf } from '../support/invitations';
import { createPayingClient, type PayingClient } from '../support/payments';
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
let org: TestOrganization;
let admin: StaffPrincipal;

const logger = createLogger({ level: 'silent' });
const useCaseDeps = () => ({ db: database.db, temporal: env.client, taskQueue, logger });

beforeAll(async () => {
  keys = testPayloadKeys();
  [env, database] = await Promise.all([createTimeSkippingEnv(keys), createTestDatabase()]);
  deps = testActivityDeps(database.db);
  taskQueue = testTaskQueue();
  worker = await createTestWorker(env, { taskQueue, keys, activities: createActivities(deps) });
  workerRun = worker.run();
  org = await createTestOrganization(database.db);
  await setInvitationPolicy(database.db, org.organizationId, { invitationReminderDays: [3, 6] });
  admin = { staffUserId: org.adminId, organizationId: org.organizationId, role: 'ADMIN', canInvite: true };
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await env?.teardown();
  await database?.drop();
});

function contactOf() {
  const email = `parent-${randomUUID().slice(0, 8)}@example.test`;
  return {
    name: 'Pat Parent',
    email,
    relationship: 'PARENT' as const,
    permissions: ['BASIC' as const, 'FORMS' as const],
  };
}

async function addContact(client: PayingClient, contact = contactOf()) {
  const user = await addPortalUser(useCaseDeps(), admin, client.onboardingId, contact);
  const access = await database.db.clientPortalAccess.findFirstOrThrow({
    where: { portalUserId: user.portalUserId, client: { onboarding: { id: client.onboardingId } } },
  });
  const handle = env.client.workflow.getHandle<typeof portalUserInvitation>(portalUserInvitationWorkflowId(access.id));
  await eventually(async () => ((await handle.query(getPortalUserInvitationStateQuery)).invitation ? true : undefined));
  return { user, access, handle, email: contact.email };
}

function register(client: PayingClient, token: string, changes: Partial<{ lastName: string; password: string }> = {}) {
  const password = changes.password ?? 'violet harbour tuesday kite';
  return registerPortalAccount({ db: database.db, temporal: env.client, logger }, token, {
    lastName: changes.lastName ?? client.lastName,
    dateOfBirth: '1984-03-02',
    password,
    passwordConfirmation: password,
  });
}

async function contactRow(client: PayingClient, portalUserId: string) {
  const { portalUsers } = await listPortalUsers(database.db, admin, client.onboardingId);
  return portalUsers.find((user) => user.portalUserId === portalUserId)!;
}

describe('a contact’s own invitation', () => {
  it('sends, reminds on days 3 and 6, expires on day 7, and a resend gives a fresh link they register with', async () => {
    const client = await createPayingClient(database.db, org);
    const { user, handle, email } = await addContact(client);
    const firstToken = await latestRegistrationToken(deps.outboxDir, email);
    expect(await emailsSent(database.db, client.onboardingId)).toEqual(['portal-invitation']);
    expect(await contactRow(client, user.portalUserId)).toMatchObject({
      status: 'INVITED',
      invitation: { sequence: 1, state: 'PENDING' },
    });

    await env.sleep('6 days');
    await eventually(async () =>
      (await emailsSent(database.db, client.onboardingId)).length === 3 ? true : undefined,
    );
    await env.sleep('1 day');
    await eventually(async () =>
      (await handle.query(getPortalUserInvitationStateQuery)).status === 'EXPIRED' ? true : undefined,
    );
    expect(await contactRow(client, user.portalUserId)).toMatchObject({ invitation: { state: 'EXPIRED' } });
    expect((await register(client, firstToken)).outcome).toBe('invalid');

    const resent = await resendPortalUserInvitation(useCaseDeps(), admin, client.onboardingId, user.portalUserId);
    expect(resent.invitation).toMatchObject({ sequence: 2, state: 'PENDING' });
    const secondToken = await latestRegistrationToken(deps.outboxDir, email);
    expect(secondToken).not.toBe(firstToken);
    expect(await inspectRegistrationLink(database.db, secondToken)).toMatchObject({ usable: true });

    // The CLIENT's last name, not the contact's, proves they know whose portal it is.
    expect(await register(client, secondToken, { lastName: 'Parent' })).toMatchObject({
      outcome: 'mismatch',
      attemptsLeft: 4,
    });
    expect(await register(client, secondToken)).toMatchObject({ outcome: 'registered-contact', email });
    expect((await handle.result()).status).toBe('REGISTERED');
    expect(await contactRow(client, user.portalUserId)).toMatchObject({
      status: 'ACTIVE',
      invitation: { sequence: 2, state: 'USED' },
    });
    const person = await database.db.portalUser.findUniqueOrThrow({ where: { id: user.portalUserId } });
    expect(person.passwordHash).toMatch(/^\$argon2id\$/);

    const timeline = await timelineOf(database.db, client.onboardingId);
    expect(timeline.filter((type) => type.startsWith('portal_user.'))).toEqual([
      'portal_user.added',
      'portal_user.invitation_sent',
      'portal_user.invitation_reminder_sent',
      'portal_user.invitation_reminder_sent',
      'portal_user.invitation_expired',
      'portal_user.invitation_sent',
      'portal_user.registered',
    ]);
    // The client's own flow and emails are untouched: the contact's are their own.
    expect(await database.db.invitation.count({ where: { onboardingId: client.onboardingId } })).toBe(0);
    const resendAfter = resendPortalUserInvitation(useCaseDeps(), admin, client.onboardingId, user.portalUserId);
    await expect(resendAfter).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('revokes per user: the link dies, a second revoke is refused with a reason, a resend revives them', async () => {
    const client = await createPayingClient(database.db, org);
    const first = await addContact(client);
    const second = await addContact(client);
    const token = await latestRegistrationToken(deps.outboxDir, first.email);

    const revoked = await revokePortalUserInvitation(
      useCaseDeps(),
      admin,
      client.onboardingId,
      first.user.portalUserId,
    );
    expect(revoked).toMatchObject({ status: 'REVOKED', invitation: { state: 'REVOKED' } });
    expect(await inspectRegistrationLink(database.db, token)).toMatchObject({ usable: false, reason: 'invalid' });
    const again = revokePortalUserInvitation(useCaseDeps(), admin, client.onboardingId, first.user.portalUserId);
    await expect(again).rejects.toBeInstanceOf(AppError);
    await expect(again).rejects.toMatchObject({ code: 'CONFLICT' });
    // The other contact's invitation is theirs alone.
    expect(await contactRow(client, second.user.portalUserId)).toMatchObject({
      status: 'INVITED',
      invitation: { state: 'PENDING' },
    });

    const revived = await resendPortalUserInvitation(
      useCaseDeps(),
      admin,
      client.onboardingId,
      first.user.portalUserId,
    );
    expect(revived).toMatchObject({ status: 'INVITED', invitation: { sequence: 2, state: 'PENDING' } });

    // The primary user's invitation is the client's: not acted on here.
    const primary = (await listPortalUsers(database.db, admin, client.onboardingId)).portalUsers[0]!;
    await expect(
      resendPortalUserInvitation(useCaseDeps(), admin, client.onboardingId, primary.portalUserId),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('ends the flow when staff remove the contact, and sends them nothing more', async () => {
    const client = await createPayingClient(database.db, org);
    const { user, handle, email } = await addContact(client);
    await removePortalUser(useCaseDeps(), admin, client.onboardingId, user.portalUserId);
    expect((await handle.result()).status).toBe('REMOVED');
    await env.sleep('7 days');
    expect(await emailsSent(database.db, client.onboardingId)).toEqual(['portal-invitation']);
    expect(
      await inspectRegistrationLink(database.db, await latestRegistrationToken(deps.outboxDir, email)),
    ).toMatchObject({ usable: false });
  });

  it('a person already registered through a sibling’s invitation confirms with that password, not a new one', async () => {
    const older = await createPayingClient(database.db, org);
    const younger = await createPayingClient(database.db, org);
    const contact = contactOf();
    const first = await addContact(older, contact);
    expect((await register(older, await latestRegistrationToken(deps.outboxDir, contact.email))).outcome).toBe(
      'registered-contact',
    );
    await first.handle.result();

    const second = await addContact(younger, contact);
    expect(second.user.portalUserId).toBe(first.user.portalUserId);
    const token = await latestRegistrationToken(deps.outboxDir, contact.email);
    const refused = await register(younger, token, { password: 'another entirely new passphrase' });
    expect(refused.outcome).toBe('weak-password');
    expect(refused.outcome === 'weak-password' && refused.problem).toContain('already have a portal password');
    expect((await register(younger, token)).outcome).toBe('registered-contact');
    expect((await second.handle.result()).status).toBe('REGISTERED');
  });
});
