/**
 * Every PDF the portal serves is a tagged PDF (issue 13, accessibility; the
 * structure PDF/UA-1 asks for): a screen reader reads its structure tree
 * (headings, paragraphs, tables, lists) in the order it is printed, and skips
 * what is decoration or repeated by pagination.
 */
import { PDFBool, PDFDict, PDFDocument, PDFName, PDFNumber, rgb } from 'pdf-lib';
import { invoicePdf } from '../../documents/invoice-pdf';
import { receiptPdf } from '../../documents/payment-receipt-pdf';
import { renderSignedFormPdf } from '../../documents/signed-form-pdf';
import { superbillPdf } from '../../documents/superbill-pdf';
import { TaggedPdf as PdfTagger } from '../../documents/tagged-pdf';
import { ZInvoice } from '../../domain/billing';
import { ZFormDefinition } from '../../domain/form-definition';
import { SIGNATURE_ATTESTATION, sha256Hex } from '../../domain/signature-record';
import { STANDARD_ASSESSMENTS, standardForms } from '../../prisma/seed-data/standard-forms';
import {
  contentInStructureOrder,
  readTaggedPdf,
  type StructElement,
  type TaggedPdf,
  textAt,
  textOf,
  walk,
} from '../support/tagged-pdf-reader';

const PRACTICE = 'Maple Street Psychology';

// Enough lines to carry the services table over to a second page, where its header is repeated.
const invoice = ZInvoice.parse({
  externalInvoiceId: 'INV-2026-0042',
  issuedOn: '2026-01-15',
  dueOn: '2026-02-14',
  lines: Array.from({ length: 40 }, (_, index) => ({
    serviceDate: '2026-01-05',
    description: `Psychotherapy session number ${index + 1}, 53 min`,
    serviceCode: index % 2 ? '90837' : null,
    amountCents: 15000,
  })),
  balanceCents: 500000,
  credits: [{ kind: 'INSURANCE_PAYMENT', amountCents: 40000 }],
  superbill: { providerName: 'Dr. Morgan Lee, PsyD', npi: '1234567893', taxId: '123456789', placeOfService: '11' },
});

const intake = standardForms(PRACTICE).find((form) => form.key === 'standard-intake-questionnaire')!;
const privacyNotice = standardForms(PRACTICE).find((form) => form.key === 'notice-of-privacy-practices')!;
const phq9 = STANDARD_ASSESSMENTS.find((form) => form.key === 'phq-9')!;

/** A seed form answered in full, so every kind of question is printed. */
function answersTo(form: typeof intake): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const question of ZFormDefinition.parse(form.definition).sections.flatMap((section) => section.questions)) {
    if (question.type === 'multiple_choice') answers[question.id] = question.options.slice(0, 2);
    else if (question.type === 'single_choice') answers[question.id] = question.options[0];
    else if (question.type === 'scale')
      answers[question.id] = Object.fromEntries(question.items.map((item) => [item.id, question.options[1]!.value]));
    else if (question.type === 'date') answers[question.id] = '2025-11-01';
    else if (question.type === 'yes_no' || question.type === 'consent') answers[question.id] = true;
    else answers[question.id] = `An answer to "${question.label}" long enough to wrap onto a second line of the page.`;
  }
  return answers;
}

function signedForm(form: typeof intake, answers: Record<string, unknown>) {
  return renderSignedFormPdf({
    practiceName: PRACTICE,
    formTitle: form.title,
    formVersion: 4,
    definition: ZFormDefinition.parse(form.definition),
    answers: answers as never,
    signature: {
      signerName: 'Samantha Okafor',
      signedAt: '2026-01-15T15:04:05.000Z',
      timeZone: 'America/New_York',
      ip: '203.0.113.7',
      contentSha256: sha256Hex('the signed content'),
      attestation: SIGNATURE_ATTESTATION,
    },
  });
}

