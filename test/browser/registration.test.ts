/**
 * A client on a phone: opens the invitation link from the email, confirms
 * last name and date of birth, chooses a password, signs in. Real pages, real
 * headless Chromium, the real stack behind them.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TOnboardingResponse } from '../../schemas/onboarding';
import { expectAccessible } from '../support/axe';
import { launchBrowser, PHONE } from '../support/browser';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { latestRegistrationToken } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');

let service: TestService;
let org: TestOrganization;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [service, browser] = await Promise.all([startTestService(), launchBrowser()]);
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
});

beforeEach(async () => {
  context = await browser.newContext(PHONE);
});

afterEach(async () => {
  await context?.close();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

async function invite(overrides: Parameters<typeof chartCreatedWebhook>[0] = {}) {
  const event = chartCreatedWebhook(overrides);
  const response = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event);
  const { onboardingId } = (await response.json()) as TWebhookAccepted;
  const token = await eventually(() =>
    latestRegistrationToken(service.outboxDir, event.data.client.email!).catch(() => undefined),
  );
  return { event, onboardingId, link: `${service.api.url}/portal/register/${token}` };
}

async function statusOf(onboardingId: string): Promise<TOnboardingResponse> {
  const response = await service.get(`/v1/onboardings/${onboardingId}`, { authorization: `Bearer ${org.keys.admin}` });
  return (await response.json()) as TOnboardingResponse;
}

const PASSWORD = 'lantern orchard maple river';

it('registers through the emailed link, signs in, and the onboarding moves to REGISTERED', async () => {
  const { event, onboardingId, link } = await invite();
  const page = await context.newPage();

  await page.goto(link);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'registration-form-phone.png'), fullPage: true });
  expect(await page.textContent('h1')).toBe('Set up your portal account');
  await expectAccessible(page);
  // The form asks; it never shows what is on the chart.
  expect(await page.content()).not.toContain(event.data.client.lastName);

  await page.fill('#lastName', event.data.client.lastName.toLowerCase());
  await page.fill('#dateOfBirth', event.data.client.dateOfBirth);
  await page.fill('#password', PASSWORD);
  await page.fill('#passwordConfirmation', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('text=Your account is ready');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'registration-done-phone.png'), fullPage: true });

  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.fill('#email', event.data.client.email!);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector(`text=Welcome, ${event.data.client.firstName}`);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'portal-home-phone.png'), fullPage: true });

  const onboarding = await eventually(async () => {
    const current = await statusOf(onboardingId);
    return current.status === 'REGISTERED' && current.workflow.executionStatus === 'COMPLETED' ? current : undefined;
  });
  expect(onboarding.timeline.map((entry) => entry.type)).toEqual([
    'chart.created',
    'invitation.sent',
    'portal.registered',
  ]);

  // Registration and sign-in are on the client's audit trail, with the browser they came from.
  const trail = await service.database.db.auditEvent.findMany({
    where: { clientId: onboarding.clientId!, action: { in: ['portal.register', 'portal.sign_in'] } },
    orderBy: { occurredAt: 'asc' },
  });
  expect(trail.map((event) => [event.action, event.outcome])).toEqual([
    ['portal.register', 'success'],
    ['portal.sign_in', 'success'],
  ]);
  expect(trail[0]!.userAgent).toMatch(/Chrome/);

  // The link was single-use: opening it again says so and offers sign-in.
  await page.goto(link);
  expect(await page.textContent('h1')).toBe('This link was already used');

  // Signing out ends the session: the portal sends us back to sign in.
  await page.goto(`${service.api.url}/portal/${org.slug}`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto(`${service.api.url}/portal/${org.slug}`);
  expect(await page.textContent('h1')).toBe('Sign in');
});

it('explains a mismatch and a weak password without revealing the chart', async () => {
  const { event, link } = await invite();
  const page = await context.newPage();
  await page.goto(link);

  await page.fill('#lastName', 'Somebody-Else');
  await page.fill('#dateOfBirth', event.data.client.dateOfBirth);
  await page.fill('#password', PASSWORD);
  await page.fill('#passwordConfirmation', PASSWORD);
  await page.click('button[type=submit]');
  expect(await page.textContent('[role=alert]')).toContain('do not match our records');
  expect(await page.content()).not.toContain(event.data.client.lastName);

  await page.fill('#lastName', event.data.client.lastName);
  await page.fill('#dateOfBirth', event.data.client.dateOfBirth);
  await page.fill('#password', 'password1234');
  await page.fill('#passwordConfirmation', 'password1234');
  await page.click('button[type=submit]');
  expect(await page.textContent('[role=alert]')).toContain('too common');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'registration-weak-password-phone.png'), fullPage: true });
});

it('a revoked link names the practice to ask for a new invitation; a link never issued says the practice is not known', async () => {
  const { event, onboardingId, link } = await invite();
  const revoke = await service.post(
    `/v1/onboardings/${onboardingId}/portal-access/revoke`,
    {},
    {
      authorization: `Bearer ${org.keys.admin}`,
    },
  );
  expect(revoke.status).toBe(200);

  const page = await context.newPage();
  const revoked = await page.goto(link);
  expect(revoked?.status()).toBe(410);
  const revokedText = (await page.textContent('main'))!;
  const practiceName = (await page.textContent('header'))!.trim();
  expect(practiceName).toMatch(/^Practice /);
  expect(revokedText).toContain(`Ask ${practiceName} to send you a new invitation.`);
  expect(revokedText).not.toContain(event.data.client.lastName);
  await expectAccessible(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'link-not-valid-phone.png'), fullPage: true });

  const unknown = await page.goto(`${service.api.url}/portal/register/${'x'.repeat(43)}`);
  expect(unknown?.status()).toBe(410);
  const unknownText = (await page.textContent('main'))!;
  expect(unknownText).toContain('We could not tell which practice this link belongs to.');
  expect(unknownText).not.toContain(practiceName);
  await expectAccessible(page);
});

it('refuses a registration form posted without its CSRF token', async () => {
  const { event, link } = await invite();
  const response = await fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      lastName: event.data.client.lastName,
      dateOfBirth: event.data.client.dateOfBirth,
      password: PASSWORD,
      passwordConfirmation: PASSWORD,
    }).toString(),
  });
  expect(response.status).toBe(403);
  const account = await service.database.db.portalAccount.findFirstOrThrow({
    where: { email: event.data.client.email! },
  });
  expect(account.status).toBe('INVITED');
});

it('ends the previous session when the same browser signs in again', async () => {
  const { event, link } = await invite();
  const page = await context.newPage();
  await page.goto(link);
  await page.fill('#lastName', event.data.client.lastName);
  await page.fill('#dateOfBirth', event.data.client.dateOfBirth);
  await page.fill('#password', PASSWORD);
  await page.fill('#passwordConfirmation', PASSWORD);
  await page.click('button[type=submit]');
  const signIn = async () => {
    await page.goto(`${service.api.url}/portal/${org.slug}/login`);
    await page.fill('#email', event.data.client.email!);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector(`text=Welcome, ${event.data.client.firstName}`);
  };
  await signIn();
  await signIn();
  const account = await service.database.db.portalAccount.findFirstOrThrow({
    where: { email: event.data.client.email! },
  });
  const sessions = await service.database.db.portalSession.findMany({ where: { portalAccountId: account.id } });
  expect(sessions).toHaveLength(2);
  expect(sessions.filter((session) => session.revokedAt === null)).toHaveLength(1);
});
