/**
 * API keys without SQL (issue 19), over HTTP: an admin makes a key with a
 * name, a scope and an expiry and sees it once; the key works within its
 * scope and shows when it was last used; the list never shows a key; a
 * revoked key and an expired key are refused; a key made before scopes (as
 * the tests' factories and `npm start` make them) keeps working; bad input is
 * a 400 that writes nothing; only admins manage keys; every change is audited.
 */
import { randomUUID } from 'node:crypto';
import type { TApiKey, TApiKeyCreated, TApiKeyList } from '../../schemas/api-keys';
import type { TErrorResponse } from '../../schemas/error-response';
import { hashToken } from '../../security/tokens';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { startTestService, type TestService } from '../support/service';

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

const inDays = (days: number) => new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString();

async function keyRows() {
  return service.database.db.staffApiKey.count({ where: { organizationId: org.organizationId } });
}

async function auditActions(): Promise<string[]> {
  const rows = await service.database.db.auditEvent.findMany({
    where: { organizationId: org.organizationId, action: { startsWith: 'api_key.' } },
    orderBy: { occurredAt: 'asc' },
    select: { action: true, detail: true },
  });
  return rows.map((row) => `${row.action} ${(row.detail as { apiKeyId?: string }).apiKeyId ?? ''}`.trim());
}

it('an admin makes a read key, sees it once, and it reads but does not act, showing when it was last used', async () => {
  const expiresAt = inDays(30);
  const made = await call('POST', '/v1/api-keys', org.keys.admin, { name: 'Reporting', scope: 'read', expiresAt });
  expect(made.status).toBe(201);
  const created = (await made.json()) as TApiKeyCreated;
  expect(created.secret).toMatch(/^cpo_[A-Za-z0-9_-]{43}$/);
  expect(created.apiKey).toMatchObject({
    name: 'Reporting',
    scope: 'read',
    status: 'active',
    lastUsedAt: null,
    revokedAt: null,
    staffUser: { id: org.adminId, role: 'ADMIN' },
  });
  expect(created.apiKey.prefix).toBe(created.secret.slice(0, 8));
  expect(new Date(created.apiKey.expiresAt!).toISOString()).toBe(expiresAt);
  // Only the hash is stored.
  const row = await service.database.db.staffApiKey.findUniqueOrThrow({ where: { id: created.apiKey.id } });
  expect(row.keyHash).toBe(hashToken(created.secret));
  expect(JSON.stringify(row)).not.toContain(created.secret);

  expect((await call('GET', '/v1/forms', created.secret)).status).toBe(200);
  const refused = await call('PATCH', '/v1/practice/settings', created.secret, { brandColor: '#123456' });
  expect(refused.status).toBe(403);
  expect(((await refused.json()) as TErrorResponse).error.code).toBe('INSUFFICIENT_SCOPE');

  const list = (await (await call('GET', '/v1/api-keys', org.keys.admin)).json()) as TApiKeyList;
  expect(JSON.stringify(list)).not.toContain(created.secret);
  const listed = list.apiKeys.find((key) => key.id === created.apiKey.id)!;
  expect(listed.lastUsedAt).not.toBeNull();
  expect(listed.createdAt).toBe(created.apiKey.createdAt);
  expect(list.apiKeys[0]!.id).toBe(created.apiKey.id);
  expect(await auditActions()).toContain(`api_key.create ${created.apiKey.id}`);
});

it('a revoked key is refused at once, and revoking twice changes nothing', async () => {
  const created = (await (
    await call('POST', '/v1/api-keys', org.keys.admin, { name: 'Runbook', scope: 'ops' })
  ).json()) as TApiKeyCreated;
  expect(created.apiKey.expiresAt).toBeNull();
  expect((await call('GET', '/v1/ops/onboardings', created.secret)).status).toBe(200);

  const revoked = await call('POST', `/v1/api-keys/${created.apiKey.id}/revoke`, org.keys.admin);
  expect(revoked.status).toBe(200);
  const view = (await revoked.json()) as TApiKey;
  expect(view.status).toBe('revoked');
  expect((await call('GET', '/v1/ops/onboardings', created.secret)).status).toBe(401);

  const again = await call('POST', `/v1/api-keys/${created.apiKey.id}/revoke`, org.keys.admin);
  expect(again.status).toBe(200);
  expect(((await again.json()) as TApiKey).revokedAt).toBe(view.revokedAt);
  expect((await auditActions()).filter((line) => line === `api_key.revoke ${created.apiKey.id}`)).toHaveLength(1);
});

