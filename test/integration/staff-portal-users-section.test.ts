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
