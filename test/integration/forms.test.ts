/**
 * Forms after registration, through the real stack: staff send new forms to
 * an existing portal user (seed 003) with the permissions it asks for, the
 * client saves drafts and signs, staff read what was signed with its scores,
 * every read is audited, and a tampered signature record is caught.
 */
import type { TErrorResponse } from '../../schemas/error-response';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TOnboardingFormsResponse } from '../../schemas/forms';
import type { TOnboardingResponse } from '../../schemas/onboarding';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import { currentUser, signIn, type PortalUser } from '../../use-cases/accounts/portal-sessions';
import { loadPortalDocument, saveDraft, submitForm, type PortalDocument } from '../../use-cases/forms/portal-documents';
import { signedContentOf } from '../../use-cases/forms/signed-forms';
import { signedContentSha256 } from '../../domain/signature-record';
import { createLogger } from '../../observability/logger';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { emailsSent, latestRegistrationToken } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';

let service: TestService;
let org: TestOrganization;
let other: TestOrganization;
const logger = createLogger({ level: 'silent' });
const PASSWORD = 'copper lantern orchard nine';

beforeAll(async () => {
  service = await startTestService();
  await service.startWorker();
  [org, other] = await Promise.all([
    createTestOrganization(service.database.db),
    createTestOrganization(service.database.db),
  ]);
});

afterAll(async () => {
  await service?.stop();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function status(onboardingId: string): Promise<TOnboardingResponse> {
  return (await (
    await service.get(`/v1/onboardings/${onboardingId}`, bearer(org.keys.admin))
  ).json()) as TOnboardingResponse;
}

/** A client who registered and signed in: the portal user the pages would act for. */
async function registeredClient(): Promise<{ onboardingId: string; clientId: string; user: PortalUser }> {
  const event = chartCreatedWebhook();
  const { email } = event.data.client;
  const response = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event);
  const { onboardingId } = (await response.json()) as TWebhookAccepted;
  const token = await eventually(() => latestRegistrationToken(service.outboxDir, email!).catch(() => undefined));
  const { db } = service.database;
  const registered = await registerPortalAccount({ db, temporal: service.env.client, logger }, token, {
    lastName: event.data.client.lastName,
    dateOfBirth: event.data.client.dateOfBirth,
    password: PASSWORD,
    passwordConfirmation: PASSWORD,
  });
  expect(registered.outcome).toBe('registered');
  await eventually(async () => ((await status(onboardingId)).status === 'REGISTERED' ? true : undefined));
  const session = await signIn(db, org.organizationId, email!, PASSWORD);
  const user = await currentUser(db, session!);
  const { clientId } = await db.onboarding.findUniqueOrThrow({
    where: { id: onboardingId },
    select: { clientId: true },
  });
  return { onboardingId, clientId: clientId!, user: user! };
}

function sendForms(onboardingId: string, body: unknown, key: string | null = org.keys.admin) {
  return service.post(`/v1/onboardings/${onboardingId}/form-requests`, body, key ? bearer(key) : {});
}

async function formsOf(onboardingId: string): Promise<TOnboardingFormsResponse> {
  return (await (
    await service.get(`/v1/onboardings/${onboardingId}/forms`, bearer(org.keys.admin))
  ).json()) as TOnboardingFormsResponse;
}

async function documentTitled(user: PortalUser, onboardingId: string, title: RegExp): Promise<PortalDocument> {
  const forms = await formsOf(onboardingId);
  const form = forms.requests.flatMap((request) => request.forms).find((candidate) => title.test(candidate.title));
  const document = await loadPortalDocument(service.database.db, user, form!.assignmentId);
  return document!;
}

const PHQ9_ANSWERS = {
  phq9: {
    interest: 2,
    mood: 2,
    sleep: 1,
    energy: 2,
    appetite: 1,
    self_worth: 1,
    concentration: 1,
    psychomotor: 1,
    self_harm: 0,
  },
};
const origin = { ip: '203.0.113.7', userAgent: 'jest', requestId: null };
const submitDeps = () => ({ db: service.database.db, temporal: service.env.client, logger });

describe('sending forms to an existing portal user (seed 003)', () => {
  it('is for admins and permitted therapists of the organisation only, and checks its input', async () => {
    const { onboardingId } = await registeredClient();
    const body = { packageKey: org.assessmentsPackageKey };

    expect((await sendForms(onboardingId, body, null)).status).toBe(401);
    const therapist = await sendForms(onboardingId, body, org.keys.therapist);
    expect(therapist.status).toBe(403);
    expect(((await therapist.json()) as TErrorResponse).error.message).toMatch(/intake forms/);
    expect((await sendForms(onboardingId, body, other.keys.admin)).status).toBe(404);
    expect((await sendForms(onboardingId, {})).status).toBe(400);
    expect((await sendForms(onboardingId, { packageKey: 'default-intake', formKeys: ['phq-9'] })).status).toBe(400);
    expect((await sendForms(onboardingId, { packageKey: 'no-such-package' })).status).toBe(422);
    const unknownForm = await sendForms(onboardingId, { formKeys: ['phq-9', 'no-such-form'] });
    expect(unknownForm.status).toBe(400);
    expect(((await unknownForm.json()) as TErrorResponse).error.fields?.[0]?.path).toBe('formKeys.1');

    // None of the refusals wrote anything.
    expect((await formsOf(onboardingId)).total).toBe(0);
    expect(await service.database.db.formRequest.count({ where: { onboardingId } })).toBe(0);

    // A permitted therapist sends forms to their own clients only: until the EHR names them the clinician, a 404.
    expect((await sendForms(onboardingId, { formKeys: ['gad-7'] }, org.keys.permittedTherapist)).status).toBe(404);
    expect(await service.database.db.formRequest.count({ where: { onboardingId } })).toBe(0);
    await service.database.db.onboarding.update({
      where: { id: onboardingId },
      data: { assignedStaffId: org.permittedTherapistId },
    });
    const sent = await sendForms(onboardingId, { formKeys: ['gad-7', 'phq-9'] }, org.keys.permittedTherapist);
    expect(sent.status).toBe(201);
    const forms = await formsOf(onboardingId);
    expect(forms).toMatchObject({ total: 2, submitted: 0, outstanding: 2 });
    expect(forms.requests[0]!.forms.map((form) => [form.formKey, form.version, form.status])).toEqual([
      ['gad-7', 1, 'PENDING'],
      ['phq-9', 1, 'PENDING'],
    ]);
    const onboarding = await status(onboardingId);
    expect(onboarding.status).toBe('FORMS_OUTSTANDING');
    expect(onboarding.forms).toEqual({ total: 2, submitted: 0, outstanding: 2 });
    await eventually(async () =>
      (await emailsSent(service.database.db, onboardingId)).includes('forms-assigned') ? true : undefined,
    );
  });

  it('is refused with a reason when the client has no portal account', async () => {
    const event = chartCreatedWebhook({ invite: false });
    const { onboardingId } = (await (
      await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event)
    ).json()) as TWebhookAccepted;
    await eventually(async () => ((await status(onboardingId)).status === 'CHART_CREATED' ? true : undefined));
    const refused = await sendForms(onboardingId, { packageKey: org.formPackageKey });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as TErrorResponse).error.message).toMatch(/no portal account/);
  });
});

