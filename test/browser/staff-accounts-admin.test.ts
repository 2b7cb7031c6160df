/**
 * An admin manages staff from the dashboard (issue 19): gives a therapist the
 * invite permission, is refused demoting the practice's only admin (the choice
 * stays on the page), deactivates a therapist behind a confirmation (their
 * key stops at once) and moves their client to a colleague. On a laptop
 * (1366 px) and a phone (390 px), axe on every page.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { hashToken, randomToken } from '../../security/tokens';
import { expectAccessible } from '../support/axe';
import { launchBrowser, PHONE } from '../support/browser';
import { createTestOrganization, newOnboarding, type TestOrganization } from '../support/factories';
import { startTestService, type TestService } from '../support/service';
import { signInToDashboard } from '../support/staff-browser';
import { setStaffPassword } from '../support/staff-login';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const LAPTOP = { viewport: { width: 1366, height: 768 } };

let service: TestService;
let org: TestOrganization;
let browser: Browser;
let adminEmail: string;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [service, browser] = await Promise.all([startTestService(), launchBrowser()]);
  org = await createTestOrganization(service.database.db);
  adminEmail = await setStaffPassword(service.database.db, org.adminId);
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });

async function heading(page: Page, name: string) {
  await page.getByRole('heading', { name, level: 1, exact: true }).waitFor();
}

async function textOf(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
}

const signIn = (page: Page, email: string) => signInToDashboard(page, service.api.url, org.slug, email);

/** A therapist of the practice with an API key and one client. */
async function therapistWithClient(name: string) {
  const { db } = service.database;
  const member = await db.staffUser.create({
    data: {
      organizationId: org.organizationId,
      email: `t-${randomBytes(3).toString('hex')}@practice.test`,
      displayName: name,
      role: 'THERAPIST',
    },
  });
  const key = randomToken();
  await db.staffApiKey.create({
    data: { organizationId: org.organizationId, staffUserId: member.id, name: 'tool', keyHash: hashToken(key) },
  });
  const { input } = await newOnboarding(db, org.organizationId, { assignedStaffId: member.id });
  return { id: member.id, key, onboardingId: input.onboardingId };
}

it.each([
  ['laptop', LAPTOP],
  ['phone', PHONE],
] as const)(
  'an admin changes a therapist’s permission, keeps the last admin, deactivates and moves clients (%s)',
  async (device, options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const leaving = await therapistWithClient(`Leaving ${device}`);
    try {
      await signIn(page, adminEmail);
      await page.click('header nav a:text("Staff")');
      await heading(page, 'Staff');
      await expectAccessible(page);
      await shot(page, `staff-accounts-${device}.png`);

      await page.click(`a:text("Leaving ${device}")`);
      await heading(page, `Leaving ${device}`);
      await page.check('input[name=canInvite]');
      await page.click('button:text("Save role")');
      expect(await textOf(page, '[role=status]')).toBe('Role saved.');
      expect(await page.isChecked('input[name=canInvite]')).toBe(true);
      await expectAccessible(page);

      // The only admin demoting themself: refused, the choice stays on the page.
      await page.goto(`${service.api.url}/staff/${org.slug}/staff-accounts/${org.adminId}`);
      await page.selectOption('#role', 'OPS');
      await page.click('button:text("Save role")');
      expect(await textOf(page, '[role=alert]')).toContain('only active administrator');
      expect(await page.inputValue('#role')).toBe('OPS');
      await expectAccessible(page);

      await page.goto(`${service.api.url}/staff/${org.slug}/staff-accounts/${leaving.id}`);
      await page.click('button:text("Deactivate…")');
      await heading(page, 'Deactivate this account?');
      await expectAccessible(page);
      await page.click('button:text("Yes, deactivate this account")');
      expect(await textOf(page, '[role=status]')).toContain('1 API key revoked');
      const refused = await fetch(`${service.api.url}/v1/onboardings/${leaving.onboardingId}`, {
        headers: { authorization: `Bearer ${leaving.key}` },
      });
      expect(refused.status).toBe(401);
      await expectAccessible(page);

      await page.selectOption('#toStaffUserId', org.permittedTherapistId);
      await page.click('button:text("Move clients")');
      expect(await textOf(page, '[role=status]')).toBe('1 client moved.');
      const moved = await service.database.db.onboarding.findUniqueOrThrow({ where: { id: leaving.onboardingId } });
      expect(moved.assignedStaffId).toBe(org.permittedTherapistId);
      await expectAccessible(page);
      await shot(page, `staff-member-${device}.png`);
    } finally {
      await context.close();
    }
  },
);
