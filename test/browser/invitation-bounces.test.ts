/**
 * An invitation to an address that does not exist comes back as a hard
 * bounce (the outbox plays Resend and posts a signed event to our webhook):
 * the dashboard counts it and filters on "Invitation bounced", and the
 * client's page shows the email's trail with the provider's reason. On a
 * laptop and on a phone, in real headless Chromium, on the real stack.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import { expectAccessible } from '../support/axe';
import { launchBrowser, PHONE } from '../support/browser';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { eventually, startTestService, uniqueSuffix, type TestService } from '../support/service';
import { setStaffPassword, STAFF_PASSWORD } from '../support/staff-login';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const LAPTOP = { viewport: { width: 1366, height: 768 } };

let service: TestService;
let org: TestOrganization;
let browser: Browser;
let context: BrowserContext | undefined;
let adminEmail: string;
let bounced: { onboardingId: string; name: string };
let delivered: { onboardingId: string; name: string };

async function chart(firstName: string, lastName: string, email: string) {
  const response = await service.post(
    `/v1/webhooks/ehr/${org.integrationId}`,
    chartCreatedWebhook({ firstName, lastName, email }),
  );
  expect(response.status).toBe(202);
  const { onboardingId } = (await response.json()) as TWebhookAccepted;
  return { onboardingId, name: `${firstName} ${lastName}` };
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [service, browser] = await Promise.all([
    startTestService({ emailEvents: true, simulateDeliveryEvents: true }),
    launchBrowser(),
  ]);
  await service.startWorker();
  const { db } = service.database;
  org = await createTestOrganization(db);
  adminEmail = await setStaffPassword(db, org.adminId);
  const suffix = uniqueSuffix();
  [bounced, delivered] = await Promise.all([
    chart('Ada', `Lovelace${suffix}`, `ada-${suffix}@bounce.test`),
    chart('Alan', `Turing${suffix}`, `alan-${suffix}@example.test`),
  ]);
  await eventually(
    async () => {
      const row = await db.onboarding.findUniqueOrThrow({ where: { id: bounced.onboardingId } });
      return row.status === 'INVITATION_BOUNCED' ? true : undefined;
    },
    { what: 'the bounce' },
  );
  await eventually(async () =>
    (await db.emailMessage.findFirst({ where: { onboardingId: delivered.onboardingId, deliveryStatus: 'delivered' } }))
      ? true
      : undefined,
  );
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
  await page.goto(`${service.api.url}/staff/${org.slug}/login`);
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Client onboardings', level: 1 }).waitFor();
  await expectAccessible(page);
}

async function rows(page: Page): Promise<[string, string][]> {
  const found = await page.locator('table.list tbody tr').all();
  return Promise.all(
    found.map(
      async (row) =>
        [
          squash(await row.locator('td[data-label=Client]').textContent()),
          squash(await row.locator('td[data-label=Status]').textContent()),
        ] as [string, string],
    ),
  );
}

async function expectNoHorizontalScroll(page: Page, width: number): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
  );
  expect(innerWidth).toBe(width);
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

for (const [device, options] of [
  ['laptop', LAPTOP],
  ['phone', PHONE],
] as const) {
  it(`on a ${device}: the bounce is counted, filtered on, and explained on the client's page`, async () => {
    context = await browser.newContext(options);
    const page = await context.newPage();
    await signIn(page);
    expect((await rows(page)).sort()).toEqual(
      [
        [bounced.name, 'Invitation bounced'],
        [delivered.name, 'Invited'],
      ].sort(),
    );
    const figure = page.locator('.funnel > div').filter({ has: page.locator('span').getByText(/^bounced/) });
    expect(squash(await figure.locator('strong').textContent())).toBe('1');
    await shot(page, `bounces-dashboard-${device}.png`);

    if (device === 'phone') await page.getByText('Filters', { exact: true }).click();
    await page.getByLabel('Status').selectOption({ label: 'Invitation bounced' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/[?&]status=INVITATION_BOUNCED/);
    expect(await rows(page)).toEqual([[bounced.name, 'Invitation bounced']]);
    await expectAccessible(page);

    await page.getByRole('link', { name: bounced.name }).click();
    await page.getByRole('heading', { name: bounced.name, level: 1 }).waitFor();
    const trail = squash(await page.getByTestId('email-trail').textContent());
    expect(trail).toContain('Portal invitation');
    expect(trail).toContain('Bounced: the address does not take mail');
    expect(trail).toContain('550 5.1.1 user unknown');
    // The way out is on the page: staff correct the address through Change Ownership or resend.
    expect(await page.getByRole('link', { name: /Change/ }).count()).toBeGreaterThan(0);
    await expectAccessible(page);
    await expectNoHorizontalScroll(page, options.viewport.width);
    await shot(page, `bounces-client-${device}.png`);
  });
}
