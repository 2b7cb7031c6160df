/**
 * A client on a phone completes the intake forms the EHR asked for: the
 * invitation and the "forms are waiting" email arrive, they register, open My
 * Documents, save a draft and come back to it, get told what is missing, sign
 * all three forms, download a signed PDF; staff then see the onboarding
 * Complete, the clinician and admins are emailed, and the signatures verify.
 * Real pages, real headless Chromium, the real stack behind them.
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFParse } from 'pdf-parse';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TChartCreatedWebhook, TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TOnboardingResponse } from '../../schemas/onboarding';
import { listOutbox, type TOutboxMessage } from '../../emails/mailer';
import { launchBrowser, PHONE } from '../support/browser';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { latestRegistrationToken } from '../support/invitations';
import { expectAccessible } from '../support/axe';
import { setStaffPassword, STAFF_PASSWORD } from '../support/staff-login';
import { eventually, startTestService, type TestService } from '../support/service';

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const PASSWORD = 'lantern orchard maple river';

const INTAKE = 'Standard Intake Questionnaire';
const CONSENT = 'Informed Consent for Psychotherapy';
const PRIVACY = 'Notice of Privacy Practices';
const PHQ9 = 'Patient Health Questionnaire (PHQ-9)';
const GAD7 = 'Generalized Anxiety Disorder Assessment (GAD-7)';

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
  context = await browser.newContext({ ...PHONE, acceptDownloads: true });
});

afterEach(async () => {
  await context?.close();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const admin = () => ({ authorization: `Bearer ${org.keys.admin}` });

async function outboxTo(to: string, template: string): Promise<TOutboxMessage[]> {
  const messages = await listOutbox(service.outboxDir);
  return messages.filter((message) => message.to === to && message.tags.template === template);
}

/**
 * The EHR creates a chart with a form package and asks for a portal invitation.
 * Resolves once both emails are out, as the client sees them: the forms are assigned by then.
 */
async function invite(formPackageKey: string, clinicianEmail?: string) {
  const base = chartCreatedWebhook({ formPackageKey });
  const event: TChartCreatedWebhook = { ...base, data: { ...base.data, clinicianEmail } };
  const response = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event);
  expect(response.status).toBe(202);
  const { onboardingId } = (await response.json()) as TWebhookAccepted;
  const email = event.data.client.email!;
  const token = await eventually(() => latestRegistrationToken(service.outboxDir, email).catch(() => undefined), {
    what: 'the invitation email',
  });
  const [formsEmail] = await eventually(
    async () => {
      const found = await outboxTo(email, 'forms-assigned');
      return found.length ? found : undefined;
    },
    { what: 'the forms-assigned email' },
  );
  return { event, email, onboardingId, formsEmail: formsEmail!, link: `${service.api.url}/portal/register/${token}` };
}

async function registerAndSignIn(page: Page, event: TChartCreatedWebhook, link: string): Promise<void> {
  await page.goto(link);
  await page.getByLabel('Last name').fill(event.data.client.lastName);
  await page.getByLabel('Date of birth').fill(event.data.client.dateOfBirth);
  await page.getByLabel(/New password/).fill(PASSWORD);
  await page.getByLabel('Repeat the password').fill(PASSWORD);
  // Registering signs the client in and lands on home.
  await page.getByRole('button', { name: 'Create my account' }).click();
  await page.getByRole('heading', { name: `Welcome, ${event.data.client.firstName}` }).waitFor();
}

const squash = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

/** My Documents as the client sees it: each form's title and status tag, in order. */
async function documentList(page: Page): Promise<[string, string][]> {
  await page.getByRole('heading', { name: 'My Documents' }).waitFor();
  const rows = await page.getByRole('listitem').all();
  return Promise.all(
    rows.map(async (row) => {
      const title = squash(await row.getByRole('link').first().textContent());
      const status = squash(await row.locator('.tag').textContent());
      return [title, status] as [string, string];
    }),
  );
}

async function openForm(page: Page, title: string): Promise<void> {
  await page.getByRole('link', { name: title, exact: true }).click();
  await page.getByRole('heading', { name: title, level: 1 }).waitFor();
}

