/**
 * The form catalogue over HTTP: every staff member may read the
 * organisation's forms and packages, only admins publish them. Publishing
 * under an existing key makes the next version (never an edit) and moves the
 * packages to it, while older versions stay readable for the forms signed on
 * them. Another organisation never sees any of it.
 */
import type { TErrorResponse } from '../../schemas/error-response';
import { ZFormListResponse, ZFormPackageListResponse, ZFormPackageResponse, ZFormResponse } from '../../schemas/forms';
import type { z } from 'zod';
import { STANDARD_ASSESSMENTS, STANDARD_FORMS } from '../../prisma/seed-data/standard-forms';
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

const PHQ9 = STANDARD_ASSESSMENTS.find((form) => form.key === 'phq-9')!;
const GAD7 = STANDARD_ASSESSMENTS.find((form) => form.key === 'gad-7')!;

const SEEDED_KEYS = [
  'gad-7',
  'informed-consent-psychotherapy',
  'notice-of-privacy-practices',
  'phq-9',
  'standard-intake-questionnaire',
];

type PackageResponse = z.infer<typeof ZFormPackageResponse>;

function request(method: 'GET' | 'POST' | 'PUT', path: string, key: string | null, body?: unknown) {
  return fetch(`${service.api.url}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const publish = (key: string | null, body: unknown) => request('POST', '/v1/forms', key, body);
const putPackage = (key: string | null, packageKey: string, body: unknown) =>
  request('PUT', `/v1/form-packages/${packageKey}`, key, body);

async function listForms(key: string) {
  const response = await request('GET', '/v1/forms', key);
  expect(response.status).toBe(200);
  return ZFormListResponse.parse(await response.json()).forms;
}

async function listPackages(key: string) {
  const response = await request('GET', '/v1/form-packages', key);
  expect(response.status).toBe(200);
  return ZFormPackageListResponse.parse(await response.json()).packages;
}

async function packageNamed(key: string, packageKey: string): Promise<PackageResponse> {
  const found = (await listPackages(key)).find((candidate) => candidate.key === packageKey);
  if (!found) throw new Error(`no package ${packageKey}`);
  return found;
}

async function errorOf(response: Response) {
  return ((await response.json()) as TErrorResponse).error;
}

/** A small valid form; `variant` changes its wording. */
function customForm(key: string, variant = '') {
  return {
    key,
    title: `Sleep check${variant}`,
    definition: {
      sections: [
        {
          title: 'Sleep',
          questions: [
            { id: 'hours', type: 'short_text', label: `Hours a night${variant}`, required: true },
            { id: 'naps', type: 'yes_no', label: 'Do you nap?' },
          ],
        },
      ],
    },
  };
}

async function publishAudits(organizationId: string) {
  return service.database.db.auditEvent.findMany({
    where: { organizationId, action: 'form.publish' },
    orderBy: { id: 'asc' },
  });
}

describe('reading the catalogue', () => {
  it.each(['admin', 'permittedTherapist', 'therapist'] as const)(
    'lists the five seeded forms, version 1 each, to the %s',
    async (who) => {
      const fresh = await createTestOrganization(service.database.db);
      const forms = await listForms(fresh.keys[who]);
      expect(forms.map((form) => [form.key, form.version])).toEqual(SEEDED_KEYS.map((key) => [key, 1]));
      const titles = new Map([...STANDARD_FORMS, ...STANDARD_ASSESSMENTS].map((form) => [form.key, form.title]));
      expect(forms.map((form) => form.title)).toEqual(SEEDED_KEYS.map((key) => titles.get(key)));
    },
  );

  it('shows a form with its definition, and the two seeded packages', async () => {
    const response = await request('GET', '/v1/forms/phq-9', org.keys.therapist);
    expect(response.status).toBe(200);
    const form = ZFormResponse.parse(await response.json());
    expect(form).toMatchObject({ key: 'phq-9', version: 1, title: 'Patient Health Questionnaire (PHQ-9)' });
    expect(form.definition.sections[0]!.questions[0]).toMatchObject({ id: 'phq9', type: 'scale' });

    const packages = await listPackages(org.keys.therapist);
    expect(packages.map((pkg) => [pkg.key, pkg.isDefault, pkg.forms.map((item) => item.key)])).toEqual([
      ['default-intake', true, STANDARD_FORMS.map((item) => item.key)],
      ['intake-with-assessments', false, [...STANDARD_FORMS, ...STANDARD_ASSESSMENTS].map((item) => item.key)],
    ]);
  });

  it('answers 404 for a form or version that does not exist, 400 for a malformed key', async () => {
    expect((await request('GET', '/v1/forms/no-such-form', org.keys.admin)).status).toBe(404);
    expect((await request('GET', '/v1/forms/phq-9/versions/2', org.keys.admin)).status).toBe(404);
    const malformed = await request('GET', '/v1/forms/Not_A_Key', org.keys.admin);
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).fields?.map((field) => field.path)).toEqual(['params.key']);
  });

  it('needs an API key', async () => {
    for (const path of ['/v1/forms', '/v1/forms/phq-9', '/v1/forms/phq-9/versions/1', '/v1/form-packages']) {
      const response = await request('GET', path, null);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect((await request('GET', '/v1/forms', 'x'.repeat(40))).status).toBe(401);
    expect((await publish(null, customForm('no-key'))).status).toBe(401);
    expect((await putPackage(null, 'no-key', { name: 'No key', forms: ['phq-9'] })).status).toBe(401);
    expect(await service.database.db.formDefinition.count({ where: { key: 'no-key' } })).toBe(0);
    expect(await service.database.db.formPackage.count({ where: { key: 'no-key' } })).toBe(0);
  });
});

describe('publishing a form', () => {
  it('publishes version 1, ignores the same content again, and audits only the publish', async () => {
    const body = customForm('sleep-check');
    const created = await publish(org.keys.admin, body);
    expect(created.status).toBe(201);
    const v1 = ZFormResponse.parse(await created.json());
    expect(v1).toMatchObject({ key: 'sleep-check', version: 1, title: 'Sleep check' });
    // Stored as parsed, with every default filled in.
    expect(v1.definition.sections[0]!.questions[1]).toEqual({
      id: 'naps',
      type: 'yes_no',
      label: 'Do you nap?',
      required: false,
    });

    // The same content with its keys in another order and padding that is trimmed away is the same form.
    const again = await publish(org.keys.admin, {
      definition: body.definition,
      title: `  ${body.title} `,
      key: body.key,
    });
    expect(again.status).toBe(200);
    expect(ZFormResponse.parse(await again.json())).toEqual(v1);
    expect(
      await service.database.db.formDefinition.count({
        where: { organizationId: org.organizationId, key: 'sleep-check' },
      }),
    ).toBe(1);

    const audits = await publishAudits(org.organizationId);
    const published = audits.filter((event) => (event.detail as { key?: string }).key === 'sleep-check');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ actorType: 'staff', actorId: org.adminId, outcome: 'success' });
    expect(published[0]!.detail).toEqual({ key: 'sleep-check', version: 1 });
    expect(published[0]!.ip).toMatch(/127\.0\.0\.1/);
  });

  it('publishing a seeded form’s own content again changes nothing', async () => {
    const response = await publish(org.keys.admin, PHQ9);
    expect(response.status).toBe(200);
    expect(ZFormResponse.parse(await response.json()).version).toBe(1);
    expect(
      await service.database.db.formDefinition.count({ where: { organizationId: org.organizationId, key: 'phq-9' } }),
    ).toBe(1);
  });

  it('a new title or definition is the next version; packages move to it, old versions stay readable', async () => {
    const fresh = await createTestOrganization(service.database.db);
    const before = await packageNamed(fresh.keys.admin, 'intake-with-assessments');
    const defaultBefore = await packageNamed(fresh.keys.admin, 'default-intake');
    const v1Id = before.forms.find((item) => item.key === 'phq-9')!.formDefinitionId;

    const retitled = await publish(fresh.keys.admin, { ...PHQ9, title: 'PHQ-9 (2025 wording)' });
    expect(retitled.status).toBe(201);
    const v2 = ZFormResponse.parse(await retitled.json());
    expect(v2).toMatchObject({ key: 'phq-9', version: 2, title: 'PHQ-9 (2025 wording)' });
    expect(v2.id).not.toBe(v1Id);

    // The package that held version 1 now holds version 2, in the same place; the other package is untouched.
    const after = await packageNamed(fresh.keys.admin, 'intake-with-assessments');
    expect(after.forms.map((item) => [item.key, item.version])).toEqual(
      before.forms.map((item) => [item.key, item.key === 'phq-9' ? 2 : 1]),
    );
    expect(after.forms.find((item) => item.key === 'phq-9')).toEqual({
      formDefinitionId: v2.id,
      key: 'phq-9',
      version: 2,
      title: 'PHQ-9 (2025 wording)',
    });
    expect(await packageNamed(fresh.keys.admin, 'default-intake')).toEqual(defaultBefore);

    // Version 1 is still there, unchanged, for the forms signed on it.
    const v1Response = await request('GET', '/v1/forms/phq-9/versions/1', fresh.keys.therapist);
    expect(v1Response.status).toBe(200);
    expect(ZFormResponse.parse(await v1Response.json())).toMatchObject({
      id: v1Id,
      version: 1,
      title: 'Patient Health Questionnaire (PHQ-9)',
    });
    const latest = ZFormResponse.parse(await (await request('GET', '/v1/forms/phq-9', fresh.keys.therapist)).json());
    expect(latest).toMatchObject({ id: v2.id, version: 2 });

    // Same title, one word of the definition changed: version 3.
    const reworded = structuredClone({ ...PHQ9, title: 'PHQ-9 (2025 wording)' });
    reworded.definition.sections[0]!.title = 'Over the last two weeks, how often have you been bothered by:';
    const v3Response = await publish(fresh.keys.admin, reworded);
    expect(v3Response.status).toBe(201);
    const v3 = ZFormResponse.parse(await v3Response.json());
    expect(v3.version).toBe(3);
    expect(
      (await packageNamed(fresh.keys.admin, 'intake-with-assessments')).forms.find((item) => item.key === 'phq-9'),
    ).toMatchObject({ formDefinitionId: v3.id, version: 3 });

    // The list shows each form once, at its newest version.
    const forms = await listForms(fresh.keys.therapist);
    expect(forms.map((form) => [form.key, form.version])).toEqual(
      SEEDED_KEYS.map((key) => [key, key === 'phq-9' ? 3 : 1]),
    );
    expect((await publishAudits(fresh.organizationId)).map((event) => event.detail)).toEqual([
      { key: 'phq-9', version: 2 },
      { key: 'phq-9', version: 3 },
    ]);
  });

  it.each(['therapist', 'permittedTherapist'] as const)('is refused to the %s', async (who) => {
    const response = await publish(org.keys[who], customForm(`by-${who.toLowerCase()}`));
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe('FORBIDDEN');
    expect(await service.database.db.formDefinition.count({ where: { key: `by-${who.toLowerCase()}` } })).toBe(0);
  });

  const valid = customForm('invalid-form');
  const question = valid.definition.sections[0]!.questions[0]!;
  it.each<[string, unknown, string[]]>([
    [
      'a question id used twice',
      {
        ...valid,
        definition: {
          sections: [...valid.definition.sections, { title: 'More', questions: [{ ...question, label: 'Again' }] }],
        },
      },
      ['definition.sections.1.questions.0.id'],
    ],
    [
      'a choice with one option',
      {
        ...valid,
        definition: {
          sections: [{ title: 'S', questions: [{ id: 'pick', type: 'single_choice', label: 'Pick', options: ['A'] }] }],
        },
      },
      ['definition.sections.0.questions.0.options'],
    ],
    [
      'a malformed question id',
      { ...valid, definition: { sections: [{ title: 'S', questions: [{ ...question, id: 'Hours' }] }] } },
      ['definition.sections.0.questions.0.id'],
    ],
    ['no sections', { ...valid, definition: { sections: [] } }, ['definition.sections']],
    ['no definition', { key: valid.key, title: valid.title }, ['definition']],
    ['an empty title and a malformed key', { ...valid, key: 'Invalid Form', title: ' ' }, ['key', 'title']],
    ['a body that is not an object', [valid], ['(body)']],
    // PostgreSQL cannot store these (a 500 once).
    [
      'a NUL character in a label',
      { ...valid, definition: { sections: [{ title: 'S', questions: [{ ...question, label: 'Hours\u0000' }] }] } },
      ['definition.sections.0.questions.0.label'],
    ],
    ['a lone surrogate in the title', { ...valid, title: 'Sleep \ud800 check' }, ['title']],
  ])('rejects %s with field errors and writes nothing', async (_case, body, paths) => {
    const response = await publish(org.keys.admin, body);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect([...new Set(error.fields?.map((field) => field.path))]).toEqual(paths);
    expect(await service.database.db.formDefinition.count({ where: { key: { in: ['invalid-form'] } } })).toBe(0);
    expect((await publishAudits(org.organizationId)).map((event) => event.detail)).not.toContainEqual(
      expect.objectContaining({ key: 'invalid-form' }),
    );
  });

  it('accepts a long form (consent texts) up to the body limit, and refuses a larger body without a 500', async () => {
    const consentText = 'You may end treatment at any time. '.repeat(500); // ~17.5 kB each
    const long = (count: number) => ({
      key: 'long-consents',
      title: 'Long consents',
      definition: {
        sections: [
          {
            title: 'Consents',
            questions: Array.from({ length: count }, (_, index) => ({
              id: `consent_${index}`,
              type: 'consent',
              label: `Consent ${index}`,
              required: true,
              text: consentText,
            })),
          },
        ],
      },
    });
    // Larger than the 64 kB limit of other endpoints, within the 512 kB of /v1/forms.
    expect(JSON.stringify(long(12)).length).toBeGreaterThan(200_000);
    expect((await publish(org.keys.admin, long(12))).status).toBe(201);

    const tooLarge = JSON.stringify(long(40));
    expect(tooLarge.length).toBeGreaterThan(512 * 1024);
    const response = await publish(org.keys.admin, tooLarge);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('BODY_TOO_LARGE');
    expect(await service.database.db.formDefinition.count({ where: { key: 'long-consents' } })).toBe(1);
  });
});

describe('packages', () => {
  it('saves a new package from form keys, in the order given, with each form’s newest version', async () => {
    const fresh = await createTestOrganization(service.database.db);
    const newest = await publish(fresh.keys.admin, { ...GAD7, title: 'GAD-7, revised' });
    const gad7v2 = ZFormResponse.parse(await newest.json());

    const response = await putPackage(fresh.keys.admin, 'new-key', {
      name: '  Assessments only ',
      forms: ['gad-7', 'phq-9', 'notice-of-privacy-practices'],
    });
    expect(response.status).toBe(200);
    const saved = ZFormPackageResponse.parse(await response.json());
    expect(saved).toMatchObject({ key: 'new-key', name: 'Assessments only', isDefault: false });
    expect(saved.forms.map((item) => [item.key, item.version])).toEqual([
      ['gad-7', 2],
      ['phq-9', 1],
      ['notice-of-privacy-practices', 1],
    ]);
    expect(saved.forms[0]!.formDefinitionId).toBe(gad7v2.id);
    expect(await packageNamed(fresh.keys.therapist, 'new-key')).toEqual(saved);

    // Saving again replaces the list.
    const replaced = await putPackage(fresh.keys.admin, 'new-key', { name: 'Assessments only', forms: ['phq-9'] });
    expect(replaced.status).toBe(200);
    expect((await packageNamed(fresh.keys.admin, 'new-key')).forms.map((item) => item.key)).toEqual(['phq-9']);
  });

  it('refuses unknown form keys, naming their positions, and saves nothing', async () => {
    const response = await putPackage(org.keys.admin, 'new-key', {
      name: 'Broken',
      forms: ['phq-9', 'no-such-form', 'gad-7', 'also-missing'],
    });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.fields).toEqual([
      { path: 'forms.1', message: 'is not a form of this organisation' },
      { path: 'forms.3', message: 'is not a form of this organisation' },
    ]);
    expect((await listPackages(org.keys.admin)).map((pkg) => pkg.key)).not.toContain('new-key');
  });

  it.each<[string, string, unknown, string[]]>([
    ['a form named twice', 'twice', { name: 'Twice', forms: ['phq-9', 'phq-9'] }, ['forms']],
    ['no forms', 'empty', { name: 'Empty', forms: [] }, ['forms']],
    ['no name', 'nameless', { forms: ['phq-9'] }, ['name']],
    ['a malformed package key', 'Bad_Key', { name: 'Bad', forms: ['phq-9'] }, ['params.key']],
    ['a NUL character in the name', 'nul-name', { name: 'Intake\u0000', forms: ['phq-9'] }, ['name']],
  ])('refuses %s', async (_case, packageKey, body, paths) => {
    const response = await putPackage(org.keys.admin, packageKey, body);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).fields?.map((field) => field.path)).toEqual(paths);
    expect((await listPackages(org.keys.admin)).map((pkg) => pkg.key)).not.toContain(packageKey);
  });

  it('moves the default: at most one package is the default', async () => {
    const fresh = await createTestOrganization(service.database.db);
    const defaults = async () =>
      (await listPackages(fresh.keys.admin)).filter((pkg) => pkg.isDefault).map((pkg) => pkg.key);
    expect(await defaults()).toEqual(['default-intake']);

    const made = await putPackage(fresh.keys.admin, 'short-intake', {
      name: 'Short intake',
      forms: ['informed-consent-psychotherapy'],
      isDefault: true,
    });
    expect(made.status).toBe(200);
    expect(await defaults()).toEqual(['short-intake']);

    // Saving another package without isDefault leaves the default alone.
    await putPackage(fresh.keys.admin, 'assessments', { name: 'Assessments', forms: ['phq-9', 'gad-7'] });
    expect(await defaults()).toEqual(['short-intake']);

    await putPackage(fresh.keys.admin, 'default-intake', {
      name: 'New client intake',
      forms: STANDARD_FORMS.map((form) => form.key),
      isDefault: true,
    });
    expect(await defaults()).toEqual(['default-intake']);
    expect(await service.database.db.formPackage.count({ where: { organizationId: fresh.organizationId } })).toBe(4);
  });

  it('keeps a single default when admins save defaults at the same moment', async () => {
    const fresh = await createTestOrganization(service.database.db);
    const keys = ['first', 'second', 'third', 'fourth'];
    const responses = await Promise.all(
      keys.map((key) => putPackage(fresh.keys.admin, key, { name: key, forms: ['phq-9'], isDefault: true })),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    const defaults = (await listPackages(fresh.keys.admin)).filter((pkg) => pkg.isDefault);
    expect(defaults).toHaveLength(1);
    expect(keys).toContain(defaults[0]!.key);
  });

  it.each(['therapist', 'permittedTherapist'] as const)('is refused to the %s', async (who) => {
    const before = await listPackages(org.keys.admin);
    const created = await putPackage(org.keys[who], 'by-therapist', { name: 'Mine', forms: ['phq-9'] });
    expect(created.status).toBe(403);
    expect((await errorOf(created)).code).toBe('FORBIDDEN');
    const changed = await putPackage(org.keys[who], 'default-intake', { name: 'Hijacked', forms: ['phq-9'] });
    expect(changed.status).toBe(403);
    expect(await listPackages(org.keys.admin)).toEqual(before);
  });
});

describe('another organisation', () => {
  it('never sees, uses or changes this organisation’s forms', async () => {
    const published = await publish(org.keys.admin, customForm('private-form'));
    expect(published.status).toBe(201);
    const privateForm = ZFormResponse.parse(await published.json());

    expect((await request('GET', '/v1/forms/private-form', other.keys.admin)).status).toBe(404);
    expect((await request('GET', '/v1/forms/private-form/versions/1', other.keys.admin)).status).toBe(404);
    expect((await listForms(other.keys.admin)).map((form) => form.key)).toEqual(SEEDED_KEYS);
    expect(JSON.stringify(await listPackages(other.keys.admin))).not.toContain(privateForm.id);

    const borrowed = await putPackage(other.keys.admin, 'borrowed', { name: 'Borrowed', forms: ['private-form'] });
    expect(borrowed.status).toBe(400);
    expect((await errorOf(borrowed)).fields).toEqual([
      { path: 'forms.0', message: 'is not a form of this organisation' },
    ]);

    // The same key published there is that organisation's own version 1, and ours is untouched.
    const theirs = await publish(other.keys.admin, customForm('private-form', ' (theirs)'));
    expect(theirs.status).toBe(201);
    expect(ZFormResponse.parse(await theirs.json())).toMatchObject({ version: 1, title: 'Sleep check (theirs)' });
    const ours = ZFormResponse.parse(await (await request('GET', '/v1/forms/private-form', org.keys.admin)).json());
    expect(ours).toEqual(privateForm);

    // A new version of a seeded form there moves only their packages.
    const ourPackages = await listPackages(org.keys.admin);
    const theirPhq9 = await publish(other.keys.admin, { ...PHQ9, title: 'PHQ-9 (theirs)' });
    expect(theirPhq9.status).toBe(201);
    expect(await listPackages(org.keys.admin)).toEqual(ourPackages);
    expect(
      (await packageNamed(other.keys.admin, 'intake-with-assessments')).forms.find((item) => item.key === 'phq-9'),
    ).toMatchObject({ version: 2, title: 'PHQ-9 (theirs)' });
  });
});