it('an expired key is refused, with no hint that it ever existed', async () => {
  const created = (await (
    await call('POST', '/v1/api-keys', org.keys.admin, { name: 'Short-lived', scope: 'act', expiresAt: inDays(1) })
  ).json()) as TApiKeyCreated;
  expect((await call('GET', '/v1/forms', created.secret)).status).toBe(200);
  await service.database.db.staffApiKey.update({
    where: { id: created.apiKey.id },
    data: { expiresAt: new Date(Date.now() - 1000) },
  });
  const refused = await call('GET', '/v1/forms', created.secret);
  expect(refused.status).toBe(401);
  const unknown = await call('GET', '/v1/forms', `cpo_${'x'.repeat(43)}`);
  expect(((await refused.json()) as TErrorResponse).error.message).toBe(
    ((await unknown.json()) as TErrorResponse).error.message,
  );
  const list = (await (await call('GET', '/v1/api-keys', org.keys.admin)).json()) as TApiKeyList;
  expect(list.apiKeys.find((key) => key.id === created.apiKey.id)?.status).toBe('expired');
});

it('keys made before scopes (no prefix, no scope given) keep every power of their role', async () => {
  const row = await service.database.db.staffApiKey.findFirstOrThrow({
    where: { staffUserId: org.adminId, name: 'test' },
  });
  expect(row.scope).toBe('ADMIN');
  expect(row.keyPrefix).toBeNull();
  expect((await call('GET', '/v1/practice/settings', org.keys.admin)).status).toBe(200);
  expect((await call('GET', '/v1/ops/onboardings', org.keys.ops)).status).toBe(200);
});

it('an admin makes a key for a colleague, whose role still caps it', async () => {
  const made = await call('POST', '/v1/api-keys', org.keys.admin, {
    name: 'Therapist tool',
    scope: 'admin',
    staffUserId: org.therapistId,
  });
  expect(made.status).toBe(201);
  const created = (await made.json()) as TApiKeyCreated;
  expect(created.apiKey.staffUser.id).toBe(org.therapistId);
  const refused = await call('GET', '/v1/practice/settings', created.secret);
  expect(refused.status).toBe(403);
  expect(((await refused.json()) as TErrorResponse).error.code).toBe('FORBIDDEN');
});

it.each([
  ['no name', { scope: 'read' }],
  ['an unknown scope', { name: 'x', scope: 'write' }],
  ['an expiry in the past', { name: 'x', scope: 'read', expiresAt: inDays(-1) }],
  ['an expiry more than a year away', { name: 'x', scope: 'read', expiresAt: inDays(400) }],
  ['an expiry that is not a date', { name: 'x', scope: 'read', expiresAt: 'tomorrow' }],
  ['another practice’s staff member', { name: 'x', scope: 'read', staffUserId: 'OTHER' }],
  ['a staff member who does not exist', { name: 'x', scope: 'read', staffUserId: randomUUID() }],
  ['an unknown field', { name: 'x', scope: 'read', owner: 'me' }],
])('%s is a 400 that says which field and makes no key', async (_case, body) => {
  const before = await keyRows();
  const audits = (await auditActions()).length;
  const sent = 'staffUserId' in body && body.staffUserId === 'OTHER' ? { ...body, staffUserId: other.adminId } : body;
  const response = await call('POST', '/v1/api-keys', org.keys.admin, sent);
  expect(response.status).toBe(400);
  const { error } = (await response.json()) as TErrorResponse;
  expect(error.code).toBe('VALIDATION_FAILED');
  expect(error.fields?.length).toBeGreaterThan(0);
  expect(await keyRows()).toBe(before);
  expect((await auditActions()).length).toBe(audits);
});

it('only admins manage keys, and another practice’s key is not found', async () => {
  for (const key of [org.keys.therapist, org.keys.permittedTherapist, org.keys.ops]) {
    expect((await call('GET', '/v1/api-keys', key)).status).toBe(403);
    expect((await call('POST', '/v1/api-keys', key, { name: 'x', scope: 'admin' })).status).toBe(403);
  }
  const mine = (await (
    await call('POST', '/v1/api-keys', org.keys.admin, { name: 'Mine', scope: 'read' })
  ).json()) as TApiKeyCreated;
  const theirs = await call('POST', `/v1/api-keys/${mine.apiKey.id}/revoke`, other.keys.admin);
  expect(theirs.status).toBe(404);
  expect((await call('GET', '/v1/forms', mine.secret)).status).toBe(200);
  const list = (await (await call('GET', '/v1/api-keys', other.keys.admin)).json()) as TApiKeyList;
  expect(list.apiKeys.map((key) => key.id)).not.toContain(mine.apiKey.id);
});
