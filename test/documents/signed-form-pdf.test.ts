import { PDFParse } from 'pdf-parse';
import { renderSignedFormPdf, type SignedFormPdfInput } from '../../documents/signed-form-pdf';
import type { FormAnswers } from '../../domain/form-answers';
import { ZFormDefinition } from '../../domain/form-definition';
import { SIGNATURE_ATTESTATION, sha256Hex } from '../../domain/signature-record';
import { standardForms } from '../../prisma/seed-data/standard-forms';

const definition = ZFormDefinition.parse({
  description: 'Please answer as fully as you can.',
  sections: [
    {
      title: 'About you',
      questions: [
        { id: 'preferred_name', type: 'short_text', label: 'Preferred name', required: true },
        { id: 'date_of_birth', type: 'date', label: 'Date of birth', required: true },
        { id: 'reason', type: 'long_text', label: 'What brings you to therapy?' },
        { id: 'pronouns', type: 'short_text', label: 'Pronouns' },
      ],
    },
    {
      title: 'Health',
      questions: [
        { id: 'seen_before', type: 'yes_no', label: 'Have you seen a therapist before?' },
        {
          id: 'contact_method',
          type: 'single_choice',
          label: 'How should we contact you?',
          options: ['Phone', 'Email', 'Text message'],
        },
        {
          id: 'concerns',
          type: 'multiple_choice',
          label: 'Which of these concern you?',
          options: ['Sleep', 'Anxiety', 'Relationships', 'Work'],
        },
        {
          id: 'gad',
          type: 'scale',
          label: 'Over the last 2 weeks, how often have you been bothered by:',
          items: [
            { id: 'nervous', label: 'Feeling nervous, anxious or on edge' },
            { id: 'worry', label: 'Not being able to stop or control worrying' },
            { id: 'relax', label: 'Trouble relaxing' },
          ],
          options: [
            { label: 'Not at all', value: 0 },
            { label: 'Several days', value: 1 },
            { label: 'More than half the days', value: 2 },
            { label: 'Nearly every day', value: 3 },
          ],
          bands: [
            { min: 0, max: 4, label: 'Minimal anxiety' },
            { min: 5, max: 9, label: 'Moderate anxiety' },
          ],
        },
      ],
    },
    {
      title: 'Consent',
      questions: [
        {
          id: 'treatment_consent',
          type: 'consent',
          label: 'Consent to treatment',
          required: true,
          text: 'I consent to receive outpatient counselling from the practice.',
        },
      ],
    },
  ],
});

const answers: FormAnswers = {
  preferred_name: 'Sam',
  date_of_birth: '1990-04-12',
  reason: 'Trouble sleeping since starting a new job.',
  seen_before: true,
  contact_method: 'Text message',
  concerns: ['Sleep', 'Work'],
  // 3 + 2 + 1 = 6, inside the "Moderate anxiety" band, neither of which the client may see.
  gad: { nervous: 3, worry: 2, relax: 1 },
  treatment_consent: true,
};

function inputWith(overrides: { answers?: FormAnswers; signerName?: string } = {}): SignedFormPdfInput {
  return {
    practiceName: 'Maple Street Psychology',
    formTitle: 'Adult Intake Questionnaire',
    formVersion: 4,
    definition,
    answers: overrides.answers ?? answers,
    signature: {
      signerName: overrides.signerName ?? 'Samantha Okafor',
      signedAt: '2026-01-15T15:04:05.000Z',
      timeZone: 'America/New_York',
      ip: '203.0.113.7',
      contentSha256: sha256Hex('the signed content'),
      attestation: SIGNATURE_ATTESTATION,
    },
  };
}

async function extract(bytes: Uint8Array): Promise<{ text: string; flat: string; pages: number; pageTexts: string[] }> {
  // pdf.js may take ownership of a typed array it is given, so it gets a copy.
  const parser = new PDFParse({ data: bytes.slice() });
  try {
    const result = await parser.getText();
    return {
      text: result.text,
      flat: result.text.replace(/\s+/g, ' '),
      pages: result.total,
      pageTexts: result.pages.map((page) => page.text),
    };
  } finally {
    await parser.destroy();
  }
}

