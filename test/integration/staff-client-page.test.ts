/**
 * A staff client page over HTTP (issue 13): the confirmation steps promise
 * the invitation lifetime the practice really has.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { startTestService, type TestService } from '../support/service';
import { setStaffPassword, StaffPages } from '../support/staff-login';

let service: TestService;
let org: TestOrganization;
let adminEmail: string;

beforeAll(async () => {
  service = await startTestService();
  org = await createTestOrganization(service.database.db);
  adminEmail = await setStaffPassword(service.database.db, org.adminId);
});

afterAll(async () => {
  await service?.stop();
});

async function signedIn(): Promise<StaffPages> {
  const pages = new StaffPages(service.api.url);
  expect((await pages.signIn(org.slug, adminEmail)).status).toBe(303);
  return pages;
}

/** An invited onboarding as the projection holds it: enough for its pages. */
async function invitedOnboarding(db: Db, organizationId: string): Promise<string> {
  const id = randomUUID();
  const chart = `PAGE-${id.slice(0, 8)}`;
  const client = await db.client.create({
    data: {
      organizationId,
      externalChartId: chart,
      firstName: 'Ada',
      lastName: 'Page',
      email: `ada-${id.slice(0, 8)}@client.test`,
      dateOfBirth: new Date('1990-01-01'),
    },
  });
  await db.onboarding.create({
    data: {
      id,
      organizationId,
      externalChartId: chart,
      workflowId: `onboarding-${id}`,
      clientId: client.id,
      inviteRequested: true,
      status: 'INVITED',
    },
  });
  return id;
}

describe('the resend confirmation', () => {
  it.each([
    [{ invitationTtlHours: null, invitationTtlMinutes: null }, 'valid for 7 days'],
    [{ invitationTtlHours: 48, invitationTtlMinutes: null }, 'valid for 48 hours'],
    [{ invitationTtlHours: 48, invitationTtlMinutes: 30 }, 'valid for 30 minutes'],
  ])('states the practice’s invitation lifetime (%j)', async (ttl, words) => {
    const { db } = service.database;
    await db.organization.update({ where: { id: org.organizationId }, data: ttl });
    const onboardingId = await invitedOnboarding(db, org.organizationId);
    const admin = await signedIn();
    const confirm = await admin.get(`/staff/${org.slug}/onboardings/${onboardingId}/resend`);
    expect(confirm.response.status).toBe(200);
    expect(confirm.html).toContain(words);
    expect(confirm.html).not.toContain('{lifetime}');
  });
});

describe('destructive actions', () => {
  it('look dangerous on the client page and on their confirmation step', async () => {
    const onboardingId = await invitedOnboarding(service.database.db, org.organizationId);
    const admin = await signedIn();
    const page = (await admin.get(`/staff/${org.slug}/onboardings/${onboardingId}`)).html;
    const classOf = (action: string) =>
      new RegExp(`class="([^"]*)"\\s+href="/staff/${org.slug}/onboardings/${onboardingId}/${action}"`).exec(page)?.[1];
    expect(classOf('revoke')).toContain('danger');
    expect(classOf('cancel')).toContain('danger');
    expect(classOf('resend')).not.toContain('danger');
    for (const [action, danger] of [
      ['revoke', true],
      ['cancel', true],
      ['resend', false],
    ] as const) {
      const confirm = (await admin.get(`/staff/${org.slug}/onboardings/${onboardingId}/${action}`)).html;
      expect(/<button type="submit" name="confirm" value="yes" class="danger">/.test(confirm)).toBe(danger);
    }
  });
});

describe('the confirmation steps', () => {
  it('name the client, and the email the invitation or forms go to', async () => {
    const onboardingId = await invitedOnboarding(service.database.db, org.organizationId);
    const email = `ada-${onboardingId.slice(0, 8)}@client.test`;
    const admin = await signedIn();
    for (const action of ['resend', 'owner', 'forms', 'revoke', 'cancel']) {
      const confirm = (await admin.get(`/staff/${org.slug}/onboardings/${onboardingId}/${action}`)).html;
      expect(confirm).toContain('Ada Page');
      if (action === 'resend' || action === 'owner') expect(confirm).toContain(email);
    }
  });
});
