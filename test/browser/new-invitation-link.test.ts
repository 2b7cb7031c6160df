/**
 * Issue 20, part 3, as a client sees it: Grace opens her expired invitation
 * link, presses "Email me a new link", is told to check her email (the same
 * words whatever happened), and the new link in her inbox opens the
 * registration form while the old one stays closed. A client who never
 * registered and tries "Forgot your password?" gets a new invitation too. On
 * a phone and on a desktop, with axe.
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

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const DESKTOP = { viewport: { width: 1366, height: 900 } };
const PHONE_NUMBER = '(555) 010-0199';

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
  const response = await fetch(`${service.api.url}/v1/practice/settings`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${org.keys.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ contactPhone: PHONE_NUMBER, invitationReminderDays: [] }),
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

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A client invited through the EHR's webhook, whose link has since expired. */
async function expiredInvitation(): Promise<{ token: string; email: string; onboardingId: string }> {
  const event = chartCreatedWebhook({});
  const email = event.data.client.email!;
  const response = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event);
  const { onboardingId } = (await response.json()) as TWebhookAccepted;
  const token = await eventually(() => latestRegistrationToken(service.outboxDir, email).catch(() => undefined));
  await service.database.db.invitation.updateMany({ where: { onboardingId }, data: { expiresAt: new Date(0) } });
  return { token, email, onboardingId };
}

/** The newest registration link in the client's inbox, once it is not `old`. */
async function newTokenFor(email: string, old: string): Promise<string> {
  return eventually(
    async () => {
      const token = await latestRegistrationToken(service.outboxDir, email);
      return token === old ? undefined : token;
    },
    { what: 'a new invitation in the outbox', timeoutMs: 20_000 },
  );
}

for (const [device, options] of [
  ['phone', PHONE],
  ['desktop', DESKTOP],
] as const) {
  it(`on a ${device}, a client with an expired link emails herself a new one`, async () => {
    const { token, email, onboardingId } = await expiredInvitation();
    context = await browser.newContext(options);
    const page = await context.newPage();
    const response = await page.goto(`${service.api.url}/portal/register/${token}`);
    expect(response?.status()).toBe(410);
    expect((await page.textContent('.card'))?.replace(/\s+/g, ' ')).toContain(
      `the address ${practiceName} has for you`,
    );
    await expect(page.textContent('.card')).resolves.toContain(`call ${PHONE_NUMBER}`);
    await shoot(page, `new-link-offer-${device}`);
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Email me a new link' }).click();
    await page.waitForURL(`**/portal/register/${token}/new-link`);
    expect(await page.textContent('h1')).toBe('Check your email');
    const answer = (await page.getByRole('status').textContent())?.replace(/\s+/g, ' ');
    expect(answer).toContain(`on its way to the email address ${practiceName} has for you`);
    await expect(page.textContent('.card')).resolves.toContain(`call ${PHONE_NUMBER}`);
    await shoot(page, `new-link-asked-${device}`);
    await expectAccessible(page);

    const fresh = await newTokenFor(email, token);
    const registration = await page.goto(`${service.api.url}/portal/register/${fresh}`);
    expect(registration?.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('Set up your portal account');
    // The old link stays closed, and says so.
    expect((await page.goto(`${service.api.url}/portal/register/${token}`))?.status()).toBe(410);
    const audit = await service.database.db.auditEvent.findFirst({
      where: { onboardingId, action: 'portal.invitation_link_request' },
    });
    expect(audit).toMatchObject({ outcome: 'success' });
  });

  it(`on a ${device}, "Forgot your password?" before registering sends a new invitation`, async () => {
    const { token, email } = await expiredInvitation();
    context = await browser.newContext(options);
    const page = await context.newPage();
    await page.goto(`${service.api.url}/portal/${org.slug}/login`);
    await page.getByRole('link', { name: 'Invitation link expired? Get a new one' }).click();
    await page.waitForURL(`**/portal/${org.slug}/password/forgot`);
    await expectAccessible(page);
    await page.fill('#email', email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('a new invitation goes to it instead');
    await shoot(page, `new-link-forgot-${device}`);
    await expectAccessible(page);
    await newTokenFor(email, token);
  });
}

it('a revoked link offers nothing, and asking anyway gets the same answer', async () => {
  const { token, onboardingId } = await expiredInvitation();
  await service.database.db.onboarding.update({ where: { id: onboardingId }, data: { status: 'REVOKED' } });
  context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${service.api.url}/portal/register/${token}`);
  expect(await page.getByRole('button', { name: 'Email me a new link' }).count()).toBe(0);
  await expect(page.textContent('.card')).resolves.toContain(`Ask ${practiceName} to send you a new invitation`);
  await expectAccessible(page);
});
