/**
 * The invitee's side of a staff invitation (issue 19) in headless Chromium:
 * the emailed link opens the page, a weak password is refused on the page, a
 * good one makes the account and signs them in; where the practice requires
 * a second factor, enrolment comes first; a revoked link is a dead end naming
 * the practice. On a laptop (1366 px) and a phone (390 px), axe on every page.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { listOutbox } from '../../emails/mailer';
import { expectAccessible } from '../support/axe';
import { launchBrowser, PHONE } from '../support/browser';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { eventually, startTestService, type TestService } from '../support/service';
import { setStaffPassword, STAFF_PASSWORD } from '../support/staff-login';

const LAPTOP = { viewport: { width: 1366, height: 768 } };
const PASSWORD = 'copper lantern meadow ninety';

let service: TestService;
let org: TestOrganization;
let browser: Browser;
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  [service, browser] = await Promise.all([startTestService(), launchBrowser()]);
  stopWorker = (await service.startWorker()).stop;
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await browser?.close();
  await stopWorker?.();
  await service?.stop();
});

async function invite(role: 'THERAPIST' | 'OPS') {
  const email = `invitee-${randomUUID().slice(0, 8)}@example.test`;
  const response = await service.post(
    '/v1/staff/invitations',
    { email, displayName: 'Sam Rivera', role },
    { authorization: `Bearer ${org.keys.admin}` },
  );
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: string };
  const link = await eventually(async () => {
    const message = (await listOutbox(service.outboxDir)).find((candidate) => candidate.to === email);
    return message && /https?:\/\/\S+\/staff\/[a-z0-9-]+\/invitation\/[A-Za-z0-9_-]{43}/.exec(message.text)?.[0];
  });
  // The email's link names the public base URL; the page is served by this test's API.
  return { id, email, path: new URL(link).pathname };
}

async function heading(page: Page, name: string) {
  await page.getByRole('heading', { name, level: 1, exact: true }).waitFor();
}

async function withPage(options: BrowserContextOptions, work: (page: Page) => Promise<void>) {
  const context = await browser.newContext(options);
  try {
    await work(await context.newPage());
  } finally {
    await context.close();
  }
}

it.each([
  ['laptop', LAPTOP],
  ['phone', PHONE],
] as const)('the invitee chooses a password and is signed in (%s)', async (_device, options) => {
  const { path, email } = await invite('THERAPIST');
  await withPage(options, async (page) => {
    await page.goto(`${service.api.url}${path}`);
    await heading(
      page,
      `Join ${(await service.database.db.organization.findUniqueOrThrow({ where: { id: org.organizationId } })).name}`,
    );
    expect(await page.textContent('main')).toContain(email);
    await expectAccessible(page);

    await page.fill('#password', 'too short 1');
    await page.fill('#passwordConfirmation', 'too short 1');
    await page.evaluate(
      'document.querySelectorAll("input[minlength]").forEach((input) => input.removeAttribute("minlength"))',
    );
    await page.click('button[type=submit]');
    await page.locator('[role=alert]').first().waitFor();
    await expectAccessible(page);

    await page.fill('#password', PASSWORD);
    await page.fill('#passwordConfirmation', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${service.api.url}/staff/${org.slug}`);
    const account = await service.database.db.staffUser.findUniqueOrThrow({
      where: { organizationId_email: { organizationId: org.organizationId, email } },
    });
    expect(account.role).toBe('THERAPIST');

    // The link is used up: a second visit is a dead end that offers sign-in.
    await page.goto(`${service.api.url}${path}`);
    await heading(page, 'This invitation cannot be used');
    expect(await page.textContent('main')).toContain('already been used');
    await expectAccessible(page);
  });
});

it('where the practice requires a second factor, enrolment comes before anything else', async () => {
  await service.database.db.organization.update({
    where: { id: org.organizationId },
    data: { requireSecondFactor: true },
  });
  try {
    const { path } = await invite('THERAPIST');
    await withPage(PHONE, async (page) => {
      await page.goto(`${service.api.url}${path}`);
      await page.fill('#password', PASSWORD);
      await page.fill('#passwordConfirmation', PASSWORD);
      await page.click('button[type=submit]');
      await heading(page, 'Set up your second factor');
      expect(page.url()).toContain(`/staff/${org.slug}/login/enrol`);
      await expectAccessible(page);
    });
  } finally {
    await service.database.db.organization.update({
      where: { id: org.organizationId },
      data: { requireSecondFactor: false },
    });
  }
});

it.each([
  ['laptop', LAPTOP],
  ['phone', PHONE],
] as const)('a revoked link is a dead end naming the practice and how to reach it (%s)', async (_device, options) => {
  const { id, path } = await invite('OPS');
  const revoked = await service.post(`/v1/staff/invitations/${id}/revoke`, undefined, {
    authorization: `Bearer ${org.keys.admin}`,
  });
  expect(revoked.status).toBe(200);
  await withPage(options, async (page) => {
    const response = await page.goto(`${service.api.url}${path}`);
    expect(response?.status()).toBe(410);
    await heading(page, 'This invitation cannot be used');
    expect(await page.textContent('main')).toContain('withdrawn');
    await expectAccessible(page);
  });
});

it.each([
  ['laptop', LAPTOP],
  ['phone', PHONE],
] as const)(
  'an admin invites from the Staff page; a taken email is refused and what was typed stays (%s)',
  async (device, options) => {
    const adminEmail = await setStaffPassword(service.database.db, org.adminId);
    const taken = (await service.database.db.staffUser.findUniqueOrThrow({ where: { id: org.therapistId } })).email;
    await withPage(options, async (page) => {
      await page.goto(`${service.api.url}/staff/${org.slug}/login`);
      await page.fill('#email', adminEmail);
      await page.fill('#password', STAFF_PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForURL(`${service.api.url}/staff/${org.slug}`);
      await page.goto(`${service.api.url}/staff/${org.slug}/staff-accounts`);
      await heading(page, 'Staff');
      await expectAccessible(page);

      await page.fill('#invite-name', 'Taken Person');
      await page.fill('#invite-email', taken);
      await page.selectOption('#invite-role', 'OPS');
      await page.click('button:text("Send invitation")');
      await page.locator('[role=alert]').first().waitFor();
      expect(await page.textContent('[role=alert]')).toContain('already has an active staff account');
      expect(await page.inputValue('#invite-name')).toBe('Taken Person');
      expect(await page.inputValue('#invite-email')).toBe(taken);
      expect(await page.inputValue('#invite-role')).toBe('OPS');
      await expectAccessible(page);

      const email = `form-${device}-${randomUUID().slice(0, 8)}@example.test`;
      await page.fill('#invite-name', `Form ${device}`);
      await page.fill('#invite-email', email);
      await page.selectOption('#invite-role', 'THERAPIST');
      await page.check('input[name=canInvite]');
      await page.click('button:text("Send invitation")');
      await page.locator('[role=status]').waitFor();
      expect(await page.textContent('[role=status]')).toContain(`Invitation sent to Form ${device}.`);
      expect(await page.locator('tr', { hasText: email }).locator('td[data-label="State"]').textContent()).toContain(
        'Waiting',
      );
      await expectAccessible(page);
      const row = await service.database.db.staffInvitation.findFirstOrThrow({ where: { email } });
      expect(row).toMatchObject({ role: 'THERAPIST', canInvite: true, organizationId: org.organizationId });
    });
  },
);
