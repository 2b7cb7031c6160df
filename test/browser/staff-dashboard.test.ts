/**
 * A newcomer at the practice opens the staff dashboard, sees the onboardings,
 * resends an expired invitation from the client's page and watches the status
 * change; on a laptop and on a phone. Real pages, real headless Chromium, the
 * real stack behind them, on the time-skipping Temporal server so invitations
 * can expire in a test.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TOnboardingResponse } from '../../schemas/onboarding';
import { expectAccessible } from '../support/axe';
import { launchBrowser, PHONE } from '../support/browser';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { emailsSent } from '../support/invitations';
import { eventually, startTestService, uniqueSuffix, type TestService } from '../support/service';
import { setStaffPassword, STAFF_PASSWORD } from '../support/staff-login';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const LAPTOP = { viewport: { width: 1366, height: 768 } };

interface Client {
  onboardingId: string;
  name: string;
  lastName: string;
}

let service: TestService;
let org: TestOrganization;
let browser: Browser;
let context: BrowserContext | undefined;
let adminEmail: string;
/** Invited with no forms; its invitation expires. */
let expired: Client;
/** Chart only, no invitation. */
let notInvited: Client;
/** Invited with the default form package; its invitation expires too. */
let withForms: Client;

async function statusOf(onboardingId: string): Promise<TOnboardingResponse> {
  const response = await service.get(`/v1/onboardings/${onboardingId}`, { authorization: `Bearer ${org.keys.admin}` });
  expect(response.status).toBe(200);
  return (await response.json()) as TOnboardingResponse;
}

async function chart(firstName: string, lastName: string, overrides: Parameters<typeof chartCreatedWebhook>[0]) {
  const event = chartCreatedWebhook({ firstName, lastName, ...overrides });
  const response = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event);
  expect(response.status).toBe(202);
  const { onboardingId } = (await response.json()) as TWebhookAccepted;
  return { onboardingId, name: `${firstName} ${lastName}`, lastName };
}

function until(onboardingId: string, status: string) {
  return eventually(async () => ((await statusOf(onboardingId)).status === status ? true : undefined), {
    what: `onboarding ${onboardingId} to be ${status}`,
  });
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [service, browser] = await Promise.all([startTestService({ timeSkipping: true }), launchBrowser()]);
  await service.startWorker();
  const { db } = service.database;
  org = await createTestOrganization(db);
  adminEmail = await setStaffPassword(db, org.adminId);

  const suffix = uniqueSuffix();
  [expired, notInvited, withForms] = await Promise.all([
    chart('Amara', `Okafor${suffix}`, {}),
    chart('Lars', `Lindqvist${suffix}`, { invite: false }),
    chart('Chloé', `Moreau${suffix}`, { formPackageKey: org.formPackageKey }),
  ]);
  // Every email is out (so the invitations' timers run) before the clock jumps.
  await Promise.all([
    eventually(async () => ((await emailsSent(db, expired.onboardingId)).length === 1 ? true : undefined)),
    eventually(async () =>
      (await emailsSent(db, withForms.onboardingId)).sort().join() === 'forms-assigned,portal-invitation'
        ? true
        : undefined,
    ),
    until(notInvited.onboardingId, 'CHART_CREATED'),
  ]);
  await service.env.sleep('8 days');
  await Promise.all([until(expired.onboardingId, 'EXPIRED'), until(withForms.onboardingId, 'EXPIRED')]);
}, 60_000);

afterEach(async () => {
  await context?.close();
  context = undefined;
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });

async function signIn(page: Page): Promise<void> {
  await page.goto(`${service.api.url}/staff/${org.slug}`);
  // A stranger is sent to sign in first.
  expect(new URL(page.url()).pathname).toBe(`/staff/${org.slug}/login`);
  await expectAccessible(page);
  await shot(page, `dashboard-sign-in-${page.viewportSize()!.width}.png`);
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Client onboardings', level: 1 }).waitFor();
  expect(new URL(page.url()).pathname).toBe(`/staff/${org.slug}`);
  await expectAccessible(page);
}

/** Submits the filters as a browser does, every field included, and expects the filtered list back. */
async function apply(page: Page, url: RegExp): Promise<void> {
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(url);
  expect(await page.textContent('h1')).toBe('Client onboardings');
}

