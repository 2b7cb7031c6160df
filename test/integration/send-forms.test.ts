/**
 * Sending forms a client already has (issue 13, bug 1): a form still waiting
 * is not assigned twice, a signed one is not asked for again unless staff
 * send it again, the answer says what was skipped and why, nothing new sends
 * no email, and every count the client and staff see agrees with the email.
 */
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TErrorResponse } from '../../schemas/error-response';
import type { TOnboardingFormsResponse, TSendFormsResponse } from '../../schemas/forms';
import type { TOnboardingResponse } from '../../schemas/onboarding';
import { listOutbox } from '../../emails/mailer';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import { currentUser, signIn, type PortalUser } from '../../use-cases/accounts/portal-sessions';
import {
  countOutstandingDocuments,
  listPortalDocuments,
  loadPortalDocument,
  submitForm,
} from '../../use-cases/forms/portal-documents';
import { createLogger } from '../../observability/logger';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { VALID_ANSWERS } from '../support/forms';
import { emailsSent, latestRegistrationToken } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';
import { setStaffPassword, StaffPages } from '../support/staff-login';

let service: TestService;
let org: TestOrganization;
const logger = createLogger({ level: 'silent' });
const PASSWORD = 'copper lantern orchard nine';

beforeAll(async () => {
  service = await startTestService();
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await service?.stop();
});

const admin = () => ({ authorization: `Bearer ${org.keys.admin}` });

async function send(onboardingId: string, body: unknown): Promise<{ status: number; body: TSendFormsResponse }> {
  const response = await service.post(`/v1/onboardings/${onboardingId}/form-requests`, body, admin());
  return { status: response.status, body: (await response.json()) as TSendFormsResponse };
}

async function formsOf(onboardingId: string): Promise<TOnboardingFormsResponse> {
  return (await (
    await service.get(`/v1/onboardings/${onboardingId}/forms`, admin())
  ).json()) as TOnboardingFormsResponse;
}

async function onboardingOf(onboardingId: string): Promise<TOnboardingResponse> {
  return (await (await service.get(`/v1/onboardings/${onboardingId}`, admin())).json()) as TOnboardingResponse;
}

/** A client invited with the practice's package at chart creation, with the email address the invitation went to. */
async function invitedClient(): Promise<{ onboardingId: string; email: string; lastName: string; dob: string }> {
  const event = chartCreatedWebhook({ formPackageKey: org.formPackageKey });
  const { onboardingId } = (await (
    await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event)
  ).json()) as TWebhookAccepted;
  const email = event.data.client.email!;
  await eventually(() => latestRegistrationToken(service.outboxDir, email).catch(() => undefined));
  await eventually(async () => ((await formsOf(onboardingId)).total > 0 ? true : undefined));
  return { onboardingId, email, lastName: event.data.client.lastName, dob: event.data.client.dateOfBirth };
}

async function register(client: { onboardingId: string; email: string; lastName: string; dob: string }) {
  const { db } = service.database;
  const token = await latestRegistrationToken(service.outboxDir, client.email);
  const registered = await registerPortalAccount({ db, temporal: service.env.client, logger }, token, {
    lastName: client.lastName,
    dateOfBirth: client.dob,
    password: PASSWORD,
    passwordConfirmation: PASSWORD,
  });
  expect(registered.outcome).toBe('registered');
  const session = await signIn(db, org.organizationId, client.email, PASSWORD);
  return (await currentUser(db, session!))!;
}

/** The "forms are waiting" emails to the client, oldest first: how many forms each said. */
async function formsEmails(email: string): Promise<{ subject: string; text: string }[]> {
  const messages = await listOutbox(service.outboxDir);
  return messages.filter((message) => message.to === email && /for you to complete/.test(message.subject)).reverse();
}

