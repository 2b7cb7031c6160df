/**
 * The standard forms a practice starts with, and how a practice seeded with
 * an earlier text of one moves to the current one: as a new version (the
 * packages follow it), never an edit of the version clients have signed; and
 * a practice that published its own text keeps it.
 */
import { randomBytes } from 'node:crypto';
import { ZFormDefinition } from '../../domain/form-definition';
import { definitionSha256 } from '../../domain/signature-record';
import { seedStandardForms } from '../../prisma/seed';
import { EARLIER_STANDARD_DEFINITIONS } from '../../prisma/seed-data/earlier-standard-forms';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

async function practice(name: string) {
  return database.db.organization.create({ data: { slug: `practice-${randomBytes(4).toString('hex')}`, name } });
}

const seed = (organizationId: string) => database.db.$transaction((tx) => seedStandardForms(tx, organizationId));

async function versionsOf(organizationId: string, key: string) {
  return database.db.formDefinition.findMany({
    where: { organizationId, key },
    orderBy: { version: 'asc' },
    select: { id: true, version: true, definition: true },
  });
}

async function packageForms(organizationId: string, packageKey: string) {
  const items = await database.db.formPackageItem.findMany({
    where: { package: { organizationId, key: packageKey } },
    orderBy: { position: 'asc' },
    select: { formDefinition: { select: { key: true, version: true } } },
  });
  return items.map((item) => `${item.formDefinition.key}@${item.formDefinition.version}`);
}

/** A practice as the seed left it before these texts changed: version 1 of the earlier texts in both packages. */
async function practiceOnEarlierTexts() {
  const org = await practice('Cedar Grove Therapy');
  await seed(org.id);
  for (const [key, [earlier]] of Object.entries(EARLIER_STANDARD_DEFINITIONS)) {
    await database.db.formDefinition.update({
      where: { organizationId_key_version: { organizationId: org.id, key, version: 1 } },
      data: { definition: ZFormDefinition.parse(earlier) },
    });
  }
  return org;
}

it('gives a new practice the current texts as version 1, its own name in the privacy notice', async () => {
  const org = await practice('Harbor Light Counseling');
  await seed(org.id);
  const [notice] = await versionsOf(org.id, 'notice-of-privacy-practices');
  expect(notice!.version).toBe(1);
  expect(JSON.stringify(notice!.definition)).toContain('Harbor Light Counseling (\\"we\\") is required by law');
  const [intake] = await versionsOf(org.id, 'standard-intake-questionnaire');
  const since = ZFormDefinition.parse(intake!.definition)
    .sections.flatMap((section) => section.questions)
    .find((question) => question.id === 'concerns_since');
  expect(since?.type).toBe('short_text');
  expect(since?.help).toContain('spring 2024');
});

it('moves a practice on an earlier standard text to the current one as the next version, once', async () => {
  const org = await practiceOnEarlierTexts();
  const before = await versionsOf(org.id, 'notice-of-privacy-practices');

  await seed(org.id);
  await seed(org.id);

  for (const key of Object.keys(EARLIER_STANDARD_DEFINITIONS)) {
    const versions = await versionsOf(org.id, key);
    expect(versions.map((version) => version.version)).toEqual([1, 2]);
    // Version 1 is untouched: a form signed on it still verifies against the text the client saw.
    expect(definitionSha256(versions[0]!.definition)).toBe(
      definitionSha256(ZFormDefinition.parse(EARLIER_STANDARD_DEFINITIONS[key]![0])),
    );
  }
  expect((await versionsOf(org.id, 'notice-of-privacy-practices'))[0]).toEqual(before[0]);
  expect(await packageForms(org.id, 'default-intake')).toEqual([
    'standard-intake-questionnaire@2',
    'informed-consent-psychotherapy@1',
    'notice-of-privacy-practices@2',
  ]);
  expect(await packageForms(org.id, 'intake-with-assessments')).toEqual([
    'standard-intake-questionnaire@2',
    'informed-consent-psychotherapy@1',
    'notice-of-privacy-practices@2',
    'phq-9@2',
    'gad-7@1',
  ]);
});

it('leaves a practice’s own text alone', async () => {
  const org = await practiceOnEarlierTexts();
  const own = ZFormDefinition.parse({
    sections: [
      {
        title: 'Our notice',
        questions: [{ id: 'acknowledgement', type: 'consent', label: 'I received it', text: 'Our own notice.' }],
      },
    ],
  });
  await database.db.formDefinition.create({
    data: { organizationId: org.id, key: 'notice-of-privacy-practices', version: 2, title: 'Privacy', definition: own },
  });
  await seed(org.id);
  const versions = await versionsOf(org.id, 'notice-of-privacy-practices');
  expect(versions.map((version) => version.version)).toEqual([1, 2]);
  expect(versions[1]!.definition).toEqual(own);
});
