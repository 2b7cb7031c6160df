/**
 * The audit trail answers "who saw or changed this client's record": every
 * EHR delivery, chart write, invitation, staff read and action, registration
 * attempt and sign-in, with who, when, from where and the outcome. Only
 * admins read it, only for their own clients, and nobody can rewrite it.
 */
import { randomUUID } from 'node:crypto';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TErrorResponse } from '../../schemas/error-response';
import type { TClientAuditResponse } from '../../schemas/audit';
import type { TOnboardingResponse } from '../../schemas/onboarding';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { emailsSent } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';

let service: TestService;
let org: TestOrganization;
let other: TestOrganization;

beforeAll(async () => {
  service = await startTestService();
  await service.startWorker();
  [org, other] = await Promise.all([
    createTestOrganization(service.database.db),
    createTestOrganization(service.database.db),
  ]);
});

afterAll(async () => {
  await service?.stop();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function invitedClient() {
  const event = chartCreatedWebhook();
  const { onboardingId } = (await (
    await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event)
  ).json()) as TWebhookAccepted;
  await eventually(async () => ((await emailsSent(service.database.db, onboardingId)).length === 1 ? true : undefined));
  const onboarding = (await (
    await service.get(`/v1/onboardings/${onboardingId}`, bearer(org.keys.admin))
  ).json()) as TOnboardingResponse;
  return { onboardingId, clientId: onboarding.clientId! };
}

it('records who touched a client, from where, and how it ended', async () => {
  const { onboardingId, clientId } = await invitedClient();
  await service.post(`/v1/onboardings/${onboardingId}/invitation/resend`, {}, bearer(org.keys.therapist)); // denied
  await service.post(`/v1/onboardings/${onboardingId}/invitation/resend`, {}, bearer(org.keys.admin));
  await service.get(`/v1/onboardings/${onboardingId}`, bearer(other.keys.admin)); // another practice: denied

  const response = await service.get(`/v1/clients/${clientId}/audit`, bearer(org.keys.admin));
  expect(response.status).toBe(200);
  const { events } = (await response.json()) as TClientAuditResponse;
  const story = events
    .slice()
    .reverse()
    .map((event) => `${event.actor.type} ${event.action} ${event.outcome}`);
  expect(story).toEqual([
    'system chart.create success',
    'system invitation.send success',
    'staff onboarding.read success',
    'staff invitation.resend denied',
    'staff invitation.send success',
    'staff invitation.resend success',
  ]);
  const read = events.find((event) => event.action === 'onboarding.read')!;
  expect(read.actor.id).toEqual(expect.any(String));
  expect(read.ip).toMatch(/127\.0\.0\.1/);
  expect(read.requestId).toEqual(expect.any(String));
  // The trail holds ids and codes, never the client's details.
  const { lastName, email } = (await service.database.db.client.findUniqueOrThrow({ where: { id: clientId } })) as {
    lastName: string;
    email: string;
  };
  expect(JSON.stringify(events)).not.toContain(lastName);
  expect(JSON.stringify(events)).not.toContain(email);

  // Another practice's attempt is on that practice's own trail, without naming our client.
  const theirs = await service.database.db.auditEvent.findMany({ where: { organizationId: other.organizationId } });
  expect(theirs.map((event) => [event.action, event.outcome, event.clientId])).toEqual([
    ['onboarding.read', 'denied', null],
  ]);
});

it('records a therapist refused a colleague’s client on that client’s trail, answered like an unknown id', async () => {
  const { onboardingId, clientId } = await invitedClient();
  const asTherapist = bearer(org.keys.permittedTherapist);
  const theirs = await service.get(`/v1/onboardings/${onboardingId}`, asTherapist);
  const nowhere = await service.get(`/v1/onboardings/${randomUUID()}`, asTherapist);
  expect(theirs.status).toBe(404);
  const body = (await theirs.json()) as TErrorResponse;
  expect({ status: nowhere.status, message: ((await nowhere.json()) as TErrorResponse).error.message }).toEqual({
    status: 404,
    message: body.error.message,
  });
  expect((await service.get(`/v1/onboardings/${onboardingId}/forms`, asTherapist)).status).toBe(404);

  const { events } = (await (
    await service.get(`/v1/clients/${clientId}/audit`, bearer(org.keys.admin))
  ).json()) as TClientAuditResponse;
  const refusals = events.filter((event) => event.actor.id === org.permittedTherapistId);
  expect(refusals.map((event) => [event.action, event.outcome, event.detail]).reverse()).toEqual([
    ['onboarding.read', 'denied', { code: 'NOT_FOUND', scope: 'not_assigned' }],
    ['forms.list', 'denied', { code: 'NOT_FOUND', scope: 'not_assigned' }],
  ]);
});

it('records every chart.created delivery of the EHR', async () => {
  const { onboardingId } = await invitedClient();
  const deliveries = await service.database.db.auditEvent.findMany({
    where: { organizationId: org.organizationId, action: 'chart.receive', onboardingId },
  });
  expect(deliveries).toHaveLength(1);
  expect(deliveries[0]).toMatchObject({ actorType: 'ehr_integration', actorId: org.integrationId, outcome: 'success' });
});

it('is for admins of the client’s own practice only', async () => {
  const { clientId } = await invitedClient();
  expect((await service.get(`/v1/clients/${clientId}/audit`)).status).toBe(401);
  expect((await service.get(`/v1/clients/${clientId}/audit`, bearer(org.keys.permittedTherapist))).status).toBe(403);
  expect((await service.get(`/v1/clients/${clientId}/audit`, bearer(other.keys.admin))).status).toBe(404);
  expect((await service.get(`/v1/clients/not-a-uuid/audit`, bearer(org.keys.admin))).status).toBe(400);
});

it('cannot be rewritten or erased: the service lacks the privilege, and the trigger refuses even the owner', async () => {
  const { db, ownerDb, kind } = service.database;
  // PGlite has one session, the owner's, so there the service meets the trigger (test/db/append-only-trails.test.ts).
  const refusal = kind === 'postgresql' ? /permission denied/ : /append-only/;
  await expect(db.auditEvent.updateMany({ data: { outcome: 'success' } })).rejects.toThrow(refusal);
  await expect(db.auditEvent.deleteMany({})).rejects.toThrow(refusal);
  await expect(db.$executeRawUnsafe('TRUNCATE audit_event')).rejects.toThrow(
    kind === 'postgresql' ? /permission denied/ : /TRUNCATE refused/,
  );
  await expect(ownerDb.auditEvent.updateMany({ data: { outcome: 'success' } })).rejects.toThrow(/append-only/);
  await expect(ownerDb.auditEvent.deleteMany({})).rejects.toThrow(/append-only/);
  await expect(ownerDb.$executeRawUnsafe('TRUNCATE audit_event')).rejects.toThrow(/TRUNCATE refused/);
  expect(await db.auditEvent.count()).toBeGreaterThan(0);
});