describe('filling in and signing', () => {
  it('keeps a draft to come back to, and refuses answers of the wrong kind', async () => {
    const { onboardingId, user } = await registeredClient();
    expect((await sendForms(onboardingId, { packageKey: org.formPackageKey })).status).toBe(201);
    const { db } = service.database;
    const intake = await documentTitled(user, onboardingId, /Intake Questionnaire/);

    const wrong = await saveDraft(db, user, intake, { previous_therapy: 'maybe' }, origin);
    expect(wrong).toEqual({
      outcome: 'invalid',
      errors: [{ questionId: 'previous_therapy', message: 'Must be yes or no.' }],
    });

    expect(await saveDraft(db, user, intake, { preferred_name: '  Flo ', previous_therapy: true }, origin)).toEqual({
      outcome: 'saved',
    });
    const resumed = await loadPortalDocument(db, user, intake.assignmentId);
    expect(resumed).toMatchObject({
      status: 'IN_PROGRESS',
      answers: { preferred_name: 'Flo', previous_therapy: true },
    });
    const forms = await formsOf(onboardingId);
    expect(forms.requests[0]!.forms[0]).toMatchObject({ status: 'IN_PROGRESS' });
    expect(forms.requests[0]!.forms[0]!.draftSavedAt).not.toBeNull();

    // Another client's session cannot open it.
    const stranger = await registeredClient();
    expect(await loadPortalDocument(db, stranger.user, intake.assignmentId)).toBeNull();
  });

  it('records a signature staff can verify, with scores, and audits who read the answers', async () => {
    const { onboardingId, clientId, user } = await registeredClient();
    expect((await sendForms(onboardingId, { formKeys: ['phq-9'] })).status).toBe(201);
    const phq9 = await documentTitled(user, onboardingId, /PHQ-9/);

    const unsigned = await submitForm(
      submitDeps(),
      user,
      phq9,
      { answers: PHQ9_ANSWERS, signerName: ' ', agreed: false },
      origin,
    );
    expect(unsigned).toMatchObject({ outcome: 'invalid', signatureProblem: 'Type your full name to sign.' });
    const half = await submitForm(
      submitDeps(),
      user,
      phq9,
      { answers: { phq9: { interest: 1 } }, signerName: 'Florence Nightingale', agreed: true },
      origin,
    );
    expect(half).toMatchObject({ outcome: 'invalid', errors: [{ questionId: 'phq9' }] });

    const signed = await submitForm(
      submitDeps(),
      user,
      phq9,
      { answers: PHQ9_ANSWERS, signerName: 'Florence   Nightingale', agreed: true },
      origin,
    );
    expect(signed.outcome).toBe('submitted');
    // A double click or a second tab signs nothing twice.
    const again = await submitForm(
      submitDeps(),
      user,
      phq9,
      { answers: PHQ9_ANSWERS, signerName: 'Florence Nightingale', agreed: true },
      origin,
    );
    expect(again).toEqual({ outcome: 'already-submitted' });
    expect(await service.database.db.formSubmission.count({ where: { assignmentId: phq9.assignmentId } })).toBe(1);

    const path = `/v1/onboardings/${onboardingId}/documents/${phq9.assignmentId}`;
    expect((await service.get(path, bearer(other.keys.admin))).status).toBe(404);
    const read = await service.get(path, bearer(org.keys.admin));
    expect(read.status).toBe(200);
    const body = (await read.json()) as {
      answers: unknown;
      scores: { score: number; maxScore: number; band: string }[];
      signature: { signerName: string; ip: string; contentSha256: string };
      verification: { valid: boolean };
    };
    expect(body.answers).toEqual(PHQ9_ANSWERS);
    expect(body.scores).toEqual([expect.objectContaining({ score: 11, maxScore: 27, band: 'Moderate' })]);
    expect(body.signature).toMatchObject({ signerName: 'Florence Nightingale', ip: '203.0.113.7' });
    expect(body.signature.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(body.verification.valid).toBe(true);

    const pdf = await service.get(`${path}/pdf`, bearer(org.keys.admin));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    // "Who saw this client's intake answers?"
    const audit = (await (
      await service.get(`/v1/clients/${clientId}/audit?limit=100`, bearer(org.keys.admin))
    ).json()) as {
      events: { action: string; actor: { type: string }; outcome: string }[];
    };
    const actions = audit.events.map((event) => `${event.actor.type}:${event.action}:${event.outcome}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'portal_user:form.submit:success',
        'staff:form.read:success',
        'staff:form.download:success',
      ]),
    );
    await eventually(async () =>
      (await formsOf(onboardingId)).requests[0]!.status === 'COMPLETED' ? true : undefined,
    );
    const done = await status(onboardingId);
    expect(done.status).toBe('COMPLETE');
    // Item 9 answered "Not at all": no crisis flag, no alert (the request reviewed the form before completing).
    expect(done.timeline.map((event) => event.type)).not.toContain('form.needs_review');
    expect(await emailsSent(service.database.db, onboardingId)).not.toContain('form-needs-review-staff');
  });

  it('detects a signed record that was changed afterwards', async () => {
    const { onboardingId, user } = await registeredClient();
    expect((await sendForms(onboardingId, { formKeys: ['phq-9'] })).status).toBe(201);
    const phq9 = await documentTitled(user, onboardingId, /PHQ-9/);
    await submitForm(
      submitDeps(),
      user,
      phq9,
      { answers: PHQ9_ANSWERS, signerName: 'Florence Nightingale', agreed: true },
      origin,
    );
    const { db, ownerDb } = service.database;
    const path = `/v1/onboardings/${onboardingId}/documents/${phq9.assignmentId}`;
    const verification = async () =>
      ((await (await service.get(path, bearer(org.keys.admin))).json()) as { verification: Record<string, boolean> })
        .verification;

    // The service may not edit what was signed, and the table refuses even its owner...
    await expect(
      db.$executeRaw`UPDATE form_submission SET signer_name = 'Someone Else' WHERE assignment_id = ${phq9.assignmentId}::uuid`,
    ).rejects.toThrow(service.database.kind === 'postgresql' ? /permission denied/ : /immutable/);
    await expect(
      ownerDb.$executeRaw`UPDATE form_submission SET signer_name = 'Someone Else' WHERE assignment_id = ${phq9.assignmentId}::uuid`,
    ).rejects.toThrow(/immutable/);

    // ...and if the owner, who can switch that off, edits it anyway, the hash no longer matches.
    await ownerDb.$executeRawUnsafe('ALTER TABLE form_submission DISABLE TRIGGER form_submission_immutable');
    try {
      await ownerDb.$executeRaw`UPDATE form_submission SET answers = jsonb_set(answers, '{phq9,self_harm}', '3') WHERE assignment_id = ${phq9.assignmentId}::uuid`;
      expect(await verification()).toEqual({
        valid: false,
        contentIntact: false,
        formVersionIntact: true,
        matchesTimeline: true,
      });

      // Rewriting the stored hash to match is still caught: the timeline kept the original.
      const row = await db.formSubmission.findUniqueOrThrow({ where: { assignmentId: phq9.assignmentId } });
      const definition = await db.formDefinition.findUniqueOrThrow({ where: { id: row.formDefinitionId } });
      const forged = signedContentSha256(signedContentOf(row, definition));
      await ownerDb.$executeRaw`UPDATE form_submission SET content_sha256 = ${forged} WHERE assignment_id = ${phq9.assignmentId}::uuid`;
      expect(await verification()).toEqual({
        valid: false,
        contentIntact: true,
        formVersionIntact: true,
        matchesTimeline: false,
      });
    } finally {
      await ownerDb.$executeRawUnsafe('ALTER TABLE form_submission ENABLE TRIGGER form_submission_immutable');
    }
  });
});