/** The list's rows as [client, status] pairs, in order. */
async function rows(page: Page): Promise<[string, string][]> {
  const found = await page.locator('table.list tbody tr').all();
  return Promise.all(
    found.map(async (row) => {
      const client = squash(await row.locator('td[data-label=Client]').textContent());
      const status = squash(await row.locator('td[data-label=Status]').textContent());
      return [client, status] as [string, string];
    }),
  );
}

async function funnelFigure(page: Page, label: string): Promise<string> {
  // A figure's label may be followed by its share ("expired (33% of invited)").
  const figure = page
    .locator('.funnel > div')
    .filter({ has: page.locator('span').getByText(new RegExp(`^${label}( \\(|$)`)) });
  return squash(await figure.locator('strong').textContent());
}

/** The value next to a label in the client page's facts. */
async function fact(page: Page, label: string): Promise<string> {
  return squash(
    await page.locator('dl.facts dt', { hasText: label }).locator('xpath=following-sibling::dd[1]').textContent(),
  );
}

async function expectNoHorizontalScroll(page: Page): Promise<void> {
  // A string: the test compiles without the DOM library.
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
  );
  expect(innerWidth).toBe(PHONE.viewport.width);
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

it('on a laptop: lists, filters and searches, then resends an expired invitation and the status changes', async () => {
  context = await browser.newContext(LAPTOP);
  const page = await context.newPage();
  await signIn(page);

  expect(squash(await page.getByRole('status').textContent())).toBe('3 onboardings');
  expect((await rows(page)).sort()).toEqual(
    [
      [expired.name, 'Expired'],
      [notInvited.name, 'Not invited'],
      [withForms.name, 'Expired'],
    ].sort(),
  );
  expect(await funnelFigure(page, 'invited')).toBe('2');
  expect(await funnelFigure(page, 'expired')).toBe('2');
  // Wide enough, the filters are open without a click, Apply in sight; the Filters toggle is a phone's.
  expect(await page.getByLabel('Status').isVisible()).toBe(true);
  expect(await page.getByRole('button', { name: 'Apply' }).isVisible()).toBe(true);
  expect(await page.locator('details.filters-box > summary').isVisible()).toBe(false);
  await shot(page, 'dashboard-list-laptop.png');

  // Clicking a column header sorts by it, a second click turns it round.
  await page.getByRole('link', { name: /^Client\b.*sort A to Z/ }).click();
  await page.waitForURL(/[?&]sort=client&dir=asc/);
  const byName = (await rows(page)).map(([client]) => client);
  expect(byName).toEqual([...byName].sort((a, b) => a.split(' ')[1]!.localeCompare(b.split(' ')[1]!)));
  expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('ascending');
  await expectAccessible(page);
  await page.getByRole('link', { name: /^Client\b.*sort Z to A/ }).click();
  await page.waitForURL(/[?&]dir=desc/);
  expect((await rows(page)).map(([client]) => client)).toEqual([...byName].reverse());
  expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('descending');

  // Status = Expired narrows the list to the two that expired, and stays selected.
  await page.getByLabel('Status').selectOption({ label: 'Expired' });
  await apply(page, /[?&]status=EXPIRED/);
  expect((await rows(page)).sort()).toEqual(
    [
      [expired.name, 'Expired'],
      [withForms.name, 'Expired'],
    ].sort(),
  );
  expect(await page.getByLabel('Status').inputValue()).toBe('EXPIRED');
  // Applying filters kept the order chosen by the header.
  expect(page.url()).toContain('sort=client');
  await expectAccessible(page);

  // A search by last name finds exactly that client.
  await page.getByLabel('Status').selectOption({ label: 'Any' });
  await page.getByLabel('Search').fill(expired.lastName.toLowerCase());
  await apply(page, /[?&]q=/);
  expect(squash(await page.getByRole('status').textContent())).toBe('1 onboarding');
  expect(await rows(page)).toEqual([[expired.name, 'Expired']]);

  await page.getByRole('link', { name: expired.name }).click();
  await page.getByRole('heading', { name: expired.name, level: 1 }).waitFor();
  expect(await fact(page, 'Status')).toBe('Expired');
  expect(await fact(page, 'Invitation')).toMatch(
    /^Invitation 1 — sent [A-Z][a-z]{2} \d+, expired on [A-Z][a-z]{2} \d+$/,
  );
  const timeline = squash(await page.locator('ol.timeline').textContent());
  expect(timeline).toMatch(
    /^Chart received — EHR .*Invitation sent — System .*Invitation reminder emailed — System .*Invitation expired unused — System /,
  );
  expect(timeline).not.toMatch(/[a-z]\.[a-z]/);
  await expectAccessible(page);
  await shot(page, 'dashboard-client-laptop.png');

  await page.getByRole('link', { name: 'Resend invite' }).click();
  await page.getByRole('heading', { name: 'Resend invite?', level: 1 }).waitFor();
  await page.getByText('A new invitation link will be emailed to the portal owner, valid for 7 days.').waitFor();
  expect(await page.getByRole('link', { name: 'No, go back' }).getAttribute('href')).toBe(
    `/staff/${org.slug}/onboardings/${expired.onboardingId}`,
  );
  await expectAccessible(page);
  await shot(page, 'dashboard-confirm-laptop.png');

  await page.getByRole('button', { name: 'Yes, resend invite' }).click();
  await page.waitForURL(`**/staff/${org.slug}/onboardings/${expired.onboardingId}?done=resend`);
  expect(squash(await page.getByRole('status').textContent())).toBe('Resend invite: done.');
  expect(await fact(page, 'Status')).toBe('Invited');
  expect(await fact(page, 'Invitation')).toMatch(/^Invitation 2 — sent [A-Z][a-z]{2} \d+, expires [A-Z][a-z]{2} \d+$/);
  expect(squash(await page.locator('ol.timeline').textContent())).toMatch(/Invitation resent — ADMIN \S+ \(admin\)/);
  await expectAccessible(page);
  expect(await emailsSent(service.database.db, expired.onboardingId)).toEqual([
    'portal-invitation',
    'invitation-reminder',
    'invitation-reminder',
    'invitation-resent',
  ]);

  // Back on the list, the row says Invited and the other expired one is untouched.
  await page.getByRole('link', { name: 'Onboardings' }).click();
  await page.getByRole('heading', { name: 'Client onboardings', level: 1 }).waitFor();
  await expectAccessible(page);
  expect((await rows(page)).sort()).toEqual(
    [
      [expired.name, 'Invited'],
      [notInvited.name, 'Not invited'],
      [withForms.name, 'Expired'],
    ].sort(),
  );
});

