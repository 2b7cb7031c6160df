/**
 * Issue 19: a colleague's invitation to the staff dashboard on the
 * time-skipping server with the real activities, database and outbox: the
 * link, one reminder after 3 days, expiry after 7, resend (a new link, the
 * old one dead), revoke, acceptance, and the duplicate email refused.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { listOutbox } from '../../emails/mailer';
import { acceptStaffInvitation, inspectStaffInvitation } from '../../use-cases/accounts/accept-staff-invitation';
import {
  inviteStaffMember,
  listStaffInvitations,
  resendStaffInvitation,
  revokeStaffInvitation,
} from '../../use-cases/accounts/staff-invitations';
import { AppError } from '../../use-cases/app-error';
import type { StaffPrincipal } from '../../use-cases/staff-principal';
import {
  getStaffInvitationStateQuery,
  type staffInvitation,
  staffInvitationWorkflowId,
} from '../../workflows/staff-invitation';
import { testActivityDeps } from '../support/activity-deps';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { eventually } from '../support/service';
import { createTestWorker, createTimeSkippingEnv, testPayloadKeys, testTaskQueue } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let deps: ReturnType<typeof testActivityDeps>;
let worker: Worker;
let workerRun: Promise<void>;
let taskQueue: string;
let org: TestOrganization;
let admin: StaffPrincipal;

const useCaseDeps = () => ({ db: database.db, temporal: env.client, taskQueue, tokenSigningKey: deps.tokenSigningKey });
const PASSWORD = 'violet harbour tuesday kite';

beforeAll(async () => {
  const keys = testPayloadKeys();
  [env, database] = await Promise.all([createTimeSkippingEnv(keys), createTestDatabase()]);
  deps = testActivityDeps(database.db);
  taskQueue = testTaskQueue();
  worker = await createTestWorker(env, { taskQueue, keys, activities: createActivities(deps) });
  workerRun = worker.run();
  org = await createTestOrganization(database.db);
  admin = { staffUserId: org.adminId, organizationId: org.organizationId, role: 'ADMIN', canInvite: true };
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await env?.teardown();
  await database?.drop();
});

/** The tokens of the staff-invitation links emailed to `to`, oldest first. */
async function linksTo(to: string): Promise<string[]> {
  // The outbox lists newest first.
  const messages = (await listOutbox(deps.outboxDir)).reverse();
  return messages
    .filter((message) => message.to === to)
    .map((message) => /\/staff\/[a-z0-9-]+\/invitation\/([A-Za-z0-9_-]{43})/.exec(message.text)?.[1])
    .filter((token): token is string => Boolean(token));
}

async function invite(role: 'ADMIN' | 'THERAPIST' | 'OPS' = 'THERAPIST') {
  const email = `new-${randomUUID().slice(0, 8)}@example.test`;
  const invitation = await inviteStaffMember(
    useCaseDeps(),
    admin,
    { email, displayName: 'Sam Rivera', role, canInvite: true },
    {},
  );
  const handle = env.client.workflow.getHandle<typeof staffInvitation>(staffInvitationWorkflowId(invitation.id));
  await eventually(async () => ((await linksTo(email)).length === 1 ? true : undefined));
  return { invitation, handle, email };
}

const accept = (token: string, password = PASSWORD) =>
  acceptStaffInvitation(
    { db: database.db, temporal: env.client },
    org.organizationId,
    token,
    {
      password,
      passwordConfirmation: password,
    },
    {},
  );