async function sign(page: Page, name: string): Promise<void> {
  await page.getByLabel('Your full name').fill(name);
  await page.getByRole('checkbox', { name: 'I agree to sign electronically' }).check();
  await page.getByRole('button', { name: 'Sign and submit' }).click();
}

async function expectNoHorizontalScroll(page: Page): Promise<void> {
  // A string: the test compiles without the DOM library.
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
  );
  expect(innerWidth).toBe(PHONE.viewport.width);
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

async function statusOf(onboardingId: string): Promise<TOnboardingResponse> {
  const response = await service.get(`/v1/onboardings/${onboardingId}`, admin());
  expect(response.status).toBe(200);
  return (await response.json()) as TOnboardingResponse;
}

interface OnboardingForms {
  total: number;
  submitted: number;
  requests: { requestId: string; forms: { assignmentId: string; title: string; status: string }[] }[];
}

async function formsOf(onboardingId: string): Promise<OnboardingForms> {
  const response = await service.get(`/v1/onboardings/${onboardingId}/forms`, admin());
  expect(response.status).toBe(200);
  return (await response.json()) as OnboardingForms;
}

it('completes, signs and downloads the intake package on a phone; staff see it Complete', async () => {
  const db = service.database.db;
  const [adminUser, clinician] = await Promise.all([
    db.staffUser.findUniqueOrThrow({ where: { id: org.adminId } }),
    db.staffUser.findUniqueOrThrow({ where: { id: org.therapistId } }),
  ]);

  // 1. The EHR assigns the default package; the invitation and the separate forms email both go out.
  const { event, email, onboardingId, formsEmail, link } = await invite(org.formPackageKey, clinician.email);
  expect(await outboxTo(email, 'portal-invitation')).toHaveLength(1);
  expect(await outboxTo(email, 'forms-assigned')).toHaveLength(1);
  expect(formsEmail.text).not.toMatch(/\/portal\/register\//);
  expect(formsEmail.text).toContain(`${service.api.url}/portal/${org.slug}/documents`);

  // 2. Register, sign in: three forms to complete, all listed as To complete.
  const page = await context.newPage();
  await registerAndSignIn(page, event, link);
  expect(squash(await page.getByTestId('task-forms').textContent())).toContain('3 forms from');
  await page.getByRole('link', { name: 'My Documents' }).click();
  expect(await documentList(page)).toEqual([
    [INTAKE, 'To complete'],
    [CONSENT, 'To complete'],
    [PRIVACY, 'To complete'],
  ]);
  await expectNoHorizontalScroll(page);

  // 3. Fill some of the intake, save a draft, leave and come back: it is all still there.
  await openForm(page, INTAKE);
  const reason = 'Trouble sleeping since the move.\nWorry about work most evenings.';
  await page.getByLabel('Preferred name').fill('Flo');
  await page.getByLabel('Pronouns').fill('she/her');
  await page.getByRole('radio', { name: 'Text message' }).check();
  await page.getByLabel(/What would you like help with/).fill(reason);
  await page.getByRole('checkbox', { name: 'Sleep' }).check();
  await page.getByRole('checkbox', { name: 'Work or school' }).check();
  await page
    .getByRole('group', { name: /seen a therapist/ })
    .getByRole('radio', { name: 'No' })
    .check();
  await page.getByRole('button', { name: 'Save draft' }).click();
  expect(squash(await page.getByRole('status').textContent())).toBe(
    'Your draft is saved. You can come back to it any time.',
  );

  await page.getByRole('link', { name: 'Back to My Documents' }).click();
  expect(await documentList(page)).toEqual([
    [INTAKE, 'Draft saved'],
    [CONSENT, 'To complete'],
    [PRIVACY, 'To complete'],
  ]);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'forms-my-documents-phone.png'), fullPage: true });
  await openForm(page, INTAKE);
  expect(await page.getByRole('status').count()).toBe(0);
  expect(await page.getByLabel('Preferred name').inputValue()).toBe('Flo');
  expect(await page.getByLabel('Pronouns').inputValue()).toBe('she/her');
  expect(await page.getByRole('radio', { name: 'Text message' }).isChecked()).toBe(true);
  expect(await page.getByRole('radio', { name: 'Email' }).isChecked()).toBe(false);
  expect(await page.getByLabel(/What would you like help with/).inputValue()).toBe(reason);
  expect(await page.getByRole('checkbox', { name: 'Sleep' }).isChecked()).toBe(true);
  expect(await page.getByRole('checkbox', { name: 'Work or school' }).isChecked()).toBe(true);
  expect(await page.getByRole('checkbox', { name: 'Low mood' }).isChecked()).toBe(false);
  const previousTherapy = page.getByRole('group', { name: /seen a therapist/ });
  expect(await previousTherapy.getByRole('radio', { name: 'No' }).isChecked()).toBe(true);
  expect(await page.getByLabel(/Emergency contact/).inputValue()).toBe('');

  // 4. Sign with the emergency contact (required) empty and no signature: told what to fix, nothing lost.
  await page.getByLabel('Current medications, if any').fill('Melatonin 3 mg');
  await page.getByRole('button', { name: 'Sign and submit' }).click();
  expect(squash(await page.getByRole('alert').textContent())).toBe('Please check 2 things below before signing.');
  const emergency = page.getByLabel(/Emergency contact/);
  expect(await emergency.getAttribute('aria-invalid')).toBe('true');
  const describedBy = (await emergency.getAttribute('aria-describedby')) ?? '';
  expect(describedBy.split(' ')).toContain('q-emergency_contact-error');
  expect(squash(await page.locator('#q-emergency_contact-error').textContent())).toBe(
    'Error: Please answer this question.',
  );
  expect(squash(await page.locator('#signature-error').textContent())).toBe('Type your full name to sign.');
  expect(await page.getByRole('checkbox', { name: 'I agree to sign electronically' }).isChecked()).toBe(false);
  // Only the question that needs it is flagged.
  expect(await page.getByLabel('Preferred name').getAttribute('aria-invalid')).toBeNull();
  expect(await page.getByLabel('Preferred name').inputValue()).toBe('Flo');
  expect(await page.getByLabel('Current medications, if any').inputValue()).toBe('Melatonin 3 mg');
  expect(await page.getByLabel(/What would you like help with/).inputValue()).toBe(reason);
  expect(await page.getByRole('radio', { name: 'Text message' }).isChecked()).toBe(true);
  expect(await page.getByRole('checkbox', { name: 'Sleep' }).isChecked()).toBe(true);
  expect(await previousTherapy.getByRole('radio', { name: 'No' }).isChecked()).toBe(true);
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'forms-intake-errors-phone.png'), fullPage: true });

  // 5. Complete and sign each form; after each, My Documents shows it Signed.
  const signer = `${event.data.client.firstName} ${event.data.client.lastName}`;
  const emergencyContact = 'Ada Lovelace 555-0142';
  await emergency.fill(emergencyContact);
  await sign(page, signer);
  expect(squash(await page.getByRole('status').textContent())).toContain(`"${INTAKE}" is signed`);
  expect(await documentList(page)).toEqual([
    [CONSENT, 'To complete'],
    [PRIVACY, 'To complete'],
    [INTAKE, 'Signed'],
  ]);

  for (const title of [CONSENT, PRIVACY]) {
    await openForm(page, title);
    await page.getByRole('checkbox', { name: 'I agree', exact: true }).check();
    await sign(page, signer);
    expect(squash(await page.getByRole('status').textContent())).toContain(`"${title}" is signed`);
    const list = await documentList(page);
    expect(list).toContainEqual([title, 'Signed']);
  }
  expect(await documentList(page)).toEqual([
    [INTAKE, 'Signed'],
    [CONSENT, 'Signed'],
    [PRIVACY, 'Signed'],
  ]);
  expect(await page.getByRole('link', { name: 'Download PDF' }).count()).toBe(3);
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'forms-my-documents-signed-phone.png'), fullPage: true });

  // A signed form is read-only: the answers as text, no inputs, and a PDF to download.
  await openForm(page, INTAKE);
  expect(await page.getByRole('textbox').count()).toBe(0);
  expect(await page.getByRole('radio').count()).toBe(0);
  expect(await page.getByRole('checkbox').count()).toBe(0);
  expect(await page.getByRole('button', { name: /Sign and submit|Save draft/ }).count()).toBe(0);
  const main = squash(await page.getByRole('main').textContent());
  expect(main).toContain('This form can no longer be changed.');
  expect(main).toContain(emergencyContact);
  expect(main).toContain('Melatonin 3 mg');
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'forms-signed-phone.png'), fullPage: true });

  // 6. The PDF holds what was typed, who signed and the fingerprint.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download PDF' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('standard-intake-questionnaire.pdf');
  const bytes = await readFile(await download.path());
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  let text: string;
  try {
    ({ text } = await parser.getText());
  } finally {
    await parser.destroy();
  }
  const pdfText = squash(text);
  expect(pdfText).toContain(emergencyContact);
  expect(pdfText).toContain(signer);
  expect(pdfText).toContain('SHA-256');

  // 7. Staff: the onboarding is Complete, the clinician and the admin are emailed, the signature verifies.
  const onboarding = await eventually(
    async () => {
      const current = await statusOf(onboardingId);
      return current.status === 'COMPLETE' ? current : undefined;
    },
    { what: 'the onboarding to be COMPLETE' },
  );
  expect(onboarding.forms).toEqual({ total: 3, submitted: 3, outstanding: 0 });
  expect(onboarding.assignedStaffId).toBe(clinician.id);

  const forms = await formsOf(onboardingId);
  expect(forms).toMatchObject({ total: 3, submitted: 3 });
  const [request] = forms.requests;
  const staffEmails = await eventually(
    async () => {
      const messages = (await listOutbox(service.outboxDir)).filter(
        (message) =>
          message.tags.template === 'forms-completed-staff' &&
          message.idempotencyKey.startsWith(`forms-completed:${request!.requestId}:`),
      );
      return messages.length >= 2 ? messages : undefined;
    },
    { what: 'the forms-completed-staff emails' },
  );
  expect(staffEmails.map((message) => message.to).sort()).toEqual([adminUser.email, clinician.email].sort());
  // Staff emails name the chart, never the client.
  for (const message of staffEmails) {
    expect(message.text).toContain(event.data.externalChartId);
    expect(message.text).not.toContain(event.data.client.lastName);
  }

  const intake = request!.forms.find((form) => form.title === INTAKE)!;
  const document = await service.get(`/v1/onboardings/${onboardingId}/documents/${intake.assignmentId}`, admin());
  expect(document.status).toBe(200);
  const signed = (await document.json()) as {
    answers: Record<string, unknown>;
    signature: { signerName: string };
    verification: { valid: boolean };
  };
  expect(signed.verification.valid).toBe(true);
  expect(signed.signature.signerName).toBe(signer);
  expect(signed.answers).toMatchObject({
    preferred_name: 'Flo',
    emergency_contact: emergencyContact,
    concerns: ['Sleep', 'Work or school'],
    previous_therapy: false,
  });
  // The browser posts a textarea's line breaks as CRLF; the text itself is what was typed.
  expect(String(signed.answers.reason).replace(/\r\n/g, '\n')).toBe(reason);

  // And the client's home page has nothing left to do.
  await page.goto(`${service.api.url}/portal/${org.slug}`);
  expect(await page.getByTestId('task-forms').count()).toBe(0);
  expect(squash(await page.getByTestId('all-set').textContent())).toContain(`You're all set`);
});

