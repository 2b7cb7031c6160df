/**
 * Staff and a client's forms in a real browser (issue 13): Send forms offers a
 * package or single forms, shows what the client already has, says after
 * sending what went and what was skipped and why, and can send a signed form
 * again; a signed form's answers read on the page, scores first, with item 9
 * of the PHQ-9 marked. On a phone and a desktop, every page checked by axe-core.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TOnboardingFormsResponse } from '../../schemas/forms';
import { createLogger } from '../../observability/logger';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import { currentUser, signIn as portalSignIn, type PortalUser } from '../../use-cases/accounts/portal-sessions';
import { loadPortalDocument, submitForm } from '../../use-cases/forms/portal-documents';
import { expectAccessible } from '../support/axe';
import { launchBrowser, PHONE } from '../support/browser';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { VALID_ANSWERS } from '../support/forms';
import { latestRegistrationToken } from '../support/invitations';
import { eventually, startTestService, uniqueSuffix, type TestService } from '../support/service';
import { setStaffPassword, STAFF_PASSWORD } from '../support/staff-login';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const DESKTOP = { viewport: { width: 1366, height: 900 } };
const PASSWORD = 'copper lantern orchard nine';
const logger = createLogger({ level: 'silent' });

let service: TestService;
let org: TestOrganization;
let browser: Browser;
let context: BrowserContext | undefined;
let adminEmail: string;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [service, browser] = await Promise.all([startTestService(), launchBrowser()]);
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
  adminEmail = await setStaffPassword(service.database.db, org.adminId);
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

async function formsOf(onboardingId: string): Promise<TOnboardingFormsResponse> {
  const response = await service.get(`/v1/onboardings/${onboardingId}/forms`, {
    authorization: `Bearer ${org.keys.admin}`,
  });
  return (await response.json()) as TOnboardingFormsResponse;
}

/** A client invited with the practice's package, registered, with a PHQ-9 signed (item 9 answered "Several days"). */
async function clientWithSignedPhq9(): Promise<{ onboardingId: string; name: string; user: PortalUser }> {
  const { db } = service.database;
  const suffix = uniqueSuffix();
  const event = chartCreatedWebhook({
    firstName: 'Ines',
    lastName: `Duarte${suffix}`,
    formPackageKey: org.formPackageKey,
  });
  const { onboardingId } = (await (
    await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event)
  ).json()) as TWebhookAccepted;
  const email = event.data.client.email!;
  const token = await eventually(() => latestRegistrationToken(service.outboxDir, email).catch(() => undefined));
  const registered = await registerPortalAccount({ db, temporal: service.env.client, logger }, token, {
    lastName: event.data.client.lastName,
    dateOfBirth: event.data.client.dateOfBirth,
    password: PASSWORD,
    passwordConfirmation: PASSWORD,
  });
  expect(registered.outcome).toBe('registered');
  const user = (await currentUser(db, (await portalSignIn(db, org.organizationId, email, PASSWORD))!))!;
  const sent = await service.post(
    `/v1/onboardings/${onboardingId}/form-requests`,
    { formKeys: ['phq-9'] },
    { authorization: `Bearer ${org.keys.admin}` },
  );
  expect(sent.status).toBe(201);
  const phq9 = (await formsOf(onboardingId)).requests
    .flatMap((request) => request.forms)
    .find((form) => form.formKey === 'phq-9')!;
  const document = (await loadPortalDocument(db, user, phq9.assignmentId))!;
  const answers = { phq9: { ...(VALID_ANSWERS['phq-9'] as { phq9: object }).phq9, self_harm: 1 } };
  const signed = await submitForm(
    { db, temporal: service.env.client, logger },
    user,
    document,
    { answers, signerName: 'Ines Duarte', agreed: true },
    { ip: '203.0.113.9', userAgent: 'jest', requestId: null },
  );
  expect(signed.outcome).toBe('submitted');
  return { onboardingId, name: `Ines Duarte${suffix}`, user };
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${service.api.url}/staff/${org.slug}/login`);
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Client onboardings', level: 1 }).waitFor();
  await expectAccessible(page);
}

async function expectNoHorizontalScroll(page: Page, width: number): Promise<void> {
  const { scrollWidth } = await page.evaluate<{ scrollWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth })',
  );
  expect(scrollWidth).toBeLessThanOrEqual(width);
}

for (const [device, options, width] of [
  ['phone', PHONE, PHONE.viewport.width],
  ['desktop', DESKTOP, DESKTOP.viewport.width],
] as const) {
  it(`on a ${device}: send forms skips what the client has, sends again on request, and says so`, async () => {
    const client = await clientWithSignedPhq9();
    const before = (await formsOf(client.onboardingId)).total;
    context = await browser.newContext(options);
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${service.api.url}/staff/${org.slug}/onboardings/${client.onboardingId}`);
    await page.getByRole('heading', { name: client.name, level: 1 }).waitFor();
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Send forms' }).click();
    await page.getByRole('heading', { name: 'Send forms', level: 1 }).waitFor();
    // The package's forms are waiting already, PHQ-9 is signed: the page says so before anything is sent.
    expect(squash(await page.locator('[data-form=standard-intake-questionnaire]').textContent())).toMatch(
      /Already waiting for the client \(sent /,
    );
    await page.getByLabel(/PHQ-9.*send again to be signed again.*signed on/s).waitFor();
    await expectAccessible(page);
    await expectNoHorizontalScroll(page, width);
    await shot(page, `staff-send-forms-${device}.png`);

    // Nothing ticked: the page comes back saying what to do.
    await page.getByRole('button', { name: 'Send the forms ticked' }).click();
    await page.getByRole('alert').filter({ hasText: 'Tick at least one form' }).waitFor();
    await expectAccessible(page);

    // The package again: nothing new, no email, and why.
    await page.getByRole('button', { name: 'Send this package' }).click();
    await page.getByRole('heading', { name: 'Nothing new to send', level: 1 }).waitFor();
    expect(squash(await page.getByRole('status').textContent())).toMatch(/Nothing was sent: .* No email was sent\./);
    expect(squash(await page.getByTestId('skipped').textContent())).toMatch(
      /Standard Intake Questionnaire: already waiting for the client \(sent /,
    );
    expect((await formsOf(client.onboardingId)).total).toBe(before);
    await expectAccessible(page);
    await shot(page, `staff-send-forms-nothing-new-${device}.png`);

    // "Send again" next to the signed PHQ-9 on the client's page comes with it ticked; GAD-7 is added by hand.
    await page.getByRole('link', { name: /^Back to / }).click();
    await page.getByRole('heading', { name: client.name, level: 1 }).waitFor();
    await expectAccessible(page);
    await shot(page, `staff-client-forms-${device}.png`);
    // The status counts what is waiting, as the client's portal does.
    const counts = await formsOf(client.onboardingId);
    expect(squash(await page.locator('.status').first().textContent())).toBe(
      `Forms outstanding: ${counts.outstanding} of ${counts.total}`,
    );
    await page.getByRole('link', { name: 'Send again Patient Health Questionnaire (PHQ-9)' }).click();
    await page.getByRole('heading', { name: 'Send forms', level: 1 }).waitFor();
    expect(await page.getByLabel(/PHQ-9.*send again/s).isChecked()).toBe(true);
    await page.getByLabel(/GAD-7/).check();
    await page.getByRole('button', { name: 'Send the forms ticked' }).click();
    await page.getByRole('heading', { name: 'Forms sent', level: 1 }).waitFor();
    expect(squash(await page.getByRole('status').textContent())).toMatch(/^Sent 2 forms to Ines Duarte.* An email/);
    expect(squash(await page.getByTestId('sent').textContent())).toMatch(/GAD-7.*PHQ-9/);
    expect((await formsOf(client.onboardingId)).total).toBe(before + 2);
    await expectAccessible(page);
    await expectNoHorizontalScroll(page, width);
    await shot(page, `staff-send-forms-sent-${device}.png`);
  });

  it(`on a ${device}: a signed form's answers read on the page, scores first, item 9 marked, and the read is audited`, async () => {
    const client = await clientWithSignedPhq9();
    context = await browser.newContext(options);
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${service.api.url}/staff/${org.slug}/onboardings/${client.onboardingId}`);
    await expectAccessible(page);
    await page.getByRole('link', { name: /Answers to Patient Health Questionnaire/ }).click();
    await page.getByRole('heading', { name: 'Patient Health Questionnaire (PHQ-9)', level: 1 }).waitFor();

    const text = squash(await page.locator('main').textContent());
    // The scores first, then the answer needing review, then the answers themselves.
    expect(text.indexOf('Scores')).toBeGreaterThan(-1);
    expect(text.indexOf('Scores')).toBeLessThan(text.indexOf('Needs review today'));
    expect(text.indexOf('Needs review today')).toBeLessThan(text.indexOf('Little interest or pleasure'));
    expect(squash(await page.getByTestId('scores').textContent())).toMatch(/PHQ-9 \d+ of 27 · \w+/);
    expect(squash(await page.getByTestId('needs-review').textContent())).toMatch(
      /Thoughts that you would be better off dead.*Several days \(1\)/,
    );
    expect(await page.locator('li.flagged').count()).toBe(1);
    expect(await page.getByRole('link', { name: /Download PDF/ }).getAttribute('href')).toMatch(/\/pdf$/);
    await expectAccessible(page);
    await expectNoHorizontalScroll(page, width);
    await shot(page, `staff-form-answers-${device}.png`);

    const reads = await service.database.db.auditEvent.count({
      where: { onboardingId: client.onboardingId, action: 'form.read', actorType: 'staff', outcome: 'success' },
    });
    expect(reads).toBe(1);
  });
}