describe('a staff invitation', () => {
  it('emails a link, reminds once after 3 days, expires after 7; a resend gives a new link the invitee accepts', async () => {
    const { invitation, handle, email } = await invite();
    expect(invitation).toMatchObject({ status: 'PENDING', sequence: 1, role: 'THERAPIST', canInvite: true });
    expect(handle.workflowId).not.toContain(email);
    const [first] = await linksTo(email);
    expect(await inspectStaffInvitation(database.db, org.organizationId, first!)).toMatchObject({ live: true });

    await env.sleep('3 days');
    await eventually(async () => ((await linksTo(email)).length === 2 ? true : undefined));
    const reminder = (await listOutbox(deps.outboxDir)).filter((message) => message.to === email)[0];
    expect(reminder?.subject).toMatch(/^Reminder:/);

    await env.sleep('4 days');
    await eventually(async () =>
      (await handle.query(getStaffInvitationStateQuery)).status === 'EXPIRED' ? true : undefined,
    );
    expect(await inspectStaffInvitation(database.db, org.organizationId, first!)).toEqual({
      live: false,
      reason: 'expired',
    });
    expect(await accept(first!)).toEqual({ kind: 'dead', reason: 'expired' });
    // Nothing more after the expiry: one link, one reminder.
    expect(await linksTo(email)).toHaveLength(2);

    const resent = await resendStaffInvitation(useCaseDeps(), admin, invitation.id);
    expect(resent).toMatchObject({ status: 'PENDING', sequence: 2 });
    const links = await linksTo(email);
    expect(links).toHaveLength(3);
    const second = links[2]!;
    expect(second).not.toBe(first);

    expect(await accept(second, 'short')).toMatchObject({ kind: 'invalid' });
    const accepted = await accept(second);
    expect(accepted).toMatchObject({ kind: 'accepted', secondFactorOwed: false });
    const account = await database.db.staffUser.findUniqueOrThrow({
      where: { organizationId_email: { organizationId: org.organizationId, email } },
    });
    expect(account).toMatchObject({ role: 'THERAPIST', canInvite: true, displayName: 'Sam Rivera' });
    expect(account.passwordHash).toBeTruthy();
    expect(await handle.result()).toMatchObject({ status: 'ACCEPTED' });
    expect(await accept(second)).toEqual({ kind: 'dead', reason: 'used' });
    await expect(resendStaffInvitation(useCaseDeps(), admin, invitation.id)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const audits = await database.db.auditEvent.findMany({
      where: { organizationId: org.organizationId, action: { startsWith: 'staff.invit' } },
      select: { action: true, detail: true },
    });
    expect(audits.map((row) => row.action)).toEqual(
      expect.arrayContaining(['staff.invite', 'staff.invitation_resend', 'staff.invitation_accept']),
    );
    // Ids and roles only in the trail: never the invitee's email or name.
    expect(JSON.stringify(audits)).not.toContain(email);
  });

  it('a revoked link is dead at once, a second revoke is refused, and a resend revives it', async () => {
    const { invitation, email } = await invite('OPS');
    expect(invitation.canInvite).toBe(false);
    const [first] = await linksTo(email);
    expect(await revokeStaffInvitation(useCaseDeps(), admin, invitation.id)).toMatchObject({ status: 'REVOKED' });
    expect(await inspectStaffInvitation(database.db, org.organizationId, first!)).toEqual({
      live: false,
      reason: 'revoked',
    });
    const again = revokeStaffInvitation(useCaseDeps(), admin, invitation.id);
    await expect(again).rejects.toBeInstanceOf(AppError);
    await expect(again).rejects.toMatchObject({
      code: 'CONFLICT',
      publicMessage: 'This invitation is already revoked.',
    });
    await resendStaffInvitation(useCaseDeps(), admin, invitation.id);
    const links = await linksTo(email);
    expect(links).toHaveLength(2);
    expect(await inspectStaffInvitation(database.db, org.organizationId, links[1]!)).toMatchObject({ live: true });
  });

  it('an email with an active account, or a pending invitation, is refused with a 409 and writes nothing', async () => {
    const { email } = await invite();
    const before = await database.db.staffInvitation.count();
    const existing = await database.db.staffUser.findUniqueOrThrow({ where: { id: org.therapistId } });
    for (const taken of [existing.email, email]) {
      await expect(
        inviteStaffMember(
          useCaseDeps(),
          admin,
          { email: taken, displayName: 'Again', role: 'OPS', canInvite: false },
          {},
        ),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    }
    expect(await database.db.staffInvitation.count()).toBe(before);
    expect((await listStaffInvitations(database.db, admin)).invitations.length).toBe(before);
  });

  it('only admins invite', async () => {
    const therapist: StaffPrincipal = {
      staffUserId: org.permittedTherapistId,
      organizationId: org.organizationId,
      role: 'THERAPIST',
      canInvite: true,
    };
    await expect(
      inviteStaffMember(
        useCaseDeps(),
        therapist,
        { email: 'x@example.test', displayName: 'X', role: 'ADMIN', canInvite: false },
        {},
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
