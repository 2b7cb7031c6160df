/**
 * Issue 15, item 3: contacts named by the EHR become portal users through the
 * real stack (signed webhook → API → Temporal dev server → worker → database):
 * in chart.created they are invited after the client, each with their own
 * link; client.contacts_updated adds, updates and removes them, once per
 * webhook-id; bad input writes nothing; their PHI stays out of workflow ids.
 */
import { randomUUID } from 'node:crypto';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TContactsAccepted, TContactsUpdatedWebhook } from '../../schemas/ehr-contacts';
import type { TErrorResponse } from '../../schemas/error-response';
import { portalUserInvitationWorkflowId } from '../../workflows/portal-user-invitation';
import {
  chartCreatedWebhook,
  createTestOrganization,
  signedWebhookHeaders,
  type TestOrganization,
} from '../support/factories';
import { timelineOf } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';

let service: TestService;
let org: TestOrganization;
let webhookPath: string;

beforeAll(async () => {
  service = await startTestService();
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
  webhookPath = `/v1/webhooks/ehr/${org.integrationId}`;
});

afterAll(async () => {
  await service?.stop();
});

const unique = () => randomUUID().slice(0, 8);

function contact(relationship: 'PARENT' | 'GUARDIAN' | 'SPOUSE' | 'OTHER', permissions?: string[]) {
  const id = unique();
  return {
    name: `Parent ${id}`,
    email: `contact-${id}@example.test`,
    relationship,
    ...(permissions ? { permissions } : {}),
  };
}

async function accessOf(externalChartId: string) {
  return service.database.db.clientPortalAccess.findMany({
    where: { client: { externalChartId, organizationId: org.organizationId }, isPrimary: false },
    orderBy: { createdAt: 'asc' },
    select: {
      id: true,
      relationship: true,
      permissions: true,
      addedByEhr: true,
      portalUser: { select: { email: true } },
    },
  });
}

async function invitationSentTo(email: string) {
  return eventually(
    async () =>
      (await service.database.db.portalUserInvitation.findFirst({
        where: { access: { portalUser: { email } } },
        select: { id: true, clientPortalAccessId: true },
      })) ?? undefined,
    { what: `an invitation to ${email}` },
  );
}

function contactsUpdated(externalChartId: string, contacts: unknown[]): TContactsUpdatedWebhook {
  return { type: 'client.contacts_updated', data: { externalChartId, contacts } } as TContactsUpdatedWebhook;
}

it('chart.created names two parents: each becomes a portal user with their own invitation after the client', async () => {
  const mother = contact('PARENT', ['BASIC', 'FORMS', 'BILLING']);
  const father = contact('PARENT');
  const event = chartCreatedWebhook();
  const response = await service.post(webhookPath, { ...event, data: { ...event.data, contacts: [mother, father] } });
  expect(response.status).toBe(202);
  const { onboardingId } = (await response.json()) as TWebhookAccepted;

  const motherInvitation = await invitationSentTo(mother.email);
  await invitationSentTo(father.email);
  const rows = await accessOf(event.data.externalChartId);
  expect(rows.map((row) => [row.portalUser.email, row.relationship, row.permissions, row.addedByEhr])).toEqual([
    [mother.email, 'PARENT', ['BASIC', 'FORMS', 'BILLING'], true],
    [father.email, 'PARENT', ['BASIC', 'FORMS'], true],
  ]);
  // The contact's flow id is their access row's id: no name or email in it.
  expect(
    (
      await service.env.client.workflow
        .getHandle(portalUserInvitationWorkflowId(motherInvitation.clientPortalAccessId))
        .describe()
    ).workflowId,
  ).not.toMatch(/@|Parent/);

  const timeline = await eventually(async () => {
    const types = await timelineOf(service.database.db, onboardingId);
    return types.filter((type) => type === 'portal_user.invitation_sent').length === 2 ? types : undefined;
  });
  // The client first, then the contacts.
  expect(timeline.indexOf('invitation.sent')).toBeLessThan(timeline.indexOf('portal_user.added'));
  const emails = await service.database.db.emailMessage.findMany({
    where: { onboardingId },
    orderBy: { createdAt: 'asc' },
    select: { idempotencyKey: true },
  });
  expect(emails[0]!.idempotencyKey).toMatch(/^invitation:/);
});