it('takes the PHQ-9 on a phone: one line per question, gaps flagged, no score shown', async () => {
  const { event, link } = await invite(org.assessmentsPackageKey);
  const page = await context.newPage();
  await registerAndSignIn(page, event, link);
  expect(squash(await page.getByTestId('task-forms').textContent())).toContain('5 forms from');
  await page.getByRole('link', { name: 'My Documents' }).click();
  expect((await documentList(page)).map(([title]) => title)).toEqual([INTAKE, CONSENT, PRIVACY, PHQ9, GAD7]);

  await openForm(page, PHQ9);
  await expectNoHorizontalScroll(page);
  // A line's name gains " (not answered)" when it is flagged, so match the start of it.
  const line = (name: string) =>
    page.getByRole('group', { name: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) });
  expect(await page.getByRole('radio').count()).toBe(9 * 4);
  expect(await line('Little interest or pleasure in doing things').getByRole('radio').count()).toBe(4);

  // Answer all but two lines and sign: the two are flagged, the rest kept.
  const items = [
    'Little interest or pleasure in doing things',
    'Feeling down, depressed, or hopeless',
    'Trouble falling or staying asleep, or sleeping too much',
    'Feeling tired or having little energy',
    'Poor appetite or overeating',
    'Feeling bad about yourself, or that you are a failure',
    'Trouble concentrating on things',
    'Moving or speaking slowly, or being fidgety or restless',
    'Thoughts that you would be better off dead, or of hurting yourself',
  ];
  for (const item of items.slice(0, 7)) {
    await line(item).getByRole('radio', { name: 'Several days' }).check();
  }
  const signer = `${event.data.client.firstName} ${event.data.client.lastName}`;
  await sign(page, signer);
  expect(squash(await page.getByRole('alert').textContent())).toBe('Please check one thing below before signing.');
  const notAnswered = await page.locator('.scale-item.has-error legend').allTextContents();
  expect(notAnswered.map(squash)).toEqual([`${items[7]} (not answered)`, `${items[8]} (not answered)`]);
  expect(await line(items[0]!).getByRole('radio', { name: 'Several days' }).isChecked()).toBe(true);
  expect(await line(items[8]!).getByRole('radio', { name: 'Not at all' }).getAttribute('aria-invalid')).toBe('true');
  expect(await line(items[0]!).getByRole('radio', { name: 'Not at all' }).getAttribute('aria-invalid')).toBeNull();
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'forms-phq9-errors-phone.png'), fullPage: true });

  // The signature given with the post stays given: the name typed and the box ticked.
  expect(await page.getByLabel('Your full name').inputValue()).toBe(signer);
  expect(await page.getByRole('checkbox', { name: 'I agree to sign electronically' }).isChecked()).toBe(true);

  await line(items[7]!).getByRole('radio', { name: 'Not at all' }).check();
  await line(items[8]!).getByRole('radio', { name: 'Not at all' }).check();
  await page.getByRole('button', { name: 'Sign and submit' }).click();
  expect(await documentList(page)).toContainEqual([PHQ9, 'Signed']);

  // The client sees their answers, never the score or its severity band.
  await openForm(page, PHQ9);
  const main = squash(await page.getByRole('main').textContent());
  expect(main).toContain('Several days');
  expect(main).not.toMatch(/Minimal|Mild|Moderate|Severe|score/i);
  await expectNoHorizontalScroll(page);
});

