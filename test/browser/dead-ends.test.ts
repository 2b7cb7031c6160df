/**
 * Issue 13, bug 8: every page where a client's way ends names the practice
 * and says how to reach it (the phone and email its admin gave in the
 * practice settings), and offers the way on where there is one; the footer of
 * every client-facing page does too. A staff member's bad dashboard filter
 * keeps the dashboard and a way back. On a phone and on a desktop, with axe.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import { expectAccessible } from '../support/axe';
import { launchBrowser, PHONE } from '../support/browser';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { latestRegistrationToken } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';
import { setStaffPassword, STAFF_PASSWORD } from '../support/staff-login';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const DESKTOP = { viewport: { width: 1366, height: 900 } };
const PHONE_NUMBER = '(555) 010-0199';
const EMAIL = 'frontdesk@riverbend.example';

let service: TestService;
let org: TestOrganization;
/** A practice that gave no contact details. */
let bare: TestOrganization;
let practiceName: string;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [service, browser] = await Promise.all([startTestService(), launchBrowser()]);
  await service.startWorker();
  [org, bare] = await Promise.all([
    createTestOrganization(service.database.db),
    createTestOrganization(service.database.db),
  ]);
  const response = await fetch(`${service.api.url}/v1/practice/settings`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${org.keys.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      contactPhone: PHONE_NUMBER,
      contactEmail: EMAIL,
      contactAddress: '12 Mill Lane\nRiverbend, OR 97000',
    }),
  });
  expect(response.status).toBe(200);
  practiceName = ((await response.json()) as { name: string }).name;
});