describe('renderSignedFormPdf', () => {
  it('prints the header and every question with the answer as the client gave it', async () => {
    const bytes = await renderSignedFormPdf(inputWith());
    expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');

    const { text, flat, pages } = await extract(bytes);
    expect(text).toContain('Maple Street Psychology');
    expect(text).toContain('Adult Intake Questionnaire');
    expect(text).toContain('Version 4');
    expect(text).toContain('About you');
    expect(text).toContain('Sam');
    expect(text).toContain('1990-04-12');
    expect(text).toContain('Trouble sleeping since starting a new job.');
    expect(text).toMatch(/Have you seen a therapist before\?\s+Yes/);
    expect(text).toMatch(/How should we contact you\?\s+Text message/);
    expect(text).toMatch(/Which of these concern you\?\s+• Sleep\s+• Work/);
    expect(text).toMatch(/Pronouns\s+\(no answer\)/);
    expect(text).toContain('Feeling nervous, anxious or on edge: Nearly every day (3)');
    expect(text).toContain('Not being able to stop or control worrying: More than half the days (2)');
    expect(text).toContain('Trouble relaxing: Several days (1)');
    expect(flat).toContain('I consent to receive outpatient counselling from the practice. Agreed');
    expect(text).toContain(`Page 1 of ${pages}`);
  });

  it('prints an unticked consent as not agreed and a no as "No"', async () => {
    const { text } = await extract(
      await renderSignedFormPdf(inputWith({ answers: { ...answers, seen_before: false, treatment_consent: false } })),
    );
    expect(text).toMatch(/Have you seen a therapist before\?\s+No/);
    expect(text).toContain('Not agreed');
  });

  it('prints the whole Notice of Privacy Practices the client acknowledged, headings as headings', async () => {
    const form = standardForms('Maple Street Psychology').find((each) => each.key === 'notice-of-privacy-practices')!;
    const { flat } = await extract(
      await renderSignedFormPdf({
        ...inputWith({ answers: { acknowledgement: true } }),
        formTitle: form.title,
        definition: ZFormDefinition.parse(form.definition),
      }),
    );
    expect(flat).toContain('Maple Street Psychology ("we") is required by law to keep your health information private');
    expect(flat).toContain('Your rights You may ask to see or get an electronic or paper copy');
    expect(flat).toContain('We will not retaliate against you for filing a complaint. Agreed');
    expect(flat).not.toContain('##');
  });

  it('never shows the client a scale total or severity band', async () => {
    const { text } = await extract(await renderSignedFormPdf(inputWith()));
    expect(text).not.toMatch(/anxiety/i);
    expect(text).not.toMatch(/total|score/i);
    expect(text).not.toMatch(/\b6\b/);
  });

  it('ends with the signature block and the full fingerprint', async () => {
    const input = inputWith();
    const { text, flat, pageTexts } = await extract(await renderSignedFormPdf(input));
    expect(text).toContain('Electronically signed by Samantha Okafor');
    // Kept together: the name and the fingerprint are never split across a page break.
    const signaturePage = pageTexts.find((page) => page.includes('Electronically signed by'));
    expect(signaturePage).toContain(input.signature.contentSha256);
    expect(text).toContain('Thursday, 15 January 2026 at 10:04 AM EST');
    expect(text).toContain('203.0.113.7');
    expect(flat).toContain(SIGNATURE_ATTESTATION);
    expect(text).toContain(input.signature.contentSha256);
    expect(text.indexOf('Electronically signed by')).toBeGreaterThan(text.indexOf('Agreed'));
  });

  it('flows a very long answer over several pages, numbered "Page i of n"', async () => {
    const paragraph = 'I have been finding it hard to sleep and to concentrate at work. '.repeat(30);
    const ending = 'The very last sentence.';
    const long =
      Array.from({ length: 6 }, () => paragraph)
        .join('\n\n')
        .slice(0, 10_000 - ending.length) + ending;
    const { text, pages } = await extract(
      await renderSignedFormPdf(inputWith({ answers: { ...answers, reason: long } })),
    );
    expect(long.length).toBe(10_000);
    expect(pages).toBeGreaterThan(1);
    expect(text).toContain(`Page 1 of ${pages}`);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toContain('The very last sentence.');
    expect(text).toContain('Electronically signed by Samantha Okafor');
  });

  it('renders characters the standard fonts lack without failing, keeping accented Latin letters', async () => {
    const name = '王小明 🙂 Ærøskøbing Zoë Łukasz Ŝtelo';
    const bytes = await renderSignedFormPdf(
      inputWith({ answers: { ...answers, preferred_name: name }, signerName: 'Зоя Zoë' }),
    );
    const { text } = await extract(bytes);
    expect(text).toContain('??? ? Ærøskøbing Zoë ?ukasz Stelo');
    expect(text).toContain('Electronically signed by ??? Zoë');
  });

  it('names the form, not the client, in the document metadata', async () => {
    const parser = new PDFParse({ data: await renderSignedFormPdf(inputWith()) });
    try {
      const { info } = (await parser.getInfo()) as { info: Record<string, unknown> };
      expect(info).toMatchObject({
        Title: 'Adult Intake Questionnaire',
        Creator: 'Client Portal',
        Producer: 'Client Portal',
        // The moment of signing, not of rendering: a copy printed next year is the same document.
        CreationDate: 'D:20260115150405Z',
      });
      expect(JSON.stringify(info)).not.toMatch(/Samantha|Okafor|Sam\b|1990/);
    } finally {
      await parser.destroy();
    }
  });

  it('renders the same record to the same bytes', async () => {
    const first = await renderSignedFormPdf(inputWith());
    const second = await renderSignedFormPdf(inputWith());
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
  });
});