const KINDS: [string, () => Promise<Uint8Array>][] = [
  ['signed intake questionnaire', () => signedForm(intake, answersTo(intake))],
  ['signed notice of privacy practices', () => signedForm(privacyNotice, answersTo(privacyNotice))],
  ['signed PHQ-9', () => signedForm(phq9, answersTo(phq9))],
  [
    'invoice',
    () =>
      invoicePdf({
        practiceName: PRACTICE,
        clientName: 'Jordan Whitfield',
        invoice,
        paidCents: 12000,
        payments: [
          { paidAt: '2026-01-20T15:00:00.000Z', amountCents: 12000, receiptNumber: 'R-2026-000123', card: null },
        ],
        timeZone: 'America/New_York',
      }),
  ],
  [
    'superbill',
    () =>
      superbillPdf({
        practiceName: PRACTICE,
        clientName: 'Jordan Whitfield',
        dateOfBirth: '1987-04-12',
        invoice,
        paidCents: 12000,
        showDiagnosisCodes: false,
        timeZone: 'America/New_York',
      }),
  ],
  [
    'receipt',
    () =>
      receiptPdf({
        practiceName: PRACTICE,
        receiptNumber: 'R-2026-000123',
        paidAt: '2026-01-20T15:00:00.000Z',
        timeZone: 'America/New_York',
        amountCents: 12000,
        currency: 'usd',
        card: 'Visa •••• 4242',
        payerName: 'Jordan Whitfield',
      }),
  ],
];

const rendered = new Map<string, Promise<TaggedPdf>>();
function read(kind: string): Promise<TaggedPdf> {
  if (!rendered.has(kind)) rendered.set(kind, KINDS.find(([name]) => name === kind)![1]().then(readTaggedPdf));
  return rendered.get(kind)!;
}

function elements(pdf: TaggedPdf): StructElement[] {
  const all: StructElement[] = [];
  if (pdf.root) walk(pdf.root, (element) => all.push(element));
  return all;
}

/** The text of the tagged (non-artifact) content, in the order it is drawn. */
function drawnText(pdf: TaggedPdf): string[] {
  return pdf.drawings.filter((each) => each.mark.kind === 'mcid' && each.text).map((each) => each.text!);
}

describe.each(KINDS.map(([kind]) => kind))('the %s', (kind) => {
  it('is marked as tagged, with a structure tree, and pages tabbing in structure order', async () => {
    const pdf = await read(kind);
    const { catalog } = pdf.doc;
    expect(catalog.lookup(PDFName.of('MarkInfo'), PDFDict).get(PDFName.of('Marked'))).toBe(PDFBool.True);
    const treeRoot = catalog.lookup(PDFName.of('StructTreeRoot'), PDFDict);
    expect(treeRoot.lookup(PDFName.of('Type'))).toBe(PDFName.of('StructTreeRoot'));
    expect(pdf.root?.role).toBe('Document');
    const viewer = catalog.lookup(PDFName.of('ViewerPreferences'), PDFDict);
    expect(viewer.get(PDFName.of('DisplayDocTitle'))).toBe(PDFBool.True);

    const keys = pdf.doc.getPages().map((page) => {
      expect(page.node.get(PDFName.of('Tabs'))).toBe(PDFName.of('S'));
      return page.node.lookup(PDFName.of('StructParents'), PDFNumber).asNumber();
    });
    expect(new Set(keys).size).toBe(keys.length);
    const nextKey = treeRoot.lookup(PDFName.of('ParentTreeNextKey'), PDFNumber).asNumber();
    expect(Math.max(...keys)).toBeLessThan(nextKey);
  });

  it('draws nothing outside a marked-content sequence: text and rules are content or artifacts', async () => {
    const { drawings } = await read(kind);
    expect(drawings.filter((each) => each.text).length).toBeGreaterThan(5);
    expect(drawings.filter((each) => each.mark.kind === 'none')).toEqual([]);
    // The rules and page numbers are decoration, read by no screen reader.
    expect(drawings.filter((each) => each.operator === 'S').every((each) => each.mark.kind === 'artifact')).toBe(true);
    const pageNumbers = drawings.filter((each) => /^Page \d+ of \d+$/.test(each.text ?? ''));
    expect(pageNumbers.length).toBe(new Set(drawings.map((each) => each.page)).size);
    expect(pageNumbers.every((each) => each.mark.kind === 'artifact')).toBe(true);
  });

  it('ties every MCID to exactly one structure element, the one the ParentTree names', async () => {
    const pdf = await read(kind);
    const drawn = new Set(
      pdf.drawings.flatMap((each) => (each.mark.kind === 'mcid' ? [`${each.page}:${each.mark.mcid}`] : [])),
    );
    const referenced = contentInStructureOrder(pdf.root!);
    expect(referenced.map(({ page, mcid }) => `${page}:${mcid}`).sort()).toEqual([...drawn].sort());
    const keys = pdf.doc.getPages().map((page) => page.node.lookup(PDFName.of('StructParents'), PDFNumber).asNumber());
    for (const { page, mcid, owner } of referenced) {
      expect(pdf.parentTree.get(keys[page]!)?.[mcid]).toBe(owner.ref);
      // Content belongs to a block, never loose in the Document.
      expect(owner.role).not.toBe('Document');
    }
  });

  it('is read in the order it is printed', async () => {
    const pdf = await read(kind);
    const inStructureOrder = contentInStructureOrder(pdf.root!).map(({ page, mcid }) =>
      textAt(pdf.drawings, page, mcid),
    );
    expect(inStructureOrder).toEqual(drawnText(pdf));
  });

  it('has one H1, and headings that are neither empty nor skip a level', async () => {
    const pdf = await read(kind);
    const headings = elements(pdf).filter((element) => /^H\d$/.test(element.role));
    expect(headings.filter((heading) => heading.role === 'H1')).toHaveLength(1);
    let level = 0;
    for (const heading of headings) {
      const next = Number(heading.role.slice(1));
      expect(next).toBeLessThanOrEqual(level + 1);
      expect(textOf(heading, pdf.drawings).trim()).not.toBe('');
      level = next;
    }
    for (const figure of elements(pdf).filter((element) => element.role === 'Figure')) {
      expect(figure.alt?.trim()).toBeTruthy();
    }
  });

  it('puts every cell in a row of a table, and every row in a table', async () => {
    const pdf = await read(kind);
    walk(pdf.root!, (element) => {
      for (const kid of element.kids) {
        if (!('role' in kid)) continue;
        if (kid.role === 'TH' || kid.role === 'TD') expect(element.role).toBe('TR');
        if (kid.role === 'TR') expect(['Table', 'THead', 'TBody']).toContain(element.role);
        if (kid.role === 'LI') expect(element.role).toBe('L');
      }
    });
  });
});

