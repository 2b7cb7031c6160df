/**
 * The "require a second factor" switch on the staff dashboard (issue 14):
 * an admin turns it on and off from the team's security page, audited like
 * the API's change; a therapist, a forged form and a post with no choice are
 * refused and change nothing.
 */
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { startTestService, type TestService } from '../support/service';
import { setStaffPassword, StaffPages } from '../support/staff-login';

let service: TestService;
let org: TestOrganization;

beforeAll(async () => {
  service = await startTestService();
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await service?.stop();
});

const required = async () =>
  (await service.database.db.organization.findUniqueOrThrow({ where: { id: org.organizationId } })).requireSecondFactor;

async function signedIn(staffUserId: string): Promise<StaffPages> {
  const email = await setStaffPassword(service.database.db, staffUserId);
  const pages = new StaffPages(service.api.url);
  expect((await pages.signIn(org.slug, email)).status).toBe(303);
  return pages;
}

test('an admin requires a second factor and lifts it again, audited each time', async () => {
  const admin = await signedIn(org.adminId);
  const team = `/staff/${org.slug}/security/team`;
  expect((await admin.get(team)).html).toContain('Require a second factor');

  const on = await admin.post(`${team}/requirement`, { requireSecondFactor: 'on' }, team);
  expect(on.response.status).toBe(303);
  expect(on.response.headers.get('location')).toBe(`${team}?required=on`);
  expect(await required()).toBe(true);
  const after = await admin.get(`${team}?required=on`);
  expect(after.html).toContain('Saved: your practice now requires a second factor');
  expect(after.html).toMatch(/value="on"\s+checked/);

  expect((await admin.post(`${team}/requirement`, { requireSecondFactor: 'off' }, team)).response.status).toBe(303);
  expect(await required()).toBe(false);

  const audits = await service.database.db.auditEvent.findMany({
    where: { organizationId: org.organizationId, action: 'practice.settings_changed', actorId: org.adminId },
    orderBy: { id: 'asc' },
  });
  expect(audits.map((audit) => [audit.outcome, audit.detail])).toEqual([
    ['success', { fields: 'requireSecondFactor' }],
    ['success', { fields: 'requireSecondFactor' }],
  ]);
});

test('no choice is a 400 that changes nothing; a therapist and a forged form are refused', async () => {
  const admin = await signedIn(org.adminId);
  const team = `/staff/${org.slug}/security/team`;
  const empty = await admin.post(`${team}/requirement`, {}, team);
  expect(empty.response.status).toBe(400);
  expect(empty.html).toContain('Choose whether your practice requires a second factor.');
  const odd = await admin.post(`${team}/requirement`, { requireSecondFactor: 'yes' }, team);
  expect(odd.response.status).toBe(400);
  expect(await admin.postRaw(`${team}/requirement`, { requireSecondFactor: 'on' })).toHaveProperty('status', 403);
  expect(await required()).toBe(false);

  const therapist = await signedIn(org.therapistId);
  const byTherapist = await therapist.post(`${team}/requirement`, { requireSecondFactor: 'on' }, `/staff/${org.slug}`);
  expect(byTherapist.response.status).toBe(403);
  expect(await required()).toBe(false);
});
