/**
 * An admin sets up a second EHR integration from the dashboard (issue 19):
 * creates it and copies the secrets shown once, sets the callback URL (a
 * typo is refused and what was typed stays), pings it, rotates the secret
 * and disables it; a webhook signed with the copied secret starts an
 * onboarding. On a laptop (1366 px) and a phone (390 px), axe on every page.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible } from '../support/axe';
import { launchBrowser, PHONE } from '../support/browser';
import {
  chartCreatedWebhook,
  createTestOrganization,
  signedWebhookHeaders,
  type TestOrganization,
} from '../support/factories';
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
let ehr: Server;
let pings = 0;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  ehr = createServer((req, res) => {
    pings += 1;
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => ehr.listen(0, '127.0.0.1', resolve));
  [service, browser] = await Promise.all([startTestService(), launchBrowser()]);
  org = await createTestOrganization(service.database.db);
  adminEmail = await setStaffPassword(service.database.db, org.adminId);
  therapistEmail = await setStaffPassword(service.database.db, org.therapistId);
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await new Promise((resolve) => ehr?.close(resolve));
});

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });

async function heading(page: Page, name: string) {
  await page.getByRole('heading', { name, level: 1, exact: true }).waitFor();
}

async function textOf(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
}

const signIn = (page: Page, email: string) => signInToDashboard(page, service.api.url, org.slug, email);

it.each([
  ['laptop', LAPTOP],
  ['phone', PHONE],
] as const)(
  'an admin creates, configures, pings, rotates and disables an integration (%s)',
  async (device, options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    try {
      await signIn(page, adminEmail);
      await page.click('header nav a:text("Integrations")');
      await heading(page, 'EHR integrations');
      await expectAccessible(page);

      // A blank vendor (spaces get past the browser's own check) is refused; the name typed stays.
      const name = `Second EHR ${device}`;
      await page.fill('#name', name);
      await page.fill('#vendor', '   ');
      await page.click('button:text("Create integration")');
      await page.locator('[role=alert]').first().waitFor();
      expect(await page.inputValue('#name')).toBe(name);
      await expectAccessible(page);
      await page.fill('#vendor', 'Acme');
      await page.click('button:text("Create integration")');
      await heading(page, `${name} is ready`);
      await expectAccessible(page);
      await shot(page, `integration-created-${device}.png`);
      const webhookUrl = await page.inputValue('#webhook-url');
      const secret = await page.inputValue('#signing-secret');
      expect(secret).toMatch(/^whsec_/);

      // The EHR, configured with what was copied, starts an onboarding.
      const body = JSON.stringify(chartCreatedWebhook({ invite: false }));
      const webhook = await fetch(webhookUrl.replace(/^https?:\/\/[^/]+/, service.api.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedWebhookHeaders(secret, body) },
        body,
      });
      expect(webhook.status).toBe(202);

      await page.click('a:text("Set up callbacks")');
      await heading(page, name);
      await page.locator('td:text("Accepted")').first().waitFor();
      // Not https: refused, what was typed kept.
      await page.fill('#callbackUrl', 'ftp://ehr.example/callbacks');
      await page.click('button:text("Save callbacks")');
      await page.locator('#callbackUrl-error').first().waitFor();
      expect(await page.inputValue('#callbackUrl')).toBe('ftp://ehr.example/callbacks');
      await expectAccessible(page);
      await page.fill('#callbackUrl', `http://127.0.0.1:${(ehr.address() as AddressInfo).port}/callbacks`);
      await page.check('input[value="onboarding.registered"]');
      await page.click('button:text("Save callbacks")');
      expect(await textOf(page, '[role=status]')).toBe('Callbacks saved.');
      const before = pings;
      await page.click('button:text("Send a test ping")');
      expect(await textOf(page, '[role=status]')).toContain('HTTP 204');
      expect(pings).toBe(before + 1);
      await expectAccessible(page);
      await shot(page, `integration-page-${device}.png`);

      await page.selectOption('#overlap', '24');
      await page.click('button:text("Rotate secret…")');
      await heading(page, 'Rotate the signing secret?');
      await expectAccessible(page);
      await page.click('button:text("Yes, rotate the signing secret")');
      await heading(page, 'New signing secret');
      const rotated = await page.inputValue('#signing-secret');
      expect(rotated).not.toBe(secret);
      await expectAccessible(page);
      await page.click('a.button');

      await page.click('button:text("Disable integration…")');
      await heading(page, 'Disable this integration?');
      await page.click('button:text("Yes, disable this integration")');
      expect(await textOf(page, '[role=status]')).toBe('Integration disabled.');
      await page.locator('button:text("Re-enable integration")').first().waitFor();
      await expectAccessible(page);
    } finally {
      await context.close();
    }
  },
);

it('a therapist has no integrations link and is refused the page, with a way back', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  try {
    await signIn(page, therapistEmail);
    expect(await page.locator('header nav a:text("Integrations")').count()).toBe(0);
    const response = await page.goto(`${service.api.url}/staff/${org.slug}/integrations`);
    expect(response?.status()).toBe(403);
    await page.locator('a:text("Back to the dashboard")').first().waitFor();
    await expectAccessible(page);
  } finally {
    await context.close();
  }
});
