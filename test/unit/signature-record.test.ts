/**
 * The signature record's fingerprint: SHA-256 over a canonical JSON encoding
 * of everything that was signed. Equal content must always hash the same
 * (whatever order the keys come back from the database in), and a change to
 * any single thing that was signed must change the hash.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { ZFormDefinition } from '../../domain/form-definition';
import {
  canonicalJson,
  definitionSha256,
  SIGNATURE_ATTESTATION,
  signedContentSha256,
  type SignedContent,
} from '../../domain/signature-record';
import { STANDARD_ASSESSMENTS, STANDARD_FORMS } from '../../prisma/seed-data/standard-forms';

/** The same value with every object's keys in reverse order, as a jsonb column may return them. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, entry]) => [key, reverseKeys(entry)]),
    );
  }
  return value;
}

const content: SignedContent = {
  assignmentId: '0b9d6c1e-5a43-4f7e-9c55-1f0e2d3c4b5a',
  formDefinitionId: '7f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f',
  formKey: 'phq-9',
  formVersion: 1,
  definitionSha256: 'a'.repeat(64),
  answers: { phq9: { interest: 1, mood: 2 }, notes: 'Sleeping badly', agree: true, concerns: ['Sleep', 'Work'] },
  signerName: 'Jane Doe',
  portalAccountId: '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a98',
  signedAt: '2025-03-04T05:06:07.089Z',
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0',
  attestation: SIGNATURE_ATTESTATION,
};

describe('canonicalJson', () => {
  it('sorts keys at every level and writes plain JSON', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'x' }], c: true } })).toBe(
      '{"a":{"c":true,"d":[3,{"y":"x","z":null}]},"b":1}',
    );
  });

  it('does not depend on key order', () => {
    expect(canonicalJson(reverseKeys(content))).toBe(canonicalJson(content));
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(reverseKeys(value))).toBe(canonicalJson(value));
      }),
    );
  });

  it('loses nothing: parsing it gives back the same value', () => {
    // So two different values can never share an encoding (and a hash).
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // Compared with what JSON itself keeps (-0 is 0 in JSON and in jsonb alike).
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it.each([
    [{ a: 1 }, { a: '1' }],
    [{ a: 1 }, { a: 2 }],
    [{ a: 1 }, { b: 1 }],
    [{ a: null }, {}],
    [{ a: true }, { a: 'true' }],
    [{ a: [1, 2] }, { a: [2, 1] }],
    [{ a: ['x'] }, { a: 'x' }],
    [{ a: { b: 1 } }, { 'a.b': 1 }],
    [{ 'a","b': 1 }, { a: 1, b: 1 }],
    [['a', 'b'], ['a,b']],
    [[], {}],
  ])('tells %j from %j', (one, other) => {
    expect(canonicalJson(one)).not.toBe(canonicalJson(other));
  });

  it('leaves out undefined properties, as JSON does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });
});

describe('signedContentSha256', () => {
  it('is 64 lower-case hex characters: SHA-256 of the canonical JSON', () => {
    const hash = signedContentSha256(content);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // Anyone can recompute it from the stored record with standard tools.
    expect(hash).toBe(createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex'));
  });

  it('is the same for the same content, whatever the key order', () => {
    expect(signedContentSha256(reverseKeys(content) as SignedContent)).toBe(signedContentSha256(content));
    expect(signedContentSha256(structuredClone(content))).toBe(signedContentSha256(content));
  });

  it.each<[string, Partial<SignedContent>]>([
    ['one answer', { answers: { ...content.answers, phq9: { interest: 1, mood: 3 } } }],
    ['one character of a text answer', { answers: { ...content.answers, notes: 'Sleeping badly.' } }],
    ['the order of chosen options', { answers: { ...content.answers, concerns: ['Work', 'Sleep'] } }],
    ['a yes written as text', { answers: { ...content.answers, agree: 'true' } }],
    ['the signer’s name', { signerName: 'Jane Doe ' }],
    ['the signer’s name’s case', { signerName: 'Jane doe' }],
    ['when it was signed', { signedAt: '2025-03-04T05:06:07.090Z' }],
    ['the form version', { formVersion: 2 }],
    ['the definition hash', { definitionSha256: `${'a'.repeat(63)}b` }],
    ['the IP address', { ip: '203.0.113.8' }],
    ['a missing IP address', { ip: null }],
    ['the user agent', { userAgent: null }],
    ['the attestation', { attestation: `${SIGNATURE_ATTESTATION} ` }],
    ['the assignment', { assignmentId: '0b9d6c1e-5a43-4f7e-9c55-1f0e2d3c4b5b' }],
    ['the form definition', { formDefinitionId: '7f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e50' }],
    ['the form key', { formKey: 'gad-7' }],
    ['the portal account', { portalAccountId: '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a99' }],
  ])('changes with %s', (_change, changed) => {
    expect(signedContentSha256({ ...content, ...changed })).not.toBe(signedContentSha256(content));
  });

  const answerValue = fc.oneof(
    fc.string(),
    fc.boolean(),
    fc.array(fc.string(), { maxLength: 4 }),
    fc.dictionary(fc.string({ minLength: 1 }), fc.integer({ min: 0, max: 3 }), { maxKeys: 4 }),
  );
  const signedContent: fc.Arbitrary<SignedContent> = fc.record({
    assignmentId: fc.uuid(),
    formDefinitionId: fc.uuid(),
    formKey: fc.string({ minLength: 1 }),
    formVersion: fc.integer({ min: 1, max: 1000 }),
    definitionSha256: fc.stringMatching(/^[0-9a-f]{64}$/),
    answers: fc.dictionary(fc.string({ minLength: 1 }), answerValue, { maxKeys: 5 }),
    signerName: fc.string({ minLength: 1 }),
    portalAccountId: fc.uuid(),
    signedAt: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    ip: fc.option(fc.ipV4()),
    userAgent: fc.option(fc.string()),
    attestation: fc.string(),
  });
  const fields = Object.keys(content) as (keyof SignedContent)[];

  it('changes whenever any single field changes (property)', () => {
    fc.assert(
      fc.property(signedContent, signedContent, fc.constantFrom(...fields), (original, other, field) => {
        fc.pre(canonicalJson(original[field]) !== canonicalJson(other[field]));
        const tampered = { ...original, [field]: other[field] };
        expect(signedContentSha256(tampered)).not.toBe(signedContentSha256(original));
      }),
      { numRuns: 500 },
    );
  });

  it('is stable across key order (property)', () => {
    fc.assert(
      fc.property(signedContent, (signed) => {
        expect(signedContentSha256(reverseKeys(signed) as SignedContent)).toBe(signedContentSha256(signed));
      }),
    );
  });
});

describe('definitionSha256', () => {
  const standard = [...STANDARD_FORMS, ...STANDARD_ASSESSMENTS];

  it.each(standard.map((form) => [form.key, form.definition] as const))(
    'is stable for %s, including after a round trip through the database',
    (_key, input) => {
      const parsed = ZFormDefinition.parse(input);
      const hash = definitionSha256(parsed);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(definitionSha256(ZFormDefinition.parse(input))).toBe(hash);
      // jsonb gives the keys back in its own order.
      expect(definitionSha256(reverseKeys(JSON.parse(JSON.stringify(parsed))))).toBe(hash);
    },
  );

  it('tells every standard form apart', () => {
    const hashes = standard.map((form) => definitionSha256(ZFormDefinition.parse(form.definition)));
    expect(new Set(hashes).size).toBe(standard.length);
  });

  it('changes with one character of the consent text, or the order of the questions', () => {
    const consent = ZFormDefinition.parse(STANDARD_FORMS.find((form) => form.key.includes('consent'))!.definition);
    const text = JSON.stringify(consent);
    const edited = text.replace('at any time.', 'at any time!');
    expect(edited).not.toBe(text);
    expect(definitionSha256(JSON.parse(edited))).not.toBe(definitionSha256(consent));

    const phq9 = ZFormDefinition.parse(STANDARD_ASSESSMENTS.find((form) => form.key === 'phq-9')!.definition);
    const reordered = structuredClone(phq9);
    const scale = reordered.sections[0]!.questions[0]!;
    if (scale.type !== 'scale') throw new Error('PHQ-9 is a scale');
    scale.items.reverse();
    expect(definitionSha256(reordered)).not.toBe(definitionSha256(phq9));
  });
});