describe('the signed intake questionnaire', () => {
  it('reads top to bottom as printed: practice, title, sections, questions with their answers, signature', async () => {
    const pdf = await read('signed intake questionnaire');
    const tagged = pdf.drawings.filter((each) => each.mark.kind === 'mcid' && each.text);
    // What a sighted reader reads: page by page, top to bottom, then left to right.
    const visual = [...tagged].sort((a, b) => a.page - b.page || b.y - a.y || a.x - b.x).map((each) => each.text);
    const inStructureOrder = contentInStructureOrder(pdf.root!).map(({ page, mcid }) =>
      textAt(pdf.drawings, page, mcid),
    );
    expect(inStructureOrder).toEqual(visual);
    expect(inStructureOrder.slice(0, 3)).toEqual([PRACTICE, intake.title, 'Version 4']);
    expect(inStructureOrder.at(-1)).toBe(sha256Hex('the signed content'));
  });

  it('tags the title H1, sections H2, questions H3, choices as lists and the signature as one block', async () => {
    const pdf = await read('signed intake questionnaire');
    const all = elements(pdf);
    const definition = ZFormDefinition.parse(intake.definition);
    const byRole = (role: string) => all.filter((element) => element.role === role);
    expect(byRole('H1').map((element) => textOf(element, pdf.drawings))).toEqual([intake.title]);
    expect(byRole('H2').map((element) => textOf(element, pdf.drawings))).toEqual(
      definition.sections.map((section) => section.title),
    );
    expect(byRole('H3')).toHaveLength(definition.sections.flatMap((section) => section.questions).length);
    const choices = definition.sections
      .flatMap((section) => section.questions)
      .find((question) => question.type === 'multiple_choice')!;
    const lists = byRole('L').map((list) => list.kids.map((item) => textOf(item as StructElement, pdf.drawings)));
    expect(lists).toContainEqual(choices.options.slice(0, 2).map((option) => `• ${option}`));
    for (const item of byRole('LI')) expect((item.kids[0] as StructElement).role).toBe('LBody');
    const signature = byRole('Div').map((block) => textOf(block, pdf.drawings));
    expect(signature).toHaveLength(1);
    expect(signature[0]).toMatch(/^Electronically signed by Samantha Okafor .* from IP address 203\.0\.113\.7 /);
  });

  it('tags a scale’s items as a list, each with the option picked', async () => {
    const pdf = await read('signed PHQ-9');
    const scale = ZFormDefinition.parse(phq9.definition).sections[0]!.questions.find(
      (question) => question.type === 'scale',
    )!;
    const items = elements(pdf).filter((element) => element.role === 'LI');
    expect(items.length).toBe(scale.type === 'scale' ? scale.items.length : -1);
    expect(textOf(items[0]!, pdf.drawings)).toMatch(/: Several days \(1\)$/);
  });

  it('tags the privacy notice’s own headings one level under the question', async () => {
    const pdf = await read('signed notice of privacy practices');
    const h4 = elements(pdf).filter((element) => element.role === 'H4');
    expect(h4.map((heading) => textOf(heading, pdf.drawings))).toContain('Your rights');
  });
});