/** The page scrolls, once: no box inside it with a scroll of its own. */
async function expectNoInnerScroll(page: Page, selector: string): Promise<void> {
  // A string: the test compiles without the DOM library.
  const boxes = await page.evaluate<{ overflowY: string; scrollHeight: number; clientHeight: number }[]>(
    `[...document.querySelectorAll(${JSON.stringify(selector)})].map((box) => ({
      overflowY: getComputedStyle(box).overflowY,
      scrollHeight: box.scrollHeight,
      clientHeight: box.clientHeight,
    }))`,
  );
  expect(boxes.length).toBeGreaterThan(0);
  for (const box of boxes) {
    expect(box.overflowY).toBe('visible');
    expect(box.scrollHeight).toBeLessThanOrEqual(box.clientHeight + 1);
  }
}

it('shows the privacy notice and the consent in full before the box to tick, and takes "spring 2024" for when it started', async () => {
  const { event, link } = await invite(org.formPackageKey);
  const page = await context.newPage();
  await registerAndSignIn(page, event, link);
  await page.goto(`${service.api.url}/portal/${org.slug}/documents`);
  const practiceName = squash(await page.locator('header span').first().textContent());

  // The Notice of Privacy Practices: the notice itself, naming the practice, with its headings, above "I agree".
  await openForm(page, PRIVACY);
  const notice = page.locator('.consent-text');
  expect(squash(await notice.textContent())).toContain(
    `${practiceName} ("we") is required by law to keep your health information private`,
  );
  for (const heading of ['Your rights', 'Uses that need your written permission', 'Questions and complaints']) {
    expect(await notice.getByRole('heading', { name: heading, level: 3 }).isVisible()).toBe(true);
  }
  expect(squash(await notice.textContent())).toContain('We will not retaliate against you for filing a complaint.');
  // Read before the acknowledgement: the notice comes first in the page, and nothing scrolls inside it.
  const order = await page.evaluate<number>(
    `document.querySelector('.consent-text').compareDocumentPosition(document.querySelector('#q-acknowledgement'))`,
  );
  expect(order & 4).toBe(4); // DOCUMENT_POSITION_FOLLOWING
  await expectNoInnerScroll(page, '.consent-text');
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'forms-privacy-notice-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1366, height: 900 });
  await expectNoInnerScroll(page, '.consent-text');
  await expectAccessible(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'forms-privacy-notice-desktop.png'), fullPage: true });
  await page.setViewportSize(PHONE.viewport);
  const signer = `${event.data.client.firstName} ${event.data.client.lastName}`;
  await page.getByRole('checkbox', { name: 'I agree', exact: true }).check();
  await sign(page, signer);
  expect(await documentList(page)).toContainEqual([PRIVACY, 'Signed']);

  // The consent reads in the flow of the page too, and the signed copy keeps the notice's headings.
  await openForm(page, CONSENT);
  await expectNoInnerScroll(page, '.consent-text');
  await expectAccessible(page);
  await page.goto(`${service.api.url}/portal/${org.slug}/documents`);
  await openForm(page, PRIVACY);
  expect(await page.locator('.consent-text').getByRole('heading', { name: 'Your rights' }).isVisible()).toBe(true);
  await expectNoInnerScroll(page, '.consent-text');
  await expectAccessible(page);
  await page.goto(`${service.api.url}/portal/${org.slug}/documents`);

  // "Roughly when did this start?" takes words, with a hint of what is fine.
  await openForm(page, INTAKE);
  const since = page.getByLabel('Roughly when did this start?');
  expect(await since.getAttribute('type')).toBe('text');
  expect(squash(await page.locator('#q-concerns_since-hint').textContent())).toContain('spring 2024');
  await since.fill('spring 2024');
  await page.getByRole('button', { name: 'Save draft' }).click();
  expect(await page.getByLabel('Roughly when did this start?').inputValue()).toBe('spring 2024');
  await page.getByRole('radio', { name: 'Email' }).check();
  await page.getByLabel(/Emergency contact/).fill('Ada Lovelace 555-0142');
  await page.getByLabel(/What would you like help with/).fill('Sleep.');
  await page
    .getByRole('group', { name: /seen a therapist/ })
    .getByRole('radio', { name: 'No' })
    .check();
  await expectAccessible(page);
  await sign(page, signer);
  expect(await documentList(page)).toContainEqual([INTAKE, 'Signed']);
  await openForm(page, INTAKE);
  expect(squash(await page.getByRole('main').textContent())).toContain('Roughly when did this start? spring 2024');
});

