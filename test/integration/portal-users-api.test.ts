/**
 * Issue 15: staff list, add, edit and remove the portal users of a client
 * through the API. One email is one person per practice: a parent added to
 * a second child is the same portal user. Bad input writes nothing.
 */
import type { TErrorResponse } from '../../schemas/error-response';
import type { TPortalUser, TPortalUsersResponse } from '../../schemas/portal-users';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { timelineOf } from '../support/invitations';
import { createPayingClient } from '../support/payments';
import { startTestService, type TestService } from '../support/service';

let service: TestService;
let org: TestOrganization;

beforeAll(async () => {
  service = await startTestService();
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await service?.stop();
});

const call = (method: string, path: string, body?: unknown, key = org.keys.admin) =>
  fetch(`${service.api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const usersPath = (onboardingId: string) => `/v1/onboardings/${onboardingId}/portal-users`;

it('adds a parent to two children as one person, edits and removes them', async () => {
  const { db } = service.database;
  const first = await createPayingClient(db, org);
  const second = await createPayingClient(db, org);
  const parent = {
    name: 'Pat Parent',
    email: 'Pat.Parent@Example.test',
    relationship: 'PARENT',
    permissions: ['BASIC'],
  };

  const added = await call('POST', usersPath(first.onboardingId), parent);
  expect(added.status).toBe(201);
  const user = (await added.json()) as TPortalUser;
  expect(user).toMatchObject({
    email: 'pat.parent@example.test',
    relationship: 'PARENT',
    isPrimary: false,
    permissions: ['BASIC'],
    status: 'INVITED',
  });

  // The same email for a sibling: the same person, not a second login.
  const again = await call('POST', usersPath(second.onboardingId), { ...parent, permissions: ['BASIC', 'BILLING'] });
  expect(again.status).toBe(201);
  expect(((await again.json()) as TPortalUser).portalUserId).toBe(user.portalUserId);
  expect(
    await db.portalUser.count({ where: { organizationId: org.organizationId, email: 'pat.parent@example.test' } }),
  ).toBe(1);

  // Twice for the same child is refused.
  expect((await call('POST', usersPath(first.onboardingId), parent)).status).toBe(409);

  const list = (await (await call('GET', usersPath(first.onboardingId))).json()) as TPortalUsersResponse;
  expect(list.portalUsers.map((row) => [row.isPrimary, row.email])).toEqual([
    [true, first.email],
    [false, 'pat.parent@example.test'],
  ]);

  const edited = await call('PATCH', `${usersPath(first.onboardingId)}/${user.portalUserId}`, {
    permissions: ['BASIC', 'FORMS'],
    relationship: 'GUARDIAN',
  });
  expect(edited.status).toBe(200);
  expect((await edited.json()) as TPortalUser).toMatchObject({
    permissions: ['BASIC', 'FORMS'],
    relationship: 'GUARDIAN',
  });

  // The primary is changed with Change Ownership, not removed.
  const primaryId = list.portalUsers[0]!.portalUserId;
  const refused = await call('DELETE', `${usersPath(first.onboardingId)}/${primaryId}`);
  expect(refused.status).toBe(409);
  expect(((await refused.json()) as TErrorResponse).error.message).toMatch(/Change Ownership/);

  expect((await call('DELETE', `${usersPath(first.onboardingId)}/${user.portalUserId}`)).status).toBe(204);
  expect((await call('DELETE', `${usersPath(first.onboardingId)}/${user.portalUserId}`)).status).toBe(404);
  // Still the sibling's portal user.
  const secondList = (await (await call('GET', usersPath(second.onboardingId))).json()) as TPortalUsersResponse;
  expect(secondList.portalUsers.map((row) => row.portalUserId)).toContain(user.portalUserId);

  expect(await timelineOf(db, first.onboardingId)).toEqual(
    expect.arrayContaining(['portal_user.added', 'portal_user.updated', 'portal_user.removed']),
  );
  const trail = await db.auditEvent.findMany({
    where: { onboardingId: first.onboardingId, outcome: 'success', action: { startsWith: 'portal_user' } },
    select: { action: true },
  });
  expect(trail.map((row) => row.action)).toEqual(
    expect.arrayContaining(['portal_users.read', 'portal_user.add', 'portal_user.update', 'portal_user.remove']),
  );
});

it('refuses bad input with a 400 and writes nothing', async () => {
  const { db } = service.database;
  const client = await createPayingClient(db, org);
  const before = await db.clientPortalAccess.count({ where: { clientId: client.holder.clientId } });
  const valid = { name: 'Sam', email: 'sam@example.test', relationship: 'SPOUSE', permissions: ['BASIC'] };
  for (const body of [
    { ...valid, email: 'not-an-email' },
    { ...valid, relationship: 'CLIENT' },
    { ...valid, permissions: [] },
    { ...valid, permissions: ['BASIC', 'BASIC'] },
    { ...valid, permissions: ['ROOT'] },
    { ...valid, name: '   ' },
    { ...valid, isPrimary: true },
  ]) {
    const response = await call('POST', usersPath(client.onboardingId), body);
    expect([body, response.status]).toEqual([body, 400]);
  }
  const primary = client.holder.portalAccountId;
  expect((await call('PATCH', `${usersPath(client.onboardingId)}/${primary}`, {})).status).toBe(400);
  expect((await call('PATCH', `${usersPath(client.onboardingId)}/not-a-uuid`, { permissions: ['BASIC'] })).status).toBe(
    400,
  );
  expect(await db.clientPortalAccess.count({ where: { clientId: client.holder.clientId } })).toBe(before);
  expect(await db.portalUser.count({ where: { email: 'sam@example.test' } })).toBe(0);
});

it('lets only inviters change portal users, keeps contacts from ops, and hides other practices’ clients', async () => {
  const client = await createPayingClient(service.database.db, org);
  const body = { name: 'Lee', email: 'lee@example.test', relationship: 'OTHER', permissions: ['BASIC'] };
  expect((await call('POST', usersPath(client.onboardingId), body, org.keys.therapist)).status).toBe(403);
  expect((await call('GET', usersPath(client.onboardingId), undefined, org.keys.ops)).status).toBe(403);
  const other = await createTestOrganization(service.database.db);
  expect((await call('GET', usersPath(client.onboardingId), undefined, other.keys.admin)).status).toBe(404);
  expect((await call('POST', usersPath(client.onboardingId), body, other.keys.admin)).status).toBe(404);
  expect(await service.database.db.portalUser.count({ where: { email: 'lee@example.test' } })).toBe(0);
});