describe('the invoice', () => {
  it('tags the services as a table whose header heads the columns, read once though repeated on each page', async () => {
    const pdf = await read('invoice');
    expect(pdf.doc.getPageCount()).toBeGreaterThan(1);
    const tables = elements(pdf).filter((element) => element.role === 'Table');
    const services = tables[0]!;
    const [head, body] = services.kids as StructElement[];
    expect([head!.role, body!.role]).toEqual(['THead', 'TBody']);
    const headerCells = (head!.kids[0] as StructElement).kids as StructElement[];
    expect(headerCells.map((cell) => [cell.role, cell.scope, textOf(cell, pdf.drawings)])).toEqual(
      ['Service date', 'Description', 'Code', 'Units', 'Amount'].map((name) => ['TH', 'Column', name]),
    );
    expect(body!.kids).toHaveLength(40);
    // A line without a service code keeps its empty cell, so the columns still line up.
    for (const row of body!.kids as StructElement[]) expect(row.kids).toHaveLength(5);
    const repeated = pdf.drawings.filter((each) => each.text === 'Service date');
    expect(repeated.length).toBeGreaterThan(1);
    expect(repeated.filter((each) => each.mark.kind === 'mcid')).toHaveLength(1);
  });

  it('tags each summary line with its label heading the row', async () => {
    const pdf = await read('invoice');
    const summary = elements(pdf)
      .filter((element) => element.role === 'Table')
      .at(-1)!;
    const rows = (summary.kids as StructElement[]).map((row) =>
      (row.kids as StructElement[]).map((cell) => `${cell.role}:${textOf(cell, pdf.drawings)}`),
    );
    expect(rows[0]).toEqual(['TH:Total', 'TD:$6,000.00']);
    expect(rows).toContainEqual(['TH:Insurance payments', 'TD:-$400.00']);
    expect(rows.at(-1)).toEqual(['TH:Balance due', 'TD:$5,000.00']);
  });
});

describe('the tagger', () => {
  it('gives a Figure its alternative text and refuses one without', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    const tag = new PdfTagger(doc);
    expect(() => tag.begin('Figure')).toThrow(/alternative text/);
    tag.within(
      'Figure',
      () => tag.mark(page, () => page.drawRectangle({ width: 10, height: 10, color: rgb(0, 0, 0) })),
      {
        alt: 'Maple Street Psychology logo',
      },
    );
    tag.finish();
    const pdf = await readTaggedPdf(await doc.save());
    const figure = pdf.root!.kids[0] as StructElement;
    expect([figure.role, figure.alt]).toEqual(['Figure', 'Maple Street Psychology logo']);
    expect(pdf.drawings.map((each) => [each.operator, each.mark])).toEqual([['f', { kind: 'mcid', mcid: 0 }]]);
  });

  it('refuses content outside an element, an end that does not match, and an element never ended', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    const tag = new PdfTagger(doc);
    expect(() => tag.mark(page, () => undefined)).toThrow(/inside Document/);
    tag.begin('P');
    expect(() => tag.end('H1')).toThrow(/'P' is open/);
    expect(() => tag.finish()).toThrow(/never ended/);
  });
});
