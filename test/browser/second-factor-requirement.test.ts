/**
 * An admin requires a second factor for the practice from the team's
 * security page, on a phone and on a laptop, each page checked with axe; a
 * post with no choice keeps the page, says what is missing and changes nothing.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectAccessible } from '../support/axe';
import { launchBrowser, PHONE } from '../support/browser';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { startTestService, type TestService } from '../support/service';
import { setStaffPassword, STAFF_PASSWORD } from '../support/staff-login';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const LAPTOP = { viewport: { width: 1366, height: 768 } };

let service: TestService;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [service, browser] = await Promise.all([startTestService(), launchBrowser()]);
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

async function signInAsAdmin(page: Page, org: TestOrganization) {
  const email = await setStaffPassword(service.database.db, org.adminId);
  await page.goto(`${service.api.url}/staff/${org.slug}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**/staff/${org.slug}`);
}

describe.each([
  ['phone', PHONE],
  ['laptop', LAPTOP],
])('on a %s', (device, options) => {
  it('an admin requires a second factor from the team’s security page', async () => {
    const org = await createTestOrganization(service.database.db);
    context = await browser.newContext(options);
    const page = await context.newPage();
    await signInAsAdmin(page, org);
    await page.goto(`${service.api.url}/staff/${org.slug}/security`);
    await page.getByRole('link', { name: 'Your team’s second factors' }).click();
    await page.waitForURL(`**/staff/${org.slug}/security/team`);
    const group = page.getByRole('group', { name: 'For admins and therapists signing in to the dashboard' });
    await expect(group.getByRole('radio', { name: /Not required/ }).isChecked()).resolves.toBe(true);
    await shot(page, `second-factor-requirement-${device}.png`);
    await expectAccessible(page);

    await group.getByRole('radio', { name: /^Required/ }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`**/security/team?required=on`);
    await expect(page.getByRole('status').textContent()).resolves.toContain(
      'your practice now requires a second factor',
    );
    await expect(group.getByRole('radio', { name: /^Required/ }).isChecked()).resolves.toBe(true);
    // The admin has none yet: the table says they will be asked for one.
    await expect(page.textContent('table')).resolves.toContain('Off: asked to set it up at next sign-in');
    await shot(page, `second-factor-required-${device}.png`);
    await expectAccessible(page);
    const row = await service.database.db.organization.findUniqueOrThrow({ where: { id: org.organizationId } });
    expect(row.requireSecondFactor).toBe(true);
  });
});

it('a post with no choice keeps the page and says what is missing', async () => {
  const org = await createTestOrganization(service.database.db);
  context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await signInAsAdmin(page, org);
  await page.goto(`${service.api.url}/staff/${org.slug}/security/team`);
  // A browser always posts one of the two radios; a tampered form may post neither.
  await page.evaluate(
    'document.querySelectorAll("input[name=requireSecondFactor]").forEach((radio) => radio.remove())',
  );
  const [response] = await Promise.all([
    page.waitForResponse((candidate) => candidate.url().endsWith('/security/team/requirement')),
    page.getByRole('button', { name: 'Save' }).click(),
  ]);
  expect(response.status()).toBe(400);
  await expect(page.getByRole('alert').textContent()).resolves.toContain(
    'Choose whether your practice requires a second factor.',
  );
  await expectAccessible(page);
  const row = await service.database.db.organization.findUniqueOrThrow({ where: { id: org.organizationId } });
  expect(row.requireSecondFactor).toBe(false);
});
