/**
 * Ops see how each EHR integration's callbacks are faring, read-only and
 * without PHI (issue 19, item 4): an ops engineer opens Integrations and sees
 * this week's delivered, failed and waiting callbacks; no payload, webhook id
 * or client reaches the page; a therapist is refused. On a laptop (1366 px)
 * and a phone (390 px), axe on every page.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible } from '../support/axe';
import { launchBrowser, PHONE } from '../support/browser';
import { createTestOrganization, newOnboarding, type TestOrganization } from '../support/factories';
import { startTestService, type TestService } from '../support/service';
import { signInToDashboard } from '../support/staff-browser';
import { setStaffPassword } from '../support/staff-login';

const LAPTOP = { viewport: { width: 1366, height: 768 } };

let service: TestService;
let org: TestOrganization;
let browser: Browser;
let opsEmail: string;
let therapistEmail: string;
const webhookIds = [`status-callback-${randomUUID()}`, `status-callback-${randomUUID()}`];
let lastName = '';

beforeAll(async () => {
  [service, browser] = await Promise.all([startTestService(), launchBrowser()]);
  const { db } = service.database;
  org = await createTestOrganization(db);
  const ops = await db.staffUser.findFirstOrThrow({ where: { organizationId: org.organizationId, role: 'OPS' } });
  opsEmail = await setStaffPassword(db, ops.id);
  therapistEmail = await setStaffPassword(db, org.therapistId);
  const { input } = await newOnboarding(db, org.organizationId, { integrationId: org.integrationId });
  lastName = input.chart.client.lastName;
  for (const [webhookId, status] of [
    [webhookIds[0]!, 'FAILED'],
    [webhookIds[1]!, 'DELIVERED'],
  ] as const) {
    await db.outboundWebhook.create({
      data: {
        integrationId: org.integrationId,
        onboardingId: input.onboardingId,
        webhookId,
        eventType: 'onboarding.registered',
        payload: { onboardingId: input.onboardingId },
        status,
        attempts: 3,
        lastAttemptAt: new Date(),
        ...(status === 'DELIVERED' ? { deliveredAt: new Date() } : {}),
      },
    });
  }
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const signIn = (page: Page, email: string) => signInToDashboard(page, service.api.url, org.slug, email);

it.each([
  ['laptop', LAPTOP],
  ['phone', PHONE],
] as const)('an ops engineer reads the integrations’ delivery health (%s)', async (_device, options) => {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  try {
    await signIn(page, opsEmail);
    await page.click('header nav a:text("Integrations")');
    await page.getByRole('heading', { name: 'Integration delivery health', level: 1 }).waitFor();
    const row = page.locator('tr', { hasText: 'Test EHR' });
    expect(await row.locator('td[data-label="Delivered"]').textContent()).toContain('1');
    expect(await row.locator('td[data-label="Failed"]').textContent()).toContain('1');
    const content = await page.content();
    for (const hidden of [...webhookIds, lastName, org.webhookSecret]) expect(content).not.toContain(hidden);
    await expectAccessible(page);
  } finally {
    await context.close();
  }
});

it('a therapist is refused delivery health, with a way back', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  try {
    await signIn(page, therapistEmail);
    const response = await page.goto(`${service.api.url}/staff/${org.slug}/delivery-health`);
    expect(response?.status()).toBe(403);
    await page.locator('a:text("Back to the dashboard")').first().waitFor();
  } finally {
    await context.close();
  }
});
