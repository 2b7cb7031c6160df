/**
 * Every page the service serves, as a phone (390 px) and a desktop (1366 px)
 * show it, checked by axe-core (issue 13, accessibility): the client's from
 * registration to a receipt, the staff's from sign-in to each confirmation,
 * the error pages, the bare address and the local outbox and checkout. Any
 * serious or critical violation fails the test and names the page; each page
 * and width leaves a screenshot, test-results/screenshots/a11y-<page>-<width>.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import { listOutbox } from '../../emails/mailer';
import { expectAccessible } from '../support/axe';
import { launchBrowser } from '../support/browser';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { signAllForms } from '../support/forms';
import { latestRegistrationToken } from '../support/invitations';
import {
  CLIENT_PASSWORD,
  createPayingClient,
  enablePayments,
  giveInvoice,
  testInvoice,
  type PayingClient,
} from '../support/payments';
import { eventually, startTestService, type TestService } from '../support/service';
import { setStaffPassword, STAFF_PASSWORD } from '../support/staff-login';

jest.setTimeout(150_000);

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const WIDTHS = [
  { name: '390', viewport: { width: 390, height: 844 } },
  { name: '1366', viewport: { width: 1366, height: 900 } },
];

let service: TestService;
let org: TestOrganization;
let payer: PayingClient;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const checked: { name: string; title: string }[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [service, browser] = await Promise.all([startTestService({ payments: 'local' }), launchBrowser()]);
  await service.startWorker();
  const db = service.database.db;
  org = await createTestOrganization(db);
  await enablePayments(db, org.organizationId);
  payer = await createPayingClient(db, org, { assignedStaffId: org.therapistId });
  await giveInvoice(db, org, payer, testInvoice({ issuedOn: '2026-10-05' }));
  context = await browser.newContext({ viewport: WIDTHS[0]!.viewport });
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await service?.stop();
});

const portal = (rest = '') => `${service.api.url}/portal/${org.slug}${rest}`;
const staff = (rest = '') => `${service.api.url}/staff/${org.slug}${rest}`;

/** The page as it is now, at each width: axe finds nothing serious, and a screenshot to look at. */
async function check(name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize(width.viewport);
    await expectAccessible(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, `a11y-${name}-${width.name}.png`), fullPage: true });
  }
  await page.setViewportSize(WIDTHS[0]!.viewport);
  checked.push({ name, title: await page.title() });
}

async function visit(name: string, url: string): Promise<void> {
  await page.goto(url);
  await check(name);
}

