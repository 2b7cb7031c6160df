/**
 * Issue 15: the client page lists the client's portal users, with their
 * relationship, status and permissions; ops, who never see names, do not get
 * the card.
 */
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { createPayingClient } from '../support/payments';
import { eventually, startTestService, type TestService } from '../support/service';
import { setStaffPassword, StaffPages } from '../support/staff-login';

let service: TestService;
let org: TestOrganization;

beforeAll(async () => {
  service = await startTestService();
  // A contact's invitation is a workflow of its own: a worker sends it.
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await service?.stop();
});

async function signedIn(staffUserId: string): Promise<StaffPages> {
  const email = await setStaffPassword(service.database.db, staffUserId);
  const pages = new StaffPages(service.api.url);
  expect((await pages.signIn(org.slug, email)).status).toBe(303);
  return pages;
}

it('shows the primary user and an added parent with what each may use', async () => {
  const client = await createPayingClient(service.database.db, org);
  const added = await fetch(`${service.api.url}/v1/onboardings/${client.onboardingId}/portal-users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org.keys.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Pat Parent',
      email: 'pat-section@example.test',
      relationship: 'PARENT',
      permissions: ['BASIC', 'FORMS'],
    }),
  });
  expect(added.status).toBe(201);
  // The parent's own invitation flow sends their link (workflows/portal-user-invitation.ts).
  await eventually(async () =>
    (await service.database.db.portalUserInvitation.count({ where: { onboardingId: client.onboardingId } })) > 0
      ? true
      : undefined,
  );

  const pages = await signedIn(org.adminId);
  const { response, html } = await pages.get(`/staff/${org.slug}/onboardings/${client.onboardingId}`);
  expect(response.status).toBe(200);
  const section = html.slice(html.indexOf('data-testid="portal-users"'));
  expect(section).toContain(`${client.firstName} ${client.lastName}`);
  expect(section).toContain('Client · primary');
  expect(section).toContain('May use: Basic, Forms, Billing, Messages, Appointments');
  expect(section).toContain('Pat Parent');
  expect(section).toContain('pat-section@example.test');
  expect(section).toMatch(/Parent<\/span>\s*<span class="tag ">Invited<\/span>/);
  expect(section).toMatch(/May use: Basic, Forms<\/span\s*>/);
  // Their own invitation went out (workflows/portal-user-invitation.ts): the card says until when.
  expect(section).toMatch(/data-testid="portal-user-invitation"\s*>Invitation sent, link valid until /);
});

it('resends and revokes a contact’s own invitation from the card, each after a confirmation naming them', async () => {
  const { db } = service.database;
  const client = await createPayingClient(db, org);
  const added = await fetch(`${service.api.url}/v1/onboardings/${client.onboardingId}/portal-users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org.keys.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Robin Parent',
      email: 'robin-section@example.test',
      relationship: 'PARENT',
      permissions: ['BASIC'],
    }),
  });
  const { portalUserId } = (await added.json()) as { portalUserId: string };
  const sent = () => db.portalUserInvitation.count({ where: { onboardingId: client.onboardingId } });
  await eventually(async () => ((await sent()) === 1 ? true : undefined));

  const pages = await signedIn(org.adminId);
  const clientPath = `/staff/${org.slug}/onboardings/${client.onboardingId}`;
  const actionPath = (action: string) => `${clientPath}/portal-users/${portalUserId}/${action}`;
  expect((await pages.get(clientPath)).html).toContain(`href="${actionPath('revoke-invite')}"`);

  const confirm = await pages.get(actionPath('resend-invite'));
  expect(confirm.response.status).toBe(200);
  expect(confirm.html).toContain('Robin Parent');
  expect(confirm.html).toContain('robin-section@example.test');
  const resent = await pages.post(actionPath('resend-invite'), { confirm: 'yes' });
  expect(resent.response.status).toBe(303);
  expect(resent.response.headers.get('location')).toBe(`${clientPath}?done=resend-invite`);
  expect(await sent()).toBe(2);
  expect((await pages.get(`${clientPath}?done=resend-invite`)).html).toContain('Resend invite: done.');

  expect((await pages.post(actionPath('revoke-invite'), { confirm: 'yes' })).response.status).toBe(303);
  // A second revoke comes back on the confirmation page with the workflow's reason.
  const again = await pages.post(actionPath('revoke-invite'), { confirm: 'yes' });
  expect(again.response.status).toBe(409);
  expect(again.html).toContain('already revoked');

  // The primary user is not a contact: their invitation is the client's own actions'.
  const primary = await db.clientPortalAccess.findFirstOrThrow({
    where: { isPrimary: true, client: { onboarding: { id: client.onboardingId } } },
  });
  expect((await pages.get(`${clientPath}/portal-users/${primary.portalUserId}/resend-invite`)).response.status).toBe(
    404,
  );
});

it('is not shown to ops', async () => {
  const client = await createPayingClient(service.database.db, org);
  const ops = await service.database.db.staffUser.findFirstOrThrow({
    where: { organizationId: org.organizationId, role: 'OPS' },
  });
  const pages = await signedIn(ops.id);
  const { response, html } = await pages.get(`/staff/${org.slug}/onboardings/${client.onboardingId}`);
  expect(response.status).toBe(200);
  expect(html).not.toContain('data-testid="portal-users"');
});