it('shows the crisis line as soon as PHQ-9 item 9 is answered above "Not at all", and alerts the practice', async () => {
  const db = service.database.db;
  const crisisMessage = 'Our on-call clinician answers 555-0199, day and night.';
  const settings = await fetch(`${service.api.url}/v1/practice/settings`, {
    method: 'PATCH',
    headers: { ...admin(), 'content-type': 'application/json' },
    body: JSON.stringify({ crisisMessage }),
  });
  expect(settings.status).toBe(200);
  const [adminUser, clinician] = await Promise.all([
    db.staffUser.findUniqueOrThrow({ where: { id: org.adminId } }),
    db.staffUser.findUniqueOrThrow({ where: { id: org.therapistId } }),
  ]);
  const { event, link, onboardingId } = await invite(org.assessmentsPackageKey, clinician.email);
  const page = await context.newPage();
  await registerAndSignIn(page, event, link);
  await page.getByRole('link', { name: 'My Documents' }).click();
  await openForm(page, PHQ9);

  const line = (name: string) => page.getByRole('group', { name: new RegExp(`^${name}`) });
  const selfHarm = line('Thoughts that you would be better off dead, or of hurting yourself');
  const note = selfHarm.locator('.crisis-note');
  expect(await note.isVisible()).toBe(false);
  await selfHarm.getByRole('radio', { name: 'Several days' }).check();
  expect(await note.isVisible()).toBe(true);
  expect(squash(await note.textContent())).toBe(
    `If you are in crisis, call or text 988 (Suicide & Crisis Lifeline, US) or 911. ${crisisMessage}`,
  );
  await expectAccessible(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'forms-phq9-crisis-phone.png'), fullPage: true });
  await selfHarm.getByRole('radio', { name: 'Not at all' }).check();
  expect(await note.isVisible()).toBe(false);
  await selfHarm.getByRole('radio', { name: 'More than half the days' }).check();
  expect(await note.isVisible()).toBe(true);

  for (const group of await page.locator('fieldset.scale-item').all()) {
    if ((await group.getByRole('radio', { checked: true }).count()) === 0) {
      await group.getByRole('radio', { name: 'Not at all' }).check();
    }
  }
  await sign(page, `${event.data.client.firstName} ${event.data.client.lastName}`);

  // After signing, from the server: the thank-you and the crisis line with the practice's words.
  expect(squash(await page.getByRole('status').first().textContent())).toContain(`"${PHQ9}" is signed`);
  const after = page.locator('.crisis-note');
  expect(await after.isVisible()).toBe(true);
  expect(squash(await after.textContent())).toContain('call or text 988');
  expect(squash(await after.textContent())).toContain(crisisMessage);
  await expectAccessible(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'forms-phq9-crisis-signed-phone.png'), fullPage: true });
  await openForm(page, PHQ9);
  expect(await page.locator('.crisis-note').isVisible()).toBe(true);
  await expectAccessible(page);

  // The practice: an email to the admin and the clinician, nothing about the client in it.
  const alerts = await eventually(
    async () => {
      const found = (await listOutbox(service.outboxDir)).filter(
        (message) =>
          message.tags.template === 'form-needs-review-staff' && message.text.includes(onboardingId.slice(0, 8)),
      );
      return found.length >= 2 ? found : undefined;
    },
    { what: 'the needs-review emails' },
  );
  expect(alerts.map((message) => message.to).sort()).toEqual([adminUser.email, clinician.email].sort());
  for (const message of alerts) {
    expect(message.text).toContain(`A form submitted for onboarding ${onboardingId.slice(0, 8)} needs review today`);
    for (const phi of [event.data.client.lastName, event.data.client.firstName, event.data.externalChartId, 'PHQ']) {
      expect(message.text).not.toContain(phi);
    }
  }

  // And the client's page on the dashboard says so first, for whoever opens it from the email.
  const staffPage = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  try {
    const adminEmail = await setStaffPassword(db, org.adminId);
    await staffPage.goto(`${service.api.url}/staff/${org.slug}/onboardings/${onboardingId}`);
    await staffPage.getByLabel('Email').fill(adminEmail);
    await staffPage.getByLabel('Password').fill(STAFF_PASSWORD);
    await staffPage.getByRole('button', { name: 'Sign in' }).click();
    await staffPage.goto(`${service.api.url}/staff/${org.slug}/onboardings/${onboardingId}`);
    const review = staffPage.getByRole('region', { name: 'Needs review today' });
    expect(squash(await review.textContent())).toContain(`${PHQ9}, signed`);
    expect(squash(await review.textContent())).toContain('may mean the client is at risk');
    await expectAccessible(staffPage);
    await staffPage.screenshot({ path: path.join(SCREENSHOTS, 'staff-needs-review-desktop.png'), fullPage: true });
  } finally {
    await staffPage.context().close();
  }
  const timeline = await db.onboardingEvent.findMany({ where: { onboardingId }, select: { type: true } });
  expect(timeline.map((entry) => entry.type)).toEqual(expect.arrayContaining(['form.needs_review']));
});
