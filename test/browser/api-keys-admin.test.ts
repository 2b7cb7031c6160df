/**
 * An admin manages API keys from the dashboard (issue 19): makes a read key
 * (a blank name is refused and what was chosen stays), copies the key shown
 * once, the key reads but may not change settings, the list shows when it was
 * last used and never the key, and revoking (behind a confirmation) stops it.
 * On a laptop (1366 px) and a phone (390 px), axe on every page.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible } from '../support/axe';
import { launchBrowser, PHONE } from '../support/browser';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { startTestService, type TestService } from '../support/service';
import { signInToDashboard } from '../support/staff-browser';
import { setStaffPassword } from '../support/staff-login';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const LAPTOP = { viewport: { width: 1366, height: 768 } };

let service: TestService;
let org: TestOrganization;
let browser: Browser;
let adminEmail: string;
let therapistEmail: string;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [service, browser] = await Promise.all([startTestService(), launchBrowser()]);
  org = await createTestOrganization(service.database.db);
  adminEmail = await setStaffPassword(service.database.db, org.adminId);
  therapistEmail = await setStaffPassword(service.database.db, org.therapistId);
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

const withKey = (key: string, method = 'GET', body?: unknown) =>
  fetch(`${service.api.url}${method === 'GET' ? '/v1/forms' : '/v1/practice/settings'}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

it.each([
  ['laptop', LAPTOP],
  ['phone', PHONE],
] as const)('an admin makes a read key, uses it, sees it listed and revokes it (%s)', async (device, options) => {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  try {
    await signIn(page, adminEmail);
    await page.click('header nav a:text("API keys")');
    await heading(page, 'API keys');
    await expectAccessible(page);

    // Spaces get past the browser's own check: refused, and the scope and lifetime chosen stay.
    await page.fill('#name', '   ');
    await page.check('input[name=scope][value=read]');
    await page.selectOption('#lifetime', '30');
    await page.click('button:text("Make key")');
    await page.locator('[role=alert]').first().waitFor();
    expect(await page.isChecked('input[name=scope][value=read]')).toBe(true);
    expect(await page.inputValue('#lifetime')).toBe('30');
    await expectAccessible(page);

    const name = `Reporting ${device}`;
    await page.fill('#name', name);
    await page.click('button:text("Make key")');
    await heading(page, `${name} is ready`);
    await expectAccessible(page);
    await shot(page, `api-key-created-${device}.png`);
    const key = await page.inputValue('#api-key');
    expect(key).toMatch(/^cpo_/);

    expect((await withKey(key)).status).toBe(200);
    expect((await withKey(key, 'PATCH', { brandColor: '#123456' })).status).toBe(403);

    await page.click('a:text("All API keys")');
    await heading(page, 'API keys');
    const row = page.locator('tr', { hasText: name });
    expect(await row.locator('td[data-label="Last used"]').textContent()).not.toContain('Never');
    expect(await row.locator('td[data-label="Scope"]').textContent()).toContain('read');
    expect(await page.content()).not.toContain(key);
    await expectAccessible(page);
    await shot(page, `api-keys-${device}.png`);

    await row.getByRole('button', { name: `Revoke ${name}…` }).click();
    await heading(page, 'Revoke this API key?');
    await expectAccessible(page);
    await page.click('button:text("Yes, revoke this API key")');
    expect(await textOf(page, '[role=status]')).toBe(`${name} is revoked.`);
    expect(await page.locator('tr', { hasText: name }).locator('td[data-label="State"]').textContent()).toContain(
      'Revoked',
    );
    expect((await withKey(key)).status).toBe(401);
    await expectAccessible(page);
  } finally {
    await context.close();
  }
});

it('a therapist has no API keys link and is refused the page, with a way back', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  try {
    await signIn(page, therapistEmail);
    expect(await page.locator('header nav a:text("API keys")').count()).toBe(0);
    const response = await page.goto(`${service.api.url}/staff/${org.slug}/api-keys`);
    expect(response?.status()).toBe(403);
    await page.locator('a:text("Back to the dashboard")').first().waitFor();
    await expectAccessible(page);
  } finally {
    await context.close();
  }
});