/** Every count a person sees agrees: My Documents, the portal home, the staff forms view and status. */
async function expectCountsAgree(onboardingId: string, user: PortalUser | null, waiting: number, total: number) {
  const forms = await formsOf(onboardingId);
  expect(forms).toMatchObject({ total, outstanding: waiting, submitted: total - waiting });
  expect((await onboardingOf(onboardingId)).forms).toEqual({ total, outstanding: waiting, submitted: total - waiting });
  if (user) {
    const listed = await listPortalDocuments(service.database.db, user);
    expect(listed).toHaveLength(total);
    expect(listed.filter((document) => document.status !== 'SUBMITTED')).toHaveLength(waiting);
    expect(await countOutstandingDocuments(service.database.db, user)).toBe(waiting);
  }
}

async function signPhq9(user: PortalUser, assignmentId: string) {
  const document = (await loadPortalDocument(service.database.db, user, assignmentId))!;
  const signed = await submitForm(
    { db: service.database.db, temporal: service.env.client, logger },
    user,
    document,
    { answers: VALID_ANSWERS['phq-9'], signerName: 'Florence Nightingale', agreed: true },
    { ip: null, userAgent: 'jest', requestId: null },
  );
  expect(signed.outcome).toBe('submitted');
}

describe('sending forms the client already has', () => {
  it('skips forms still waiting, sends no email when nothing is new, and keeps every count in step', async () => {
    const client = await invitedClient();
    const { onboardingId } = client;
    const packageSize = (await formsOf(onboardingId)).total;
    expect(packageSize).toBeGreaterThan(1);
    await eventually(async () => ((await formsEmails(client.email)).length === 1 ? true : undefined));

    // Not registered yet: the same package again adds nothing, says why, and is not emailed.
    const again = await send(onboardingId, { packageKey: org.formPackageKey });
    expect(again.status).toBe(200);
    expect(again.body.request).toBeNull();
    expect(again.body).toMatchObject({ sent: [], emailed: false, clientRegistered: false });
    expect(again.body.skipped).toHaveLength(packageSize);
    expect(again.body.skipped.every((form) => form.reason === 'ALREADY_WAITING')).toBe(true);
    await expectCountsAgree(onboardingId, null, packageSize, packageSize);

    // One new form: only it is assigned, and the email counts every form the client will see.
    const more = await send(onboardingId, { formKeys: ['gad-7', 'informed-consent-psychotherapy'] });
    expect(more.status).toBe(201);
    expect(more.body.sent.map((form) => form.formKey)).toEqual(['gad-7']);
    expect(more.body.skipped.map((form) => [form.formKey, form.reason])).toEqual([
      ['informed-consent-psychotherapy', 'ALREADY_WAITING'],
    ]);
    expect(more.body).toMatchObject({ emailed: true, clientRegistered: false });
    expect(more.body.request!.forms.map((form) => form.formKey)).toEqual(['gad-7']);
    expect(more.body.request!.packageKey).toBeNull();
    const emails = await eventually(async () => {
      const found = await formsEmails(client.email);
      return found.length === 2 ? found : undefined;
    });
    expect(emails[1]!.subject).toContain(`${packageSize + 1} forms for you to complete`);
    expect(emails[1]!.text).toMatch(/GAD-7/);
    expect(emails[1]!.text).toMatch(/invitation/);

    const user = await register(client);
    await expectCountsAgree(onboardingId, user, packageSize + 1, packageSize + 1);
  });

  it('skips a form signed in the same version unless staff send it again, and says when it was signed', async () => {
    const client = await invitedClient();
    const { onboardingId } = client;
    const user = await register(client);
    await eventually(async () => ((await onboardingOf(onboardingId)).status !== 'INVITED' ? true : undefined));
    const first = await send(onboardingId, { formKeys: ['phq-9'] });
    expect(first.status).toBe(201);
    expect(first.body.clientRegistered).toBe(true);
    const phq9 = first.body.request!.forms[0]!.assignmentId;
    await signPhq9(user, phq9);
    const packageSize = (await formsOf(onboardingId)).total - 1;

    const resend = await send(onboardingId, { formKeys: ['phq-9'] });
    expect(resend.status).toBe(200);
    expect(resend.body.request).toBeNull();
    expect(resend.body.skipped).toEqual([
      expect.objectContaining({ formKey: 'phq-9', version: 1, reason: 'ALREADY_SIGNED', assignmentId: phq9 }),
    ]);
    const signedAt = (await formsOf(onboardingId)).requests
      .flatMap((request) => request.forms)
      .find((form) => form.assignmentId === phq9)!.submittedAt;
    expect(resend.body.skipped[0]!.since).toBe(signedAt);

    // A sendAgain naming a form not being sent is a mistake, not silently ignored.
    const stray = await service.post(
      `/v1/onboardings/${onboardingId}/form-requests`,
      { formKeys: ['phq-9'], sendAgain: ['gad-7'] },
      admin(),
    );
    expect(stray.status).toBe(400);
    expect(((await stray.json()) as TErrorResponse).error.fields?.[0]?.path).toBe('sendAgain.0');

    const resign = await send(onboardingId, { formKeys: ['phq-9'], sendAgain: ['phq-9'] });
    expect(resign.status).toBe(201);
    expect(resign.body.sent).toEqual([expect.objectContaining({ formKey: 'phq-9', version: 1 })]);
    expect(resign.body.request!.forms[0]!.assignmentId).not.toBe(phq9);
    // Sent again, it is waiting: a second "send again" does not assign it a third time.
    const twice = await send(onboardingId, { formKeys: ['phq-9'], sendAgain: ['phq-9'] });
    expect(twice.status).toBe(200);
    expect(twice.body.skipped[0]).toMatchObject({ reason: 'ALREADY_WAITING' });
    await expectCountsAgree(onboardingId, user, packageSize + 1, packageSize + 2);
    // One "forms are waiting" email each for the package, PHQ-9 and PHQ-9 again; none for the skipped sends.
    const formsEmailsSent = async () =>
      (await emailsSent(service.database.db, onboardingId)).filter((template) => template === 'forms-assigned');
    await eventually(async () => ((await formsEmailsSent()).length === 3 ? true : undefined));
  });

  it('does not assign twice when two sends race', async () => {
    const client = await invitedClient();
    const { onboardingId } = client;
    const before = (await formsOf(onboardingId)).total;
    const [a, b] = await Promise.all([
      send(onboardingId, { formKeys: ['gad-7'] }),
      send(onboardingId, { formKeys: ['gad-7'] }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect((await formsOf(onboardingId)).total).toBe(before + 1);
  });

  it('on the staff pages: an unregistered client is named as such, and the outcome says what was skipped', async () => {
    const client = await invitedClient();
    const staff = new StaffPages(service.api.url);
    expect((await staff.signIn(org.slug, await setStaffPassword(service.database.db, org.adminId))).status).toBe(303);
    const formsPage = `/staff/${org.slug}/onboardings/${client.onboardingId}/forms`;
    const squash = (text: string) => text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

    const choose = await staff.get(formsPage);
    expect(choose.response.status).toBe(200);
    expect(squash(choose.html)).toMatch(/has not registered for the portal yet\. The forms wait in the portal/);

    const same = await staff.post(formsPage, { mode: 'package', packageKey: org.formPackageKey, confirm: 'yes' });
    expect(same.response.status).toBe(200);
    expect(squash(same.html)).toMatch(
      /Nothing was sent: .* already has every one of these forms\. No email was sent\./,
    );
    expect(squash(same.html)).toMatch(/Notice of Privacy Practices: already waiting for the client \(sent /);

    const gad7 = await staff.post(formsPage, { mode: 'forms', formKeys: 'gad-7', confirm: 'yes' });
    expect(gad7.response.status).toBe(200);
    expect(squash(gad7.html)).toMatch(/Sent 1 form to .*An email goes to .*listing every form waiting in the portal/);
    expect(squash(gad7.html)).toMatch(/has not registered for the portal yet/);

    // Nothing ticked: the page comes back with the reason, nothing sent.
    const empty = await staff.post(formsPage, { mode: 'forms', confirm: 'yes' });
    expect(empty.response.status).toBe(400);
    expect(squash(empty.html)).toMatch(/Tick at least one form to send/);
    const total = (await formsOf(client.onboardingId)).total;
    expect(total).toBe((await formsOf(client.onboardingId)).requests[0]!.forms.length + 1);
  });
});
