/**
 * A practice's admins manage its settings over the API (seed 003's
 * per-organisation switches): read them, change some, refused when invalid,
 * audited, and never another practice's.
 */
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { startTestService, type TestService } from '../support/service';

let service: TestService;
let org: TestOrganization;
let other: TestOrganization;

beforeAll(async () => {
  service = await startTestService();
  [org, other] = await Promise.all([
    createTestOrganization(service.database.db),
    createTestOrganization(service.database.db),
  ]);
});

afterAll(async () => {
  await service?.stop();
});

function patch(key: string, body: unknown) {
  return fetch(`${service.api.url}/v1/practice/settings`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function settingsOf(key: string) {
  return service.get('/v1/practice/settings', { authorization: `Bearer ${key}` });
}

test('an admin reads the defaults, turns payments on with a deposit step, and only that changes', async () => {
  const before = await settingsOf(org.keys.admin);
  expect(before.status).toBe(200);
  expect(await before.json()).toMatchObject({
    organizationId: org.organizationId,
    slug: org.slug,
    invitationTtlHours: null,
    invitationReminderDays: [3, 6],
    formReminderDays: [3, 7, 14],
    paymentsEnabled: false,
    onboardingPaymentStep: 'NONE',
    intakeDepositCents: null,
  });

  const changed = await patch(org.keys.admin, {
    paymentsEnabled: true,
    onboardingPaymentStep: 'DEPOSIT',
    intakeDepositCents: 5000,
    invitationReminderDays: [6, 2],
    brandColor: '#0f766e',
  });
  expect(changed.status).toBe(200);
  expect(await changed.json()).toMatchObject({
    paymentsEnabled: true,
    onboardingPaymentStep: 'DEPOSIT',
    intakeDepositCents: 5000,
    invitationReminderDays: [2, 6],
    brandColor: '#0f766e',
    formReminderDays: [3, 7, 14],
  });
  const row = await service.database.db.organization.findUniqueOrThrow({ where: { id: org.organizationId } });
  expect(row).toMatchObject({ paymentsEnabled: true, onboardingPaymentStep: 'DEPOSIT', intakeDepositCents: 5000 });
  // The other practice is untouched, and its admin sees its own settings.
  expect(await (await settingsOf(other.keys.admin)).json()).toMatchObject({
    organizationId: other.organizationId,
    paymentsEnabled: false,
  });
  const audit = await service.database.db.auditEvent.findFirstOrThrow({
    where: { organizationId: org.organizationId, action: 'practice.settings_changed' },
  });
  expect(audit.detail).toEqual({
    fields: 'brandColor,intakeDepositCents,invitationReminderDays,onboardingPaymentStep,paymentsEnabled',
  });
});

test('an admin gives the practice’s contact details and turns diagnosis codes on superbills on, then clears one', async () => {
  const before = await (await settingsOf(org.keys.admin)).json();
  expect(before).toMatchObject({
    contactPhone: null,
    contactEmail: null,
    contactAddress: null,
    contactWebsite: null,
    superbillDiagnosisCodes: false,
  });
  const contact = {
    contactPhone: ' (555) 010-0199 ',
    contactEmail: 'frontdesk@riverbend.example',
    contactAddress: '12 Mill Lane\nRiverbend, OR 97000',
    contactWebsite: 'https://riverbend.example/contact',
    superbillDiagnosisCodes: true,
  };
  const changed = await patch(org.keys.admin, contact);
  expect(changed.status).toBe(200);
  expect(await changed.json()).toMatchObject({ ...contact, contactPhone: '(555) 010-0199' });
  const cleared = await patch(org.keys.admin, { contactWebsite: null, brandColor: '#0f766e' });
  expect(await cleared.json()).toMatchObject({
    contactPhone: '(555) 010-0199',
    contactWebsite: null,
    superbillDiagnosisCodes: true,
  });
  expect(await (await settingsOf(org.keys.admin)).json()).toMatchObject({
    contactWebsite: null,
    contactPhone: '(555) 010-0199',
  });
  const audit = await service.database.db.auditEvent.findFirstOrThrow({
    where: { organizationId: org.organizationId, action: 'practice.settings_changed' },
    orderBy: { occurredAt: 'desc' },
  });
  expect(audit.detail).toEqual({ fields: 'brandColor,contactWebsite' });
  expect(await (await settingsOf(other.keys.admin)).json()).toMatchObject({ contactPhone: null });
});

test('requiring a second factor is off for a practice until its admin turns it on, and API keys still work', async () => {
  expect(await (await settingsOf(org.keys.admin)).json()).toMatchObject({ requireSecondFactor: false });
  const changed = await patch(org.keys.admin, { requireSecondFactor: true });
  expect(changed.status).toBe(200);
  expect(await changed.json()).toMatchObject({ requireSecondFactor: true });
  const row = await service.database.db.organization.findUniqueOrThrow({ where: { id: org.organizationId } });
  expect(row.requireSecondFactor).toBe(true);
  // API keys are a separate credential: the switch does not touch them.
  expect((await settingsOf(org.keys.admin)).status).toBe(200);
  expect(await (await settingsOf(other.keys.admin)).json()).toMatchObject({ requireSecondFactor: false });
  const therapist = await patch(org.keys.therapist, { requireSecondFactor: false });
  expect(therapist.status).toBe(403);
  expect(await patch(org.keys.admin, { requireSecondFactor: false })).toHaveProperty('status', 200);
});

test('invalid settings are a 400 with field errors and change nothing', async () => {
  const before = await service.database.db.organization.findUniqueOrThrow({ where: { id: other.organizationId } });
  const cases: [unknown, string][] = [
    [{}, '(body)'],
    [{ paymentsEnabled: 'yes' }, 'paymentsEnabled'],
    [{ notASetting: true }, '(body)'],
    [{ invitationReminderDays: [3, 3] }, 'invitationReminderDays'],
    [{ invitationReminderDays: [0] }, 'invitationReminderDays.0'],
    [{ brandColor: 'red' }, 'brandColor'],
    [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
    [{ intakeDepositCents: 10 }, 'intakeDepositCents'],
    [{ paymentsEnabled: true, onboardingPaymentStep: 'DEPOSIT' }, 'intakeDepositCents'],
    [{ onboardingPaymentStep: 'CARD_ON_FILE' }, 'onboardingPaymentStep'],
    [{ invitationIntroText: 'a\u0000b' }, 'invitationIntroText'],
    [{ contactPhone: 'call us' }, 'contactPhone'],
    [{ contactPhone: '12345' }, 'contactPhone'],
    [{ contactEmail: 'frontdesk' }, 'contactEmail'],
    [{ contactWebsite: 'javascript:alert(1)' }, 'contactWebsite'],
    [{ contactWebsite: 'example.com' }, 'contactWebsite'],
    [{ contactAddress: '' }, 'contactAddress'],
    [{ contactAddress: 'x'.repeat(301) }, 'contactAddress'],
    [{ superbillDiagnosisCodes: 'on' }, 'superbillDiagnosisCodes'],
    [{ requireSecondFactor: 'yes' }, 'requireSecondFactor'],
  ];
  for (const [body, field] of cases) {
    const response = await patch(other.keys.admin, body);
    const answer = (await response.json()) as { error: { code: string; fields?: { path: string }[] } };
    expect({ body, status: response.status, code: answer.error.code }).toEqual({
      body,
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect({ body, paths: answer.error.fields?.map((entry) => entry.path) }).toEqual({
      body,
      paths: expect.arrayContaining([field]) as string[],
    });
  }
  expect(await service.database.db.organization.findUniqueOrThrow({ where: { id: other.organizationId } })).toEqual(
    before,
  );
});

test('therapists and ops may neither read nor change the settings, whatever they send', async () => {
  for (const key of [org.keys.therapist, org.keys.permittedTherapist, org.keys.ops]) {
    expect((await settingsOf(key)).status).toBe(403);
    expect((await patch(key, { paymentsEnabled: false })).status).toBe(403);
    expect((await patch(key, { paymentsEnabled: 'not even valid' })).status).toBe(403);
  }
  expect((await patch('not-a-key', { paymentsEnabled: false })).status).toBe(401);
  const row = await service.database.db.organization.findUniqueOrThrow({ where: { id: org.organizationId } });
  expect(row.paymentsEnabled).toBe(true);
});

test('an admin sets the practice’s own crisis message, shown under the 988 message, and clears it', async () => {
  const fresh = await createTestOrganization(service.database.db);
  expect(await (await settingsOf(fresh.keys.admin)).json()).toMatchObject({ crisisMessage: null });

  const text = 'Our on-call clinician answers 555-0199 day and night.';
  const set = await patch(fresh.keys.admin, { crisisMessage: `  ${text}  ` });
  expect(set.status).toBe(200);
  expect(await set.json()).toMatchObject({ crisisMessage: text });
  expect(await (await settingsOf(fresh.keys.admin)).json()).toMatchObject({ crisisMessage: text });

  // Another setting changed alone leaves it as it is.
  expect(await (await patch(fresh.keys.admin, { brandColor: '#0f766e' })).json()).toMatchObject({
    crisisMessage: text,
  });
  expect((await patch(fresh.keys.admin, { crisisMessage: 'x'.repeat(1001) })).status).toBe(400);

  const cleared = await patch(fresh.keys.admin, { crisisMessage: '' });
  expect(await cleared.json()).toMatchObject({ crisisMessage: null });
  expect(await (await settingsOf(fresh.keys.admin)).json()).toMatchObject({ crisisMessage: null });
});
