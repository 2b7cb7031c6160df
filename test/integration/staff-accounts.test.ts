/**
 * Staff accounts without SQL (issue 19), over HTTP: an admin lists the
 * practice's staff, gives a therapist the invite permission, promotes and
 * demotes, and can never leave the practice without an active admin (not even
 * when two admins demote each other at once); deactivating a therapist ends
 * their sessions and keys at once, stops their sign-in and notices, and lists
 * their clients, which one call then moves to a colleague. Bad input is a 400
 * that writes nothing; only admins manage staff; every change is audited.
 */
import { randomBytes } from 'node:crypto';
import type { TErrorResponse } from '../../schemas/error-response';
import type { TClientsReassigned, TStaffDeactivated, TStaffList, TStaffMember } from '../../schemas/staff';
import { hashToken, randomToken } from '../../security/tokens';
import { staffToNotify } from '../../activities/staff-recipients';
import { currentStaff, openStaffSession, signInStaff } from '../../use-cases/accounts/staff-sessions';
import {
  chartCreatedWebhook,
  createTestOrganization,
  newOnboarding,
  type TestOrganization,
} from '../support/factories';
import { startTestService, type TestService } from '../support/service';
import { setStaffPassword, STAFF_PASSWORD, StaffPages } from '../support/staff-login';

let service: TestService;
let org: TestOrganization;
let other: TestOrganization;

beforeAll(async () => {
  service = await startTestService();
  [org, other] = await Promise.all([
    createTestOrganization(service.database.db),
    createTestOrganization(service.database.db),
  ]);
});

afterAll(async () => {
  await service?.stop();
});