it('client.contacts_updated adds, updates and removes EHR contacts once per webhook-id; staff’s contact stays', async () => {
  const mother = contact('PARENT');
  const father = contact('PARENT');
  const event = chartCreatedWebhook();
  const created = await service.post(webhookPath, { ...event, data: { ...event.data, contacts: [mother, father] } });
  const { onboardingId } = (await created.json()) as TWebhookAccepted;
  const fatherInvitation = await invitationSentTo(father.email);
  await invitationSentTo(mother.email);

  const aunt = {
    name: 'Aunt Staff',
    email: `aunt-${unique()}@example.test`,
    relationship: 'OTHER',
    permissions: ['BASIC'],
  };
  const staffAdded = await fetch(`${service.api.url}/v1/onboardings/${onboardingId}/portal-users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org.keys.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify(aunt),
  });
  expect(staffAdded.status).toBe(201);

  const stepmother = contact('GUARDIAN');
  const update = contactsUpdated(event.data.externalChartId, [
    { ...mother, permissions: ['BASIC', 'FORMS', 'BILLING'] },
    stepmother,
  ]);
  const body = JSON.stringify(update);
  const headers = {
    'content-type': 'application/json',
    ...signedWebhookHeaders(org.webhookSecret, body, { id: `msg_${unique()}` }),
  };
  const first = await fetch(`${service.api.url}${webhookPath}`, { method: 'POST', headers, body });
  expect(first.status).toBe(200);
  expect((await first.json()) as TContactsAccepted).toEqual({
    onboardingId,
    added: 1,
    updated: 1,
    removed: 1,
    duplicate: false,
  });
  await invitationSentTo(stepmother.email);
  // The father's flow ends with his access; his link no longer works.
  const fatherFlow = service.env.client.workflow.getHandle(
    portalUserInvitationWorkflowId(fatherInvitation.clientPortalAccessId),
  );
  expect(((await fatherFlow.result()) as { status: string }).status).toBe('REMOVED');

  const again = await fetch(`${service.api.url}${webhookPath}`, { method: 'POST', headers, body });
  expect(again.status).toBe(200);
  expect(((await again.json()) as TContactsAccepted).duplicate).toBe(true);

  const rows = await accessOf(event.data.externalChartId);
  expect(rows.map((row) => [row.portalUser.email, row.permissions])).toEqual([
    [mother.email, ['BASIC', 'FORMS', 'BILLING']],
    [aunt.email, ['BASIC']],
    [stepmother.email, ['BASIC', 'FORMS']],
  ]);
  const timeline = await timelineOf(service.database.db, onboardingId);
  expect(timeline.filter((type) => type === 'portal_user.removed')).toHaveLength(1);
});

it('refuses bad contacts with a 400 naming the field, and a chart it never received with 422; nothing written', async () => {
  const event = chartCreatedWebhook();
  const twice = contact('PARENT');
  const before = await service.database.db.portalUser.count({ where: { organizationId: org.organizationId } });

  const duplicate = await service.post(webhookPath, { ...event, data: { ...event.data, contacts: [twice, twice] } });
  expect(duplicate.status).toBe(400);
  expect(JSON.stringify((await duplicate.json()) as TErrorResponse)).toContain('names the same person twice');

  const clientsOwn = await service.post(webhookPath, {
    ...event,
    data: { ...event.data, contacts: [{ ...contact('SPOUSE'), email: event.data.client.email }] },
  });
  expect(clientsOwn.status).toBe(400);

  const badRelationship = await service.post(webhookPath, {
    ...event,
    data: { ...event.data, contacts: [{ ...contact('PARENT'), relationship: 'CLIENT' }] },
  });
  expect(badRelationship.status).toBe(400);

  const unknown = await service.post(webhookPath, contactsUpdated(`CHART-${unique()}`, [contact('PARENT')]));
  expect(unknown.status).toBe(422);
  expect(((await unknown.json()) as TErrorResponse).error.code).toBe('UNKNOWN_CHART');

  expect(await service.database.db.portalUser.count({ where: { organizationId: org.organizationId } })).toBe(before);
  expect(await service.database.db.onboarding.count({ where: { externalChartId: event.data.externalChartId } })).toBe(
    0,
  );
});