async function signIn(email: string, password: string): Promise<void> {
  await page.goto(portal('/login'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/login'));
}

/** Not every page has the Sign out button (and its form is checked elsewhere): forget the session. */
async function signOut(): Promise<void> {
  await context.clearCookies();
}

it('the client’s pages: registration, sign-in, password, home, documents, a form, a signed form', async () => {
  await visit('root', `${service.api.url}/`);
  const event = chartCreatedWebhook({ formPackageKey: org.formPackageKey });
  const response = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event);
  expect(response.status).toBe(202);
  const { onboardingId } = (await response.json()) as TWebhookAccepted;
  const email = event.data.client.email!;
  const token = await eventually(() => latestRegistrationToken(service.outboxDir, email).catch(() => undefined), {
    what: 'the invitation email',
  });
  await visit('registration', `${service.api.url}/portal/register/${token}`);
  // A wrong date of birth: the page with its error.
  await page.getByLabel('Last name').fill(event.data.client.lastName);
  await page.getByLabel('Date of birth').fill('1900-01-01');
  await page.getByLabel(/New password/).fill(CLIENT_PASSWORD);
  await page.getByLabel('Repeat the password').fill(CLIENT_PASSWORD);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await check('registration-error');
  await page.getByLabel('Last name').fill(event.data.client.lastName);
  await page.getByLabel('Date of birth').fill(event.data.client.dateOfBirth);
  await page.getByLabel(/New password/).fill(CLIENT_PASSWORD);
  await page.getByLabel('Repeat the password').fill(CLIENT_PASSWORD);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await check('registration-done');

  await visit('sign-in', portal('/login'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await check('sign-in-error');
  await visit('forgot-password', portal('/password/forgot'));

  await signIn(email, CLIENT_PASSWORD);
  await visit('home', portal(''));
  await visit('my-documents', portal('/documents'));
  await page.getByRole('listitem').getByRole('link').first().click();
  await check('form');
  // Sent empty: every required answer missing, announced.
  await page
    .getByRole('button', { name: /sign|submit/i })
    .first()
    .click();
  await check('form-errors');

  const { portalAccount } = await service.database.db.onboarding
    .findUniqueOrThrow({
      where: { id: onboardingId },
      select: { client: { select: { portalAccount: { select: { id: true } } } } },
    })
    .then((row) => ({ portalAccount: row.client!.portalAccount! }));
  const sessionId = 'a11y';
  await signAllForms(service.database.db, service.env.client, {
    portalAccountId: portalAccount.id,
    organizationId: org.organizationId,
    displayName: event.data.client.firstName,
    sessionId,
  });
  await visit('my-documents-signed', portal('/documents'));
  await page.getByRole('listitem').getByRole('link').first().click();
  await check('signed-form');
  await visit('home-done', portal(''));
  await signOut();
});

it('a contact’s registration through their own invitation (issue 15)', async () => {
  const event = chartCreatedWebhook();
  const parent = `parent-a11y-${event.data.externalChartId.toLowerCase()}@example.test`;
  const response = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, {
    ...event,
    data: { ...event.data, contacts: [{ name: 'Pat Parent', email: parent, relationship: 'PARENT' }] },
  });
  expect(response.status).toBe(202);
  const token = await eventually(() => latestRegistrationToken(service.outboxDir, parent).catch(() => undefined), {
    what: 'the contact’s invitation email',
  });
  await visit('contact-registration', `${service.api.url}/portal/register/${token}`);
  // The CLIENT's last name and date of birth (seed 001), the contact's own password.
  await page.getByLabel('Last name').fill(event.data.client.lastName);
  await page.getByLabel('Date of birth').fill(event.data.client.dateOfBirth);
  await page.getByLabel(/New password/).fill(CLIENT_PASSWORD);
  await page.getByLabel('Repeat the password').fill(CLIENT_PASSWORD);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await expect(page.textContent('[data-testid="contact-registered"]')).resolves.toContain(parent);
  await check('contact-registration-done');
});

it('the client’s account and payment pages: My Account, Pay Now, checkout, receipt, cards', async () => {
  await signIn(payer.email, CLIENT_PASSWORD);
  await visit('my-account', portal('/account'));
  await visit('pay-amount', portal('/account/pay'));
  await page
    .getByRole('button', { name: /review|continue/i })
    .first()
    .click();
  await check('pay-review');
  await page.getByRole('button', { name: /pay/i }).first().click();
  await page.waitForURL(/\/dev\/checkout\//);
  await check('local-checkout');
  await page.getByRole('button', { name: /Pay .* with Visa/ }).click();
  await page.waitForURL(/\/account\/payments\//);
  await check('payment-status');
  await eventually(
    async () => {
      await page.reload();
      return (await page.getByRole('heading', { level: 1 }).textContent())?.includes('Payment received')
        ? true
        : undefined;
    },
    { what: 'the receipt', timeoutMs: 20_000 },
  );
  await check('receipt');
  await visit('cards', portal('/account/cards'));
  await signOut();
});

it('the staff’s pages: sign-in, the list, a client, each confirmation', async () => {
  const db = service.database.db;
  const adminEmail = await setStaffPassword(db, org.adminId);
  await visit('staff-sign-in', staff('/login'));
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill('wrong password, surely');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await check('staff-sign-in-error');
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/login'));
  await visit('staff-list', staff(''));

  // An invited client has every action on offer, and so has the parent the chart names (issue 15).
  const chart = chartCreatedWebhook({ formPackageKey: org.formPackageKey });
  const parentEmail = `parent-staff-${chart.data.externalChartId.toLowerCase()}@example.test`;
  const event = {
    ...chart,
    data: { ...chart.data, contacts: [{ name: 'Pat Parent', email: parentEmail, relationship: 'PARENT' }] },
  };
  const { onboardingId } = (await (
    await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event)
  ).json()) as TWebhookAccepted;
  const parent = await eventually(
    async () =>
      (
        await db.portalUserInvitation.findFirst({
          where: { onboardingId },
          select: { access: { select: { portalUserId: true } } },
        })
      )?.access,
  );
  await eventually(async () =>
    (await db.onboarding.findUnique({ where: { id: onboardingId } }))?.status === 'INVITED' ? true : undefined,
  );
  await visit('staff-client', staff(`/onboardings/${onboardingId}`));
  for (const action of ['resend', 'revoke', 'owner', 'forms', 'cancel']) {
    await visit(`staff-confirm-${action}`, staff(`/onboardings/${onboardingId}/${action}`));
  }
  for (const action of ['resend-invite', 'revoke-invite']) {
    await visit(
      `staff-confirm-portal-user-${action}`,
      staff(`/onboardings/${onboardingId}/portal-users/${parent.portalUserId}/${action}`),
    );
  }
  await visit('staff-client-paid', staff(`/onboardings/${payer.onboardingId}`));
  await visit('staff-error-bad-filter', staff('?from=not-a-date'));
  await visit('staff-error-not-found', staff('/onboardings/00000000-0000-4000-8000-000000000000'));
  // The second factor (issue 14, item 12): the admin's own page, the team's, and the step that timed out.
  await visit('staff-security', staff('/security'));
  await visit('staff-security-team', staff('/security/team'));
  await visit('staff-confirm-second-factor-reset', staff(`/security/team/${org.therapistId}/reset`));
  await visit('staff-error-second-step-expired', staff('/login/code'));
});

it('the error pages, the local outbox and template previews', async () => {
  await visit('error-not-found', portal('/no-such-page'));
  await visit('error-unknown-practice', `${service.api.url}/portal/no-such-practice/login`);
  await visit('error-used-link', `${service.api.url}/portal/register/not-a-real-token`);
  // A form whose CSRF field has expired (here: removed), as after a long pause.
  await page.goto(portal('/login'));
  await page.evaluate('document.querySelector("input[name=_csrf]").value = "expired"');
  await page.getByLabel('Email').fill(payer.email);
  await page.getByLabel('Password').fill(CLIENT_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await check('error-csrf');

  await visit('outbox', `${service.api.url}/dev/outbox`);
  const [message] = await listOutbox(service.outboxDir);
  await visit('outbox-email', `${service.api.url}/dev/outbox/${message!.id}`);
  await visit('email-templates', `${service.api.url}/dev/emails`);
  await visit('email-preview', `${service.api.url}/dev/emails/portal-invitation`);

  // Last, as it shuts this address out of the portal's doors for a while: too many tries.
  await page.goto(portal('/password/forgot'));
  const csrf = (await page.locator('input[name=_csrf]').first().getAttribute('value')) ?? '';
  for (let attempt = 0; attempt <= 20; attempt++) {
    const response = await page.request.post(portal('/password/forgot'), {
      form: { _csrf: csrf, email: payer.email },
    });
    if (response.status() === 429) break;
  }
  await page.getByLabel('Email').fill(payer.email);
  await page.getByRole('button').last().click();
  await check('error-too-many-tries');

  // Error pages say so first in their title (what a screen reader announces and the tab shows).
  const titles = checked.filter(({ name }) => name.startsWith('error-') || name.startsWith('staff-error-'));
  expect(titles.length).toBeGreaterThanOrEqual(7);
  for (const { name, title } of titles) {
    expect(`${name}: ${title}`).toMatch(new RegExp(`^${name}: (Error: |Page not found – )`));
  }
});