async function call(method: string, path: string, key: string, body?: unknown) {
  return fetch(`${service.api.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** A new staff member of `of` with an API key, for tests that change or end them. */
async function colleague(of: TestOrganization, role: 'ADMIN' | 'THERAPIST' | 'OPS' = 'THERAPIST') {
  const { db } = service.database;
  const suffix = randomBytes(3).toString('hex');
  const member = await db.staffUser.create({
    data: {
      organizationId: of.organizationId,
      email: `colleague-${suffix}@practice.test`,
      displayName: `Colleague ${suffix}`,
      role,
    },
  });
  const key = randomToken();
  await db.staffApiKey.create({
    data: { organizationId: of.organizationId, staffUserId: member.id, name: 'colleague', keyHash: hashToken(key) },
  });
  return { id: member.id, email: member.email, key };
}

async function auditOf(staffUserId: string): Promise<string[]> {
  const rows = await service.database.db.auditEvent.findMany({
    where: { organizationId: org.organizationId, action: { startsWith: 'staff.' }, outcome: 'success' },
    orderBy: { occurredAt: 'asc' },
    select: { action: true, detail: true },
  });
  return rows
    .filter((row) => {
      const detail = row.detail as Record<string, unknown>;
      return detail.staffUserId === staffUserId || detail.fromStaffUserId === staffUserId;
    })
    .map((row) => row.action);
}

it('an admin lists the practice’s staff, without passwords, and gives a therapist the invite permission', async () => {
  const list = (await (await call('GET', '/v1/staff', org.keys.admin)).json()) as TStaffList;
  const ids = list.staff.map((member) => member.id);
  expect(ids).toEqual(expect.arrayContaining([org.adminId, org.therapistId, org.permittedTherapistId]));
  expect(ids).not.toContain(other.adminId);
  expect(JSON.stringify(list)).not.toMatch(/passwordHash|argon2/);

  const changed = await call('PATCH', `/v1/staff/${org.therapistId}`, org.keys.admin, { canInvite: true });
  expect(changed.status).toBe(200);
  expect(((await changed.json()) as TStaffMember).canInvite).toBe(true);
  // The permission is the therapist's at once (seed 003).
  const { input } = await newOnboarding(service.database.db, org.organizationId, { assignedStaffId: org.therapistId });
  expect((await call('POST', `/v1/onboardings/${input.onboardingId}/cancel`, org.keys.therapist)).status).not.toBe(403);
  expect(await auditOf(org.therapistId)).toContain('staff.update');
});

it('the only active admin cannot be demoted; once another admin exists, they can', async () => {
  const refused = await call('PATCH', `/v1/staff/${org.adminId}`, org.keys.admin, { role: 'THERAPIST' });
  expect(refused.status).toBe(409);
  expect(((await refused.json()) as TErrorResponse).error.message).toContain('only active administrator');
  expect((await service.database.db.staffUser.findUniqueOrThrow({ where: { id: org.adminId } })).role).toBe('ADMIN');

  const second = await colleague(org, 'THERAPIST');
  expect((await call('PATCH', `/v1/staff/${second.id}`, org.keys.admin, { role: 'ADMIN' })).status).toBe(200);
  expect((await call('PATCH', `/v1/staff/${second.id}`, second.key, { role: 'OPS' })).status).toBe(200);
  // Back to one admin: refused again.
  expect((await call('PATCH', `/v1/staff/${org.adminId}`, org.keys.admin, { role: 'OPS' })).status).toBe(409);
});

it('two admins demoting each other at the same moment leave one admin', async () => {
  const practice = await createTestOrganization(service.database.db);
  const second = await colleague(practice, 'ADMIN');
  const answers = await Promise.all([
    call('PATCH', `/v1/staff/${second.id}`, practice.keys.admin, { role: 'THERAPIST' }),
    call('PATCH', `/v1/staff/${practice.adminId}`, second.key, { role: 'THERAPIST' }),
  ]);
  // One wins. The other is refused: by the last-admin guard if it got that far (409), or,
  // when the winner demoted its caller first, because its caller is no longer an admin (403).
  const [won, refused] = answers.map((answer) => answer.status).sort();
  expect(won).toBe(200);
  expect([403, 409]).toContain(refused);
  const admins = await service.database.db.staffUser.count({
    where: { organizationId: practice.organizationId, role: 'ADMIN', deactivatedAt: null },
  });
  expect(admins).toBe(1);
});

it('deactivating a therapist ends their sessions and keys, stops sign-in and notices, and lists their clients to move', async () => {
  const { db } = service.database;
  const leaving = await colleague(org);
  await setStaffPassword(db, leaving.id);
  const session = await openStaffSession(db, leaving.id);
  const { input } = await newOnboarding(db, org.organizationId, { assignedStaffId: leaving.id });
  expect((await call('GET', `/v1/onboardings/${input.onboardingId}`, leaving.key)).status).toBe(200);

  const answer = await call('POST', `/v1/staff/${leaving.id}/deactivate`, org.keys.admin);
  expect(answer.status).toBe(200);
  const result = (await answer.json()) as TStaffDeactivated;
  expect(result).toMatchObject({ sessionsEnded: 1, apiKeysRevoked: 1, staffMember: { active: false } });
  expect(result.clientsToReassign.map((client) => client.onboardingId)).toEqual([input.onboardingId]);
  expect(JSON.stringify(result)).not.toContain(input.chart.client.lastName);

  expect((await call('GET', `/v1/onboardings/${input.onboardingId}`, leaving.key)).status).toBe(401);
  expect(await currentStaff(db, session)).toBeNull();
  expect(await signInStaff(db, org.organizationId, leaving.email, STAFF_PASSWORD)).toBeNull();
  expect((await staffToNotify(db, org.organizationId, leaving.id)).map((member) => member.id)).not.toContain(
    leaving.id,
  );
  expect((await call('POST', `/v1/staff/${leaving.id}/deactivate`, org.keys.admin)).status).toBe(409);
  // The EHR cannot give them new clients either: a chart naming them is refused, and nothing starts.
  const base = chartCreatedWebhook({ invite: false });
  const chart = { ...base, data: { ...base.data, clinicianEmail: leaving.email } };
  const webhook = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, chart);
  expect(webhook.status).toBe(422);
  expect(((await webhook.json()) as TErrorResponse).error.code).toBe('UNKNOWN_CLINICIAN');

  // The clients move in one call; the new clinician reaches them.
  const taking = await colleague(org);
  const moved = await call('POST', `/v1/staff/${leaving.id}/reassign-clients`, org.keys.admin, {
    toStaffUserId: taking.id,
  });
  expect(moved.status).toBe(200);
  expect(((await moved.json()) as TClientsReassigned).moved).toBe(1);
  expect((await call('GET', `/v1/onboardings/${input.onboardingId}`, taking.key)).status).toBe(200);
  expect(await auditOf(leaving.id)).toEqual(['staff.deactivate', 'staff.reassign_clients']);
});

it('an admin cannot deactivate their own account', async () => {
  const answer = await call('POST', `/v1/staff/${org.adminId}/deactivate`, org.keys.admin);
  expect(answer.status).toBe(409);
  expect((await call('GET', '/v1/staff', org.keys.admin)).status).toBe(200);
});

it.each([
  ['an unknown role', 'PATCH', 'self', { role: 'OWNER' }],
  ['an empty change', 'PATCH', 'self', {}],
  ['an unknown field', 'PATCH', 'self', { email: 'x@example.test' }],
  ['clients moved to an ops engineer', 'REASSIGN', 'ops', {}],
  ['clients moved to another practice’s therapist', 'REASSIGN', 'other', {}],
  ['clients moved to the same therapist', 'REASSIGN', 'same', {}],
])('%s is a 400 that writes nothing', async (_case, kind, target, body) => {
  const { db } = service.database;
  const before = await db.staffUser.findMany({ where: { organizationId: org.organizationId }, orderBy: { id: 'asc' } });
  const audits = await db.auditEvent.count({ where: { organizationId: org.organizationId } });
  const to = { ops: (await colleague(org, 'OPS')).id, other: other.therapistId, same: org.therapistId }[
    target as 'ops' | 'other' | 'same'
  ];
  const response =
    kind === 'PATCH'
      ? await call('PATCH', `/v1/staff/${org.therapistId}`, org.keys.admin, body)
      : await call('POST', `/v1/staff/${org.therapistId}/reassign-clients`, org.keys.admin, { toStaffUserId: to });
  expect(response.status).toBe(400);
  expect(((await response.json()) as TErrorResponse).error.fields?.length).toBeGreaterThan(0);
  const after = await db.staffUser.findMany({
    where: { organizationId: org.organizationId, id: { in: before.map((member) => member.id) } },
    orderBy: { id: 'asc' },
  });
  expect(after).toEqual(before);
  expect(await db.auditEvent.count({ where: { organizationId: org.organizationId } })).toBe(audits);
});

it('only admins manage staff, and another practice’s staff member is not found', async () => {
  for (const key of [org.keys.therapist, org.keys.permittedTherapist, org.keys.ops]) {
    expect((await call('GET', '/v1/staff', key)).status).toBe(403);
    expect((await call('PATCH', `/v1/staff/${org.therapistId}`, key, { canInvite: false })).status).toBe(403);
  }
  expect((await call('PATCH', `/v1/staff/${org.therapistId}`, other.keys.admin, { canInvite: false })).status).toBe(
    404,
  );
  expect((await call('POST', `/v1/staff/${org.therapistId}/deactivate`, other.keys.admin)).status).toBe(404);
});

it('another practice’s admin cannot open or deactivate this practice’s staff from their pages', async () => {
  const { db } = service.database;
  const stranger = new StaffPages(service.api.url);
  expect((await stranger.signIn(other.slug, await setStaffPassword(db, other.adminId))).status).toBe(303);
  const target = await colleague(org);
  const page = await stranger.get(`/staff/${other.slug}/staff-accounts/${target.id}`);
  expect(page.response.status).toBe(404);
  expect(page.html).not.toContain(target.email);
  const posted = await stranger.post(
    `/staff/${other.slug}/staff-accounts/${target.id}/deactivate`,
    { confirm: 'yes' },
    `/staff/${other.slug}/staff-accounts`,
  );
  expect(posted.response.status).toBe(404);
  expect((await db.staffUser.findUniqueOrThrow({ where: { id: target.id } })).deactivatedAt).toBeNull();
  expect((await call('GET', '/v1/forms', target.key)).status).toBe(200);
});
