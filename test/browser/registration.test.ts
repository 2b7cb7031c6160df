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
let practiceName: string;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [service, browser] = await Promise.all([startTestService(), launchBrowser()]);
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
  ({ name: practiceName } = await service.database.db.organization.findUniqueOrThrow({
    where: { id: org.organizationId },
  }));
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
/** A laptop's screen, where the layout must hold as well as on a phone. */
const DESKTOP = { width: 1366, height: 768 };
const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

it('registers through the emailed link, is signed in by it, and the onboarding moves to REGISTERED', async () => {
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
  // Signed in by registering (no second password prompt), told which address is the login from now on.
  await page.waitForSelector(`text=Welcome, ${event.data.client.firstName}`);
  expect(new URL(page.url()).pathname).toBe(`/portal/${org.slug}`);
  const welcome = squash(await page.getByTestId('welcome').textContent());
  expect(welcome).toContain('Your account is ready');
  expect(welcome).toContain(event.data.client.email!);
  // Nothing to do yet (no forms sent): the page says so and names the practice.
  expect(squash(await page.getByTestId('all-set').textContent())).toContain(`You're all set`);
  expect(await page.getByTestId('all-set').textContent()).toContain(practiceName);
  await expectAccessible(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'registration-done-phone.png'), fullPage: true });

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
  expect(trail.map((event) => [event.action, event.outcome, event.detail])).toEqual([
    ['portal.register', 'success', { result: 'registered' }],
    ['portal.sign_in', 'success', { reason: 'registration' }],
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

  // A wrong password keeps the email typed in (never the password); then the right one signs in.
  await page.fill('#email', event.data.client.email!);
  await page.fill('#password', 'not the password at all');
  await page.click('button[type=submit]');
  expect(await page.textContent('[role=alert]')).toContain('The email or password is not right');
  expect(await page.inputValue('#email')).toBe(event.data.client.email);
  expect(await page.inputValue('#password')).toBe('');
  await expectAccessible(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'sign-in-error-phone.png'), fullPage: true });
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector(`text=Welcome, ${event.data.client.firstName}`);
  // The welcome line belongs to the moment of registering, not to every sign-in.
  expect(await page.getByTestId('welcome').count()).toBe(0);
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
  const wrongName = squash(await page.textContent('[role=alert]'));
  expect(wrongName).toContain('do not match our records');
  expect(wrongName).toContain('You have 4 more tries before this link is locked');
  expect(wrongName).toContain('please enter your new password again');
  expect(await page.content()).not.toContain(event.data.client.lastName);
  // What was typed stays (but the passwords, which never go back into a page).
  expect(await page.inputValue('#lastName')).toBe('Somebody-Else');
  expect(await page.inputValue('#dateOfBirth')).toBe(event.data.client.dateOfBirth);
  expect(await page.inputValue('#password')).toBe('');
  expect(await page.inputValue('#passwordConfirmation')).toBe('');
  await expectAccessible(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'registration-mismatch-phone.png'), fullPage: true });

  // A wrong date of birth reads the same but for the count: the page never says which field was wrong.
  await page.fill('#lastName', event.data.client.lastName);
  await page.fill('#dateOfBirth', '1990-01-01');
  await page.fill('#password', PASSWORD);
  await page.fill('#passwordConfirmation', PASSWORD);
  await page.click('button[type=submit]');
  const wrongDate = squash(await page.textContent('[role=alert]'));
  expect(wrongDate.replace('3 more', '4 more')).toBe(wrongName);
  expect(await page.inputValue('#dateOfBirth')).toBe('1990-01-01');

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
  // The invitation email is marked sent a moment before the workflow finishes that step; until then
  // staff actions answer 409 "try again in a moment", so ask again as staff would.
  const revoke = await eventually(async () => {
    const response = await service.post(
      `/v1/onboardings/${onboardingId}/portal-access/revoke`,
      {},
      { authorization: `Bearer ${org.keys.admin}` },
    );
    return response.status === 409 && /try again in a moment/i.test(await response.clone().text())
      ? undefined
      : response;
  });
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
  // Registering signed the browser in (one session); each sign-in after it replaced the one before.
  expect(sessions).toHaveLength(3);
  expect(sessions.filter((session) => session.revokedAt === null)).toHaveLength(1);
});

it('home puts what is to do first as cards (forms, with their count), Sign out in the header, on a phone and a desktop', async () => {
  const { event, link } = await invite({ formPackageKey: org.formPackageKey });
  const page = await context.newPage();
  await page.goto(link);
  await page.fill('#lastName', event.data.client.lastName);
  await page.fill('#dateOfBirth', event.data.client.dateOfBirth);
  await page.fill('#password', PASSWORD);
  await page.fill('#passwordConfirmation', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector(`text=Welcome, ${event.data.client.firstName}`);

  // The forms arrive once the onboarding's form request has assigned them.
  const forms = page.getByTestId('task-forms');
  await eventually(async () => {
    await page.reload();
    return (await forms.count()) === 1 ? true : undefined;
  });
  expect(await page.getByTestId('all-set').count()).toBe(0);
  const task = squash(await forms.textContent());
  const count = Number(/(\d+) forms? from/.exec(task)?.[1]);
  expect(count).toBeGreaterThan(0);
  expect(task).toContain(
    `Complete your forms ${count} ${count === 1 ? 'form' : 'forms'} from ${practiceName} to complete`,
  );
  // Sign out is in the header, not one of the buttons of the page.
  expect(await page.locator('header').getByRole('button', { name: 'Sign out' }).count()).toBe(1);
  expect(await page.locator('main').getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  await expectAccessible(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'portal-home-todo-phone.png'), fullPage: true });
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'portal-home-todo-desktop.png'), fullPage: true });
  await page.setViewportSize(PHONE.viewport);

  // The count is the list My Documents shows: the card leads to exactly that many forms to do.
  await forms.click();
  await page.waitForSelector('h1:has-text("My Documents")');
  expect(await page.locator('.documents .tag-pending, .documents .tag-in_progress').count()).toBe(count);
});