it('on a phone: the list is cards without sideways scrolling, and so is a client page', async () => {
  context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await signIn(page);

  expect(await rows(page)).toHaveLength(3);
  // The first client is on the first screen: the filters wait behind "Filters".
  const firstRow = await page.locator('table.list tbody tr').first().boundingBox();
  expect(firstRow!.y).toBeLessThan(PHONE.viewport.height);
  expect(await page.getByLabel('Status').isVisible()).toBe(false);
  await shot(page, 'dashboard-list-phone.png');
  await page.getByText('Filters', { exact: true }).click();
  expect(await page.getByLabel('Status').isVisible()).toBe(true);
  expect(await page.getByRole('button', { name: 'Apply' }).isVisible()).toBe(true);
  await expectAccessible(page);
  await shot(page, 'dashboard-list-phone-filters.png');
  // Cards: no table header, each row a block of labelled lines.
  expect(await page.locator('table.list thead').isVisible()).toBe(false);
  expect(await page.evaluate(`getComputedStyle(document.querySelector('table.list tbody tr')).display`)).toBe('block');
  await expectNoHorizontalScroll(page);

  await page.getByRole('link', { name: withForms.name }).click();
  await page.getByRole('heading', { name: withForms.name, level: 1 }).waitFor();
  expect(await fact(page, 'Status')).toBe('Expired');
  const forms = page.locator('section.card', { has: page.getByRole('heading', { name: 'Forms', level: 2 }) });
  expect(await forms.locator('ul.documents li').count()).toBe(3);
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);
  await shot(page, 'dashboard-client-phone.png');

  await page.getByRole('link', { name: 'Cancel onboarding' }).click();
  await page.getByRole('heading', { name: 'Cancel onboarding?', level: 1 }).waitFor();
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);
  await shot(page, 'dashboard-confirm-phone.png');
});

it('a wrong password keeps the email typed, and says what went wrong', async () => {
  context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${service.api.url}/staff/${org.slug}/login`);
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  expect(await page.getByLabel('Email').inputValue()).toBe(adminEmail);
  expect(await page.getByLabel('Password').inputValue()).toBe('');
  await expectAccessible(page);
  await shot(page, 'dashboard-sign-in-refused-phone.png');
});