afterEach(async () => {
  await context?.close();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

/** The practice is named, and its phone and email are links a phone can follow, inside the page's main card. */
async function expectReachable(page: Page, where = '.card') {
  const card = page.locator(where).first();
  await expect(card.textContent()).resolves.toContain(practiceName);
  expect(await card.getByRole('link', { name: PHONE_NUMBER }).getAttribute('href')).toBe('tel:5550100199');
  expect(await card.getByRole('link', { name: EMAIL }).getAttribute('href')).toBe(`mailto:${EMAIL}`);
}

async function expectFooter(page: Page) {
  const footer = page.locator('footer');
  await expect(footer.textContent()).resolves.toContain(practiceName);
  await expect(footer.textContent()).resolves.toContain('Riverbend, OR 97000');
  expect(await footer.getByRole('link', { name: PHONE_NUMBER }).getAttribute('href')).toBe('tel:5550100199');
  expect(await footer.getByRole('link', { name: EMAIL }).getAttribute('href')).toBe(`mailto:${EMAIL}`);
}

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function invitationLink(): Promise<{ link: string; onboardingId: string }> {
  const event = chartCreatedWebhook({});
  const response = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event);
  const { onboardingId } = (await response.json()) as TWebhookAccepted;
  const token = await eventually(() =>
    latestRegistrationToken(service.outboxDir, event.data.client.email!).catch(() => undefined),
  );
  return { link: `${service.api.url}/portal/register/${token}`, onboardingId };
}

for (const [device, options] of [
  ['phone', PHONE],
  ['desktop', DESKTOP],
] as const) {
  it(`on a ${device}, the sign-in page's footer names the practice with its phone, email and address`, async () => {
    context = await browser.newContext(options);
    const page = await context.newPage();
    await page.goto(`${service.api.url}/portal/${org.slug}/login`);
    await expectFooter(page);
    await shoot(page, `footer-sign-in-${device}`);
    await expectAccessible(page);
  });

  it(`on a ${device}, an expired invitation names the practice and how to reach it`, async () => {
    const { link, onboardingId } = await invitationLink();
    await service.database.db.invitation.updateMany({ where: { onboardingId }, data: { expiresAt: new Date(0) } });
    context = await browser.newContext(options);
    const page = await context.newPage();
    const response = await page.goto(link);
    expect(response?.status()).toBe(410);
    expect(await page.textContent('header')).toContain(practiceName);
    await expect(page.textContent('.card')).resolves.toContain(
      `Ask ${practiceName} to send you a new invitation: call ${PHONE_NUMBER} or email ${EMAIL}.`,
    );
    await expectReachable(page);
    await expectFooter(page);
    await shoot(page, `dead-end-expired-invitation-${device}`);
    await expectAccessible(page);
  });
}

it('a revoked invitation names the practice too; a link never issued says plainly the practice is not known', async () => {
  const { link, onboardingId } = await invitationLink();
  await service.database.db.invitation.updateMany({ where: { onboardingId }, data: { status: 'REVOKED' } });
  context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(link);
  await expectReachable(page);

  const unknown = await page.goto(`${service.api.url}/portal/register/${'A'.repeat(43)}`);
  expect(unknown?.status()).toBe(410);
  await expect(page.textContent('.card')).resolves.toContain('We could not tell which practice this link belongs to.');
  await expect(page.textContent('footer')).resolves.toBe('Client Portal');
  await shoot(page, 'dead-end-unknown-invitation-phone');
  await expectAccessible(page);
});

it('a used or expired password-reset link keeps the practice in the header and links to a new one', async () => {
  context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const response = await page.goto(`${service.api.url}/portal/${org.slug}/password/reset/${'B'.repeat(43)}`);
  expect(response?.status()).toBe(410);
  expect(await page.textContent('header')).toContain(practiceName);
  await expectReachable(page);
  await shoot(page, 'dead-end-password-reset-phone');
  await expectAccessible(page);

  await page.getByRole('link', { name: 'Email me a new link' }).click();
  await page.waitForURL(`**/portal/${org.slug}/password/forgot`);
  expect(await page.textContent('h1')).toBe('Reset your password');
  expect(await page.textContent('header')).toContain(practiceName);
  await expectAccessible(page);
});

it('portal error pages (404, expired form, unknown practice) name the practice, how to reach it and the way home', async () => {
  context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const missing = await page.goto(`${service.api.url}/portal/${org.slug}/no-such-page`);
  expect(missing?.status()).toBe(404);
  expect(await page.textContent('header')).toContain(practiceName);
  await expectReachable(page);
  expect(await page.getByRole('link', { name: 'Go to your portal home' }).getAttribute('href')).toBe(
    `/portal/${org.slug}`,
  );
  await shoot(page, 'dead-end-portal-404-phone');
  await expectAccessible(page);

  // The form's CSRF cookie is gone (a browser restarted, a long pause): the post is refused with the practice named.
  await page.goto(`${service.api.url}/portal/${org.slug}/login`);
  await context.clearCookies();
  await page.fill('#email', 'someone@example.com');
  await page.fill('#password', 'whatever it was');
  await page.click('button[type=submit]');
  await page.waitForSelector('text=Your form expired');
  await expectReachable(page);
  await expectAccessible(page);

  const unknown = await page.goto(`${service.api.url}/portal/no-such-practice/login`);
  expect(unknown?.status()).toBe(404);
  await expect(page.textContent('.card')).resolves.toContain('We could not tell which practice this link belongs to.');
  await expectAccessible(page);

  // A practice without contact details is still named.
  await page.goto(`${service.api.url}/portal/${bare.slug}/no-such-page`);
  await expect(page.textContent('.card')).resolves.toMatch(/Please contact Practice \S+\./);
  await expectAccessible(page);
});

it('too many tries from one address: the 429 page names the practice and how to reach it', async () => {
  const form = await fetch(`${service.api.url}/portal/${org.slug}/password/forgot`);
  const cookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  for (let attempt = 0; attempt < 25; attempt += 1) {
    const response = await fetch(`${service.api.url}/portal/${org.slug}/password/forgot`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: `_csrf=${encodeURIComponent(csrf)}&email=someone%40example.com`,
    });
    if (response.status === 429) {
      const body = await response.text();
      expect(body).toContain(practiceName);
      expect(body).toContain(`href="tel:5550100199"`);
      expect(body).toContain(`href="mailto:${EMAIL}"`);
      return;
    }
  }
  throw new Error('never limited');
});

it('a bad dashboard filter keeps the dashboard, says what is wrong and links back', async () => {
  const email = await setStaffPassword(service.database.db, org.adminId);
  context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  await page.goto(`${service.api.url}/staff/${org.slug}/login`);
  await page.fill('#email', email);
  await page.fill('#password', STAFF_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`**/staff/${org.slug}`);

  const bad = await page.goto(`${service.api.url}/staff/${org.slug}?status=NOPE&page=abc`);
  expect(bad?.status()).toBe(400);
  expect(await page.getByRole('link', { name: 'Clear the filters' }).getAttribute('href')).toBe(`/staff/${org.slug}`);
  await shoot(page, 'dead-end-staff-bad-filter-desktop');
  await expectAccessible(page);

  const missing = await page.goto(`${service.api.url}/staff/${org.slug}/onboardings/not-an-id`);
  expect(missing?.status()).toBeGreaterThanOrEqual(400);
  expect(await page.getByRole('link', { name: 'Back to the dashboard' }).getAttribute('href')).toBe(
    `/staff/${org.slug}`,
  );
  await expectAccessible(page);
});
