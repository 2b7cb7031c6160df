/**
 * Every PDF we produce tells a viewer and a screen reader what it is
 * (issue 13, accessibility): a title shown instead of the file name, the
 * language of its text, who issued it and what kind of document it is.
 */
import { PDFBool, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFString } from 'pdf-lib';
import { invoicePdf } from '../../documents/invoice-pdf';
import { receiptPdf } from '../../documents/payment-receipt-pdf';
import { createPdf } from '../../documents/pdf-text';
import { renderSignedFormPdf } from '../../documents/signed-form-pdf';
import { superbillPdf } from '../../documents/superbill-pdf';
import { ZInvoice } from '../../domain/billing';
import { ZFormDefinition } from '../../domain/form-definition';
import { SIGNATURE_ATTESTATION, sha256Hex } from '../../domain/signature-record';

const PRACTICE = 'Riverbend Counseling';
const CLIENT = 'Jordan Whitfield';

const invoice = ZInvoice.parse({
  externalInvoiceId: 'INV-2026-0042',
  issuedOn: '2026-01-15',
  dueOn: '2026-02-14',
  lines: [
    { serviceDate: '2026-01-05', description: 'Psychotherapy, 53 min', serviceCode: '90837', amountCents: 18000 },
  ],
  balanceCents: 18000,
  superbill: { providerName: 'Dr. Morgan Lee, PsyD', npi: '1234567893', taxId: '123456789', placeOfService: '11' },
});

const documents: [string, () => Promise<Uint8Array>, { title: string; subject: string }][] = [
  [
    'invoice',
    () =>
      invoicePdf({ practiceName: PRACTICE, clientName: CLIENT, invoice, paidCents: 0, payments: [], timeZone: 'UTC' }),
    { title: 'Invoice INV-2026-0042', subject: 'Invoice' },
  ],
  [
    'superbill',
    () =>
      superbillPdf({
        practiceName: PRACTICE,
        clientName: CLIENT,
        dateOfBirth: '1987-04-12',
        invoice,
        paidCents: 0,
        showDiagnosisCodes: false,
        timeZone: 'UTC',
      }),
    { title: 'Superbill for invoice INV-2026-0042', subject: 'Superbill' },
  ],
  [
    'receipt',
    () =>
      receiptPdf({
        practiceName: PRACTICE,
        receiptNumber: 'R-2026-000123',
        paidAt: '2026-01-20T15:00:00.000Z',
        timeZone: 'UTC',
        amountCents: 12000,
        currency: 'usd',
        card: 'Visa •••• 4242',
        payerName: CLIENT,
      }),
    { title: 'Receipt R-2026-000123', subject: 'Payment receipt' },
  ],
  [
    'signed form',
    () =>
      renderSignedFormPdf({
        practiceName: PRACTICE,
        formTitle: 'Adult Intake Questionnaire',
        formVersion: 1,
        definition: ZFormDefinition.parse({
          sections: [{ title: 'About you', questions: [{ id: 'name', type: 'short_text', label: 'Preferred name' }] }],
        }),
        answers: { name: 'Sam' },
        signature: {
          signerName: CLIENT,
          signedAt: '2026-01-15T15:04:05.000Z',
          timeZone: 'UTC',
          ip: '203.0.113.7',
          contentSha256: sha256Hex('the signed content'),
          attestation: SIGNATURE_ATTESTATION,
        },
      }),
    { title: 'Adult Intake Questionnaire', subject: 'Signed form' },
  ],
];

it.each(documents)(
  'the %s has a title shown by the viewer, a language, an author and a subject',
  async (_kind, render, expected) => {
    const doc = await PDFDocument.load(await render(), { updateMetadata: false });
    expect(doc.getTitle()).toBe(expected.title);
    expect(doc.getAuthor()).toBe(PRACTICE);
    expect(doc.getSubject()).toBe(expected.subject);
    // Read from the catalog as a screen reader does, not through pdf-lib's setters.
    expect(doc.catalog.lookup(PDFName.of('Lang'), PDFString).decodeText()).toBe('en-US');
    const preferences = doc.catalog.lookup(PDFName.of('ViewerPreferences'), PDFDict);
    expect(preferences.get(PDFName.of('DisplayDocTitle'))).toBe(PDFBool.True);
    // Who the client is never goes into the metadata.
    for (const field of [doc.getTitle(), doc.getAuthor(), doc.getSubject(), doc.getKeywords()]) {
      expect(field ?? '').not.toContain(CLIENT);
    }
  },
);

it.each(documents)(
  'the %s carries its title, issuer, kind and language as XMP metadata, where PDF/UA looks for them',
  async (_kind, render, expected) => {
    const doc = await PDFDocument.load(await render(), { updateMetadata: false });
    const stream = metadataOf(doc);
    expect(stream.dict.get(PDFName.of('Subtype'))).toBe(PDFName.of('XML'));
    // Uncompressed: no filter between a packet scanner and the XML.
    expect(stream.dict.get(PDFName.of('Filter'))).toBeUndefined();
    const xmp = Buffer.from(stream.getContents()).toString('utf8');
    expect(xmp).toContain(
      `<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${expected.title}</rdf:li></rdf:Alt></dc:title>`,
    );
    expect(xmp).toContain(`<rdf:Seq><rdf:li>${PRACTICE}</rdf:li></rdf:Seq>`);
    expect(xmp).toContain(`<rdf:li xml:lang="x-default">${expected.subject}</rdf:li>`);
    expect(xmp).toContain('<dc:language><rdf:Bag><rdf:li>en-US</rdf:li></rdf:Bag></dc:language>');
    expect(xmp).not.toContain(CLIENT);
    // Not claimed until the fonts are embedded, which PDF/UA-1 requires.
    expect(xmp).not.toContain('pdfuaid');
  },
);

it('escapes a title that looks like XML in the metadata', async () => {
  const { doc } = await createPdf({
    title: 'Consent <draft> & "notes"',
    author: 'Smith & Jones',
    subject: 'Signed form',
    createdAt: new Date('2026-01-15T00:00:00Z'),
  });
  const reloaded = await PDFDocument.load(await doc.save(), { updateMetadata: false });
  const xmp = Buffer.from(metadataOf(reloaded).getContents()).toString('utf8');
  expect(xmp).toContain('Consent &lt;draft&gt; &amp; &quot;notes&quot;');
  expect(xmp).toContain('<rdf:li>Smith &amp; Jones</rdf:li>');
});

function metadataOf(doc: PDFDocument): PDFRawStream {
  const stream = doc.catalog.lookup(PDFName.of('Metadata'));
  if (!(stream instanceof PDFRawStream)) throw new Error('the catalog has no metadata stream');
  return stream;
}
