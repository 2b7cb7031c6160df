/**
 * A therapist at a practice that requires a second factor signs in for the
 * first time, sets up an authenticator from the QR page (reading the key as
 * text, as someone typing it into an app would), saves the recovery codes,
 * then signs out and back in with a code: on a phone and on a laptop, each
 * page checked with axe and photographed.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectAccessible } from '../support/axe';
import { launchBrowser, PHONE } from '../support/browser';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { startTestService, type TestService } from '../support/service';
import { setStaffPassword, STAFF_PASSWORD } from '../support/staff-login';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const LAPTOP = { viewport: { width: 1366, height: 768 } };

let service: TestService;
let org: TestOrganization;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [service, browser] = await Promise.all([startTestService(), launchBrowser()]);
  org = await createTestOrganization(service.database.db);
  await service.database.db.organization.update({
    where: { id: org.organizationId },
    data: { requireSecondFactor: true },
  });
});

afterEach(async () => {
  await context?.close();
  context = undefined;
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
const codeFor = (secret: string, offsetSteps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + offsetSteps * 30_000 });

async function signInWithPassword(page: Page, email: string) {
  await page.goto(`${service.api.url}/staff/${org.slug}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe.each([
  ['phone', PHONE],
  ['laptop', LAPTOP],
])('on a %s', (device, options) => {
  it('sets up the second factor at first sign-in, then signs in with a code', async () => {
    const { db } = service.database;
    const staff = await db.staffUser.create({
      data: {
        organizationId: org.organizationId,
        email: `mfa-browser-${device}-${Date.now()}@practice.test`,
        displayName: `Robin ${device}`,
        role: 'THERAPIST',
      },
    });
    const email = await setStaffPassword(db, staff.id);
    context = await browser.newContext(options);
    const page = await context.newPage();

    await signInWithPassword(page, email);
    await page.waitForURL(/\/login\/enrol$/);
    await expect(page.getByRole('heading', { name: 'Set up your second factor' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('img', { name: 'QR code for your authenticator app' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await shot(page, `staff-second-factor-enrol-${device}.png`);
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();

    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('That code is not right');
    await expect(page.getByLabel('Code from the app').inputValue()).resolves.toBe('000000');
    await expectAccessible(page);
    await shot(page, `staff-second-factor-enrol-wrong-${device}.png`);

    await page.getByLabel('Code from the app').fill(codeFor(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    await expect(page.getByTestId('recovery-codes').locator('li').count()).resolves.toBe(10);
    await expectAccessible(page);
    await shot(page, `staff-second-factor-recovery-codes-${device}.png`);
    await page.getByRole('link', { name: 'Continue to the dashboard' }).click();
    await page.waitForURL(new RegExp(`/staff/${org.slug}$`));

    await page.getByRole('link', { name: 'Security' }).click();
    await expect(page.getByTestId('second-factor-status').textContent()).resolves.toContain('10 unused recovery');
    await expectAccessible(page);
    await shot(page, `staff-second-factor-security-${device}.png`);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithPassword(page, email);
    await page.waitForURL(/\/login\/code$/);
    await expectAccessible(page);
    await page.getByLabel('Code from your authenticator app, or a recovery code').fill('111111');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not right');
    await expectAccessible(page);
    await shot(page, `staff-second-factor-code-wrong-${device}.png`);
    await page.getByLabel('Code from your authenticator app, or a recovery code').fill(codeFor(secret, 1));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(new RegExp(`/staff/${org.slug}$`));
    await expectAccessible(page);
  });
});
