/**
 * A client whose session ended while an intake form was open (signed out in
 * another tab, or the session expired) presses Save draft: the form's body is
 * not read for someone signed out (issue 14, item 9, authenticate before
 * parsing), and the client lands on their practice's sign-in page, not on an
 * error. On a phone and on a desktop, with axe-core on every page visited.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible } from '../support/axe';
import { launchBrowser, PHONE } from '../support/browser';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { latestRegistrationToken } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const PASSWORD = 'lantern orchard maple river';
const INTAKE = 'Standard Intake Questionnaire';
const DESKTOP = { viewport: { width: 1366, height: 900 } };

let service: TestService;
let org: TestOrganization;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [service, browser] = await Promise.all([startTestService(), launchBrowser()]);
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

/** A client invited with the default package, registered and signed in on `page`. */
async function signedInClient(page: Page): Promise<void> {
  const event = chartCreatedWebhook({ formPackageKey: org.formPackageKey });
  const response = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event);
  expect(response.status).toBe(202);
  const email = event.data.client.email!;
  const token = await eventually(() => latestRegistrationToken(service.outboxDir, email).catch(() => undefined), {
    what: 'the invitation email',
  });
  await page.goto(`${service.api.url}/portal/register/${token}`);
  await page.getByLabel('Last name').fill(event.data.client.lastName);
  await page.getByLabel('Date of birth').fill(event.data.client.dateOfBirth);
  await page.getByLabel(/New password/).fill(PASSWORD);
  await page.getByLabel('Repeat the password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create my account' }).click();
  // Registering signs the client in and lands on their portal home.
  await page.waitForURL(`${service.api.url}/portal/${org.slug}?welcome=1`);
}

it.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])('sends a signed-out client who saves an intake form to sign in (%s)', async (device, viewport) => {
  const context = await browser.newContext(viewport);
  try {
    const page = await context.newPage();
    await signedInClient(page);
    await page.goto(`${service.api.url}/portal/${org.slug}/documents`);
    await page.getByRole('link', { name: INTAKE, exact: true }).click();
    await page.getByRole('heading', { name: INTAKE, level: 1 }).waitFor();
    await expectAccessible(page);
    await page.getByLabel('Preferred name').fill('Flo');

    // Signed out elsewhere: the session and the CSRF cookie are gone, the form is still on screen.
    await context.clearCookies();
    await page.getByRole('button', { name: 'Save draft' }).click();

    await page.waitForURL(`${service.api.url}/portal/${org.slug}/login`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const practice = await service.database.db.organization.findUniqueOrThrow({ where: { id: org.organizationId } });
    expect(await page.locator('body').textContent()).toContain(practice.name);
    await expectAccessible(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, `intake-signed-out-${device}.png`), fullPage: true });
  } finally {
    await context.close();
  }
});
