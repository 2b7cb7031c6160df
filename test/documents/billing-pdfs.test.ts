import { PDFParse } from 'pdf-parse';
import { invoicePdf, type InvoicePdfInput } from '../../documents/invoice-pdf';
import { receiptPdf, type ReceiptPdfInput } from '../../documents/payment-receipt-pdf';
import { superbillPdf, type SuperbillPdfInput } from '../../documents/superbill-pdf';
import { type TInvoice, ZInvoice } from '../../domain/billing';

const HARD_NAME = '王小明 🙂 Zoë Łukasz';

function invoiceWith(overrides: Partial<Record<keyof TInvoice, unknown>> = {}): TInvoice {
  return ZInvoice.parse({
    externalInvoiceId: 'INV-2026-0042',
    issuedOn: '2026-01-15',
    dueOn: '2026-02-14',
    lines: [
      { serviceDate: '2026-01-05', description: 'Psychotherapy, 53 min', serviceCode: '90837', amountCents: 18000 },
      {
        serviceDate: '2026-01-12',
        description: 'Family psychotherapy, 50 min',
        serviceCode: '90847',
        amountCents: 105450,
      },
      { serviceDate: '2026-01-13', description: 'Late cancellation fee', serviceCode: null, amountCents: 5000 },
    ],
    // 128450 in lines, 17000 paid through the portal.
    balanceCents: 111450,
    superbill: {
      providerName: 'Dr. Morgan Lee, PsyD',
      npi: '1234567893',
      taxId: '123456789',
      placeOfService: '11',
    },
    ...overrides,
  });
}

/** `count` lines of $150.00, each with a description of its own. */
function manyLines(count: number) {
  return Array.from({ length: count }, (_, index) => ({
    serviceDate: `2026-${String((index % 12) + 1).padStart(2, '0')}-${String((index % 28) + 1).padStart(2, '0')}`,
    description: `Psychotherapy session number ${index + 1}, 53 min`,
    serviceCode: '90837',
    amountCents: 15000,
  }));
}

function invoiceInput(overrides: Partial<InvoicePdfInput> = {}): InvoicePdfInput {
  return {
    practiceName: 'Riverbend Counseling',
    clientName: 'Jordan Whitfield',
    invoice: invoiceWith(),
    paidCents: 17000,
    payments: [
      {
        paidAt: '2026-01-20T15:00:00.000Z',
        amountCents: 12000,
        receiptNumber: 'R-2026-000123',
        card: 'Visa •••• 4242',
      },
      { paidAt: '2026-01-27T15:30:00.000Z', amountCents: 5000, receiptNumber: 'R-2026-000150', card: null },
    ],
    timeZone: 'America/New_York',
    ...overrides,
  };
}

function superbillInput(overrides: Partial<SuperbillPdfInput> = {}): SuperbillPdfInput {
  return {
    practiceName: 'Riverbend Counseling',
    clientName: 'Jordan Whitfield',
    dateOfBirth: '1987-04-12',
    invoice: invoiceWith(),
    paidCents: 17000,
    timeZone: 'America/New_York',
    showDiagnosisCodes: false,
    ...overrides,
  };
}

function receiptInput(overrides: Partial<ReceiptPdfInput> = {}): ReceiptPdfInput {
  return {
    practiceName: 'Riverbend Counseling',
    receiptNumber: 'R-2026-000123',
    paidAt: '2026-01-20T15:00:00.000Z',
    timeZone: 'America/New_York',
    amountCents: 123450,
    currency: 'usd',
    card: 'Visa •••• 4242',
    payerName: 'Jordan Whitfield',
    ...overrides,
  };
}

async function extract(bytes: Uint8Array): Promise<{ text: string; pages: number; pageTexts: string[] }> {
  expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
  // pdf.js may take ownership of a typed array it is given, so it gets a copy.
  const parser = new PDFParse({ data: bytes.slice() });
  try {
    const result = await parser.getText();
    return { text: result.text, pages: result.total, pageTexts: result.pages.map((page) => page.text) };
  } finally {
    await parser.destroy();
  }
}

async function metadataOf(bytes: Uint8Array): Promise<Record<string, unknown>> {
  const parser = new PDFParse({ data: bytes.slice() });
  try {
    return ((await parser.getInfo()) as { info: Record<string, unknown> }).info;
  } finally {
    await parser.destroy();
  }
}

/**
 * The demo invoice of npm start (issue 13, bug 6): $330.00 of services,
 * insurance paid $200.00, a $35.00 contractual adjustment, $95.00 left.
 */
function demoInvoice(overrides: Partial<Record<keyof TInvoice, unknown>> = {}): TInvoice {
  return invoiceWith({
    lines: [
      { serviceDate: '2026-11-03', description: 'Intake assessment, 60 min', serviceCode: '90791', amountCents: 18000 },
      { serviceDate: '2026-11-10', description: 'Psychotherapy, 53 min', serviceCode: '90837', amountCents: 15000 },
    ],
    credits: [
      { kind: 'INSURANCE_PAYMENT', description: 'Aetna payment', postedOn: '2026-11-20', amountCents: 20000 },
      { kind: 'ADJUSTMENT', description: 'Contractual adjustment', amountCents: 3500 },
    ],
    balanceCents: 9500,
    ...overrides,
  });
}

/** The amount printed after `label`, in cents, signed. */
function amountsFrom(text: string, label: string): number {
  const found = new RegExp(`${label}\\s+(-?)\\$([\\d,]+)\\.(\\d\\d)`).exec(text);
  if (!found) throw new Error(`no amount after ${label}`);
  return (found[1] ? -1 : 1) * (Number(found[2]!.replace(/,/g, '')) * 100 + Number(found[3]));
}

/** Whether the rows printed between the total and the balance take one to the other. */
function stepsAddUp(text: string, totalLabel: string, balanceLabel: string): boolean {
  const between = text.slice(text.lastIndexOf(totalLabel), text.lastIndexOf(balanceLabel));
  const steps = [...between.matchAll(/\n[^\n$]*?\s(-?)\$([\d,]+)\.(\d\d)/g)].map(
    (found) => (found[1] ? -1 : 1) * (Number(found[2]!.replace(/,/g, '')) * 100 + Number(found[3])),
  );
  const total = amountsFrom(text, totalLabel);
  return steps.length > 0 && total + steps.reduce((sum, cents) => sum + cents, 0) === amountsFrom(text, balanceLabel);
}

/** An ICD-10 code such as F41.1 or Z63.0: what a superbill must never carry. */
const ICD10 = /\b[A-TV-Z]\d{2}(?:\.\d{1,4})?\b/;

describe('invoicePdf', () => {
  it('prints the practice, the invoice, the client, every line, the total, the payments and the balance', async () => {
    const { text, pages } = await extract(await invoicePdf(invoiceInput()));

    expect(pages).toBe(1);
    expect(text).toContain('Riverbend Counseling');
    expect(text).toContain('Invoice INV-2026-0042');
    expect(text).toContain('Issued 15 January 2026');
    expect(text).toContain('Due 14 February 2026');
    expect(text).toContain('Status: Open');
    expect(text).toMatch(/Billed to\s+Jordan Whitfield/);
    expect(text).toMatch(/Service date\s+Description\s+Code\s+Units\s+Amount/);
    expect(text).toMatch(/01\/05\/2026\s+Psychotherapy, 53 min\s+90837\s+1\s+\$180\.00/);
    expect(text).toMatch(/01\/12\/2026\s+Family psychotherapy, 50 min\s+90847\s+1\s+\$1,054\.50/);
    expect(text).toMatch(/01\/13\/2026\s+Late cancellation fee\s+1\s+\$50\.00/);
    expect(text).toMatch(/Total\s+\$1,284\.50/);
    expect(text).toMatch(/Tuesday, 20 January 2026 at 10:00 AM EST\s+R-2026-000123\s+Visa •••• 4242\s+\$120\.00/);
    expect(text).toMatch(/Tuesday, 27 January 2026 at 10:30 AM EST\s+R-2026-000150\s+\$50\.00/);
    expect(text).toMatch(/Paid through the Client Portal\s+-\$170\.00/);
    expect(text).toMatch(/Balance due\s+\$1,114\.50/);
    expect(text).not.toContain('as Riverbend Counseling records it');
    expect(text).toContain('Questions about this invoice? Please contact Riverbend Counseling.');
    expect(text).toContain('Page 1 of 1');
  });

  it('prints the EHR’s balance with the rest as one line, and says why, when the EHR did not itemise it', async () => {
    const invoice = invoiceWith({ balanceCents: 40000 });
    const { text } = await extract(await invoicePdf(invoiceInput({ invoice })));
    // 1,284.50 − 170.00 − 714.50 = 400.00
    expect(text).toMatch(/Other payments and adjustments\s+-\$714\.50/);
    expect(text).toMatch(/Balance due\s+\$400\.00/);
    expect(text.replace(/\s+/g, ' ')).toContain(
      'The balance due is as Riverbend Counseling records it. A payment made in the last few days may not be reflected yet.',
    );
  });

  it('itemises insurance payments, adjustments and payments at the practice, so the total reaches the balance', async () => {
    const { text } = await extract(
      await invoicePdf(invoiceInput({ invoice: demoInvoice(), paidCents: 0, payments: [] })),
    );
    expect(amountsFrom(text, 'Total')).toBe(33000);
    expect(text).toMatch(/Insurance payments\s+-\$200\.00/);
    expect(text).toMatch(/Adjustments and write-offs\s+-\$35\.00/);
    expect(text).toMatch(/Paid through the Client Portal\s+\$0\.00/);
    expect(text).not.toContain('Other payments and adjustments');
    expect(text).not.toContain('records it');
    expect(amountsFrom(text, 'Balance due')).toBe(9500);
    expect(stepsAddUp(text, 'Total', 'Balance due')).toBe(true);
  });

  it('says so when nothing was paid through the portal', async () => {
    const invoice = invoiceWith({ balanceCents: 128450, dueOn: null });
    const { text } = await extract(await invoicePdf(invoiceInput({ invoice, paidCents: 0, payments: [] })));
    expect(text).toContain('No payments have been made through the Client Portal for this invoice.');
    expect(text).toMatch(/Paid through the Client Portal\s+\$0\.00/);
    expect(text).toMatch(/Balance due\s+\$1,284\.50/);
    expect(text).not.toContain('Due ');
  });

  it('flows 100 lines over several pages, repeating the table header and numbering the pages', async () => {
    const lines = manyLines(100);
    const invoice = invoiceWith({ lines, balanceCents: 15000 * 100 - 17000 });
    const { text, pages, pageTexts } = await extract(await invoicePdf(invoiceInput({ invoice })));

    expect(pages).toBeGreaterThan(1);
    for (const [index, page] of pageTexts.entries()) {
      expect(page).toContain(`Page ${index + 1} of ${pages}`);
      expect(page).toContain('Questions about this invoice?');
    }
    const pagesWithLines = pageTexts.filter((page) => page.includes('Psychotherapy session number'));
    for (const page of pagesWithLines) expect(page).toMatch(/Service date\s+Description\s+Code\s+Units\s+Amount/);
    for (const line of lines) expect(text).toContain(line.description);
    expect(text).toMatch(/Total\s+\$15,000\.00/);
    expect(text).toMatch(/Balance due\s+\$14,830\.00/);
  });

  it('renders a client name the standard fonts cannot draw without failing', async () => {
    const { text } = await extract(await invoicePdf(invoiceInput({ clientName: HARD_NAME })));
    expect(text).toContain('??? ? Zoë ?ukasz');
  });

  it('wraps a long description, even one unbroken word, within its column', async () => {
    const word = 'Supercalifragilistic'.repeat(7);
    const description = `Psychotherapy for crisis, first 60 minutes, ${word}`;
    const invoice = invoiceWith({
      lines: [{ serviceDate: '2026-01-05', description, serviceCode: '90839', amountCents: 25000 }],
      balanceCents: 0,
    });
    const { text } = await extract(await invoicePdf(invoiceInput({ invoice, paidCents: 25000 })));
    expect(text).toMatch(/01\/05\/2026\s+Psychotherapy for crisis, first 60 minutes,[\s\S]*\s90839\s+1\s+\$250\.00/);
    expect(text.replace(/\s+/g, '')).toContain(word);
  });

  it('names the invoice, never the client, in the metadata, and renders the same bytes twice', async () => {
    const first = await invoicePdf(invoiceInput());
    const info = await metadataOf(first);
    expect(info).toMatchObject({ Title: 'Invoice INV-2026-0042', Creator: 'Client Portal', Producer: 'Client Portal' });
    expect(JSON.stringify(info)).not.toMatch(/Jordan|Whitfield/);
    expect(Buffer.from(await invoicePdf(invoiceInput())).equals(Buffer.from(first))).toBe(true);
  });

  it('refuses amounts that are not whole cents', async () => {
    await expect(invoicePdf(invoiceInput({ paidCents: 12.5 }))).rejects.toThrow(/paidCents/);
    await expect(invoicePdf(invoiceInput({ paidCents: -1 }))).rejects.toThrow(RangeError);
  });
});

describe('superbillPdf', () => {
  it('prints what an insurer needs: provider, NPI, tax id, place of service, patient, and each service with its CPT code', async () => {
    const { text, pages } = await extract(await superbillPdf(superbillInput()));

    expect(pages).toBe(1);
    expect(text).toContain('Riverbend Counseling');
    expect(text).toContain('Superbill');
    expect(text).toContain('Invoice INV-2026-0042');
    expect(text).toMatch(/Rendering provider\s+Dr\. Morgan Lee, PsyD/);
    expect(text).toMatch(/NPI\s+1234567893/);
    expect(text).toMatch(/Tax ID\s+12-3456789/);
    expect(text).toMatch(/Place of service\s+11 \(Office\)/);
    expect(text).toMatch(/Name\s+Jordan Whitfield/);
    expect(text).toMatch(/Date of birth\s+04\/12\/1987/);
    expect(text).toMatch(/Date of service\s+CPT code\s+Description\s+Units\s+Fee/);
    expect(text).toMatch(/01\/05\/2026\s+90837\s+Psychotherapy, 53 min\s+1\s+\$180\.00/);
    expect(text).toMatch(/01\/12\/2026\s+90847\s+Family psychotherapy, 50 min\s+1\s+\$1,054\.50/);
    expect(text).toMatch(/01\/13\/2026\s+—\s+Late cancellation fee\s+1\s+\$50\.00/);
    expect(text).toMatch(/Total charges\s+\$1,284\.50/);
    expect(text).toMatch(/Paid through the Client Portal\s+-\$170\.00/);
    expect(text).toMatch(/Balance\s+\$1,114\.50/);
    expect(text).toContain('Page 1 of 1');
  });

  it('adds up: total − insurance − adjustments − paid = balance, each on its own line (the demo invoice)', async () => {
    const { text } = await extract(await superbillPdf(superbillInput({ invoice: demoInvoice(), paidCents: 0 })));
    expect(text).toMatch(/Total charges\s+\$330\.00/);
    expect(text).toMatch(/Insurance payments\s+-\$200\.00/);
    expect(text).toMatch(/Adjustments and write-offs\s+-\$35\.00/);
    expect(text).toMatch(/Paid through the Client Portal\s+\$0\.00/);
    expect(text).toMatch(/Balance\s+\$95\.00/);
    const total = amountsFrom(text, 'Total charges');
    const insurance = amountsFrom(text, 'Insurance payments');
    const adjustments = amountsFrom(text, 'Adjustments and write-offs');
    const paid = amountsFrom(text, 'Paid through the Client Portal');
    expect(total + insurance + adjustments + paid).toBe(amountsFrom(text, 'Balance'));
    expect(stepsAddUp(text, 'Total charges', 'Balance')).toBe(true);
  });

  it('adds up with a payment at the front desk and one through the portal', async () => {
    const invoice = demoInvoice({
      credits: [
        { kind: 'INSURANCE_PAYMENT', amountCents: 20000 },
        { kind: 'ADJUSTMENT', amountCents: 3500 },
        { kind: 'CLIENT_PAYMENT', description: 'Copay at the front desk', amountCents: 2500 },
      ],
      balanceCents: 4000,
    });
    const { text } = await extract(await superbillPdf(superbillInput({ invoice, paidCents: 3000 })));
    expect(text).toMatch(/Paid at the practice\s+-\$25\.00/);
    expect(text).toMatch(/Paid through the Client Portal\s+-\$30\.00/);
    expect(text).not.toContain('Other payments and adjustments');
    expect(stepsAddUp(text, 'Total charges', 'Balance')).toBe(true);
  });

  it('still adds up when the EHR sent a balance without itemising it', async () => {
    const invoice = demoInvoice({ credits: [] });
    const { text } = await extract(await superbillPdf(superbillInput({ invoice, paidCents: 0 })));
    expect(text).toMatch(/Other payments and adjustments\s+-\$235\.00/);
    expect(stepsAddUp(text, 'Total charges', 'Balance')).toBe(true);
  });

  it('carries no diagnosis when the practice has not chosen to print them, only where to ask for one', async () => {
    const invoice = demoInvoice({ diagnosisCodes: ['F41.1', 'Z63.0'] });
    const { text } = await extract(await superbillPdf(superbillInput({ invoice, showDiagnosisCodes: false })));
    expect(text).toContain('Diagnosis codes are available from your practice on request.');
    expect(text.match(/diagnos/gi)).toHaveLength(1);
    expect(text).not.toMatch(ICD10);
    expect(text).not.toMatch(/ICD/);
  });

  it('prints the EHR’s ICD-10 codes when the practice turned superbillDiagnosisCodes on', async () => {
    const invoice = demoInvoice({ diagnosisCodes: ['F41.1', 'Z63.0'] });
    const { text } = await extract(await superbillPdf(superbillInput({ invoice, showDiagnosisCodes: true })));
    expect(text).toMatch(/ICD-10 codes\s+F41\.1, Z63\.0/);
    expect(text).not.toContain('on request');
    // On, but the EHR sent none: the client is told where to ask.
    const without = await extract(
      await superbillPdf(superbillInput({ invoice: demoInvoice(), showDiagnosisCodes: true })),
    );
    expect(without.text).toContain('Diagnosis codes are available from your practice on request.');
    expect(without.text).not.toMatch(/ICD/);
  });

  it('refuses credits that take the total below the balance, and codes that are not ICD-10', () => {
    expect(() => demoInvoice({ credits: [{ kind: 'INSURANCE_PAYMENT', amountCents: 30000 }] })).toThrow(/credits/);
    expect(() => demoInvoice({ credits: [{ kind: 'REFUND', amountCents: 100 }] })).toThrow(/kind/);
    expect(() => demoInvoice({ diagnosisCodes: ['anxiety'] })).toThrow(/ICD-10/);
    expect(demoInvoice({ diagnosisCodes: [' F32.A '] }).diagnosisCodes).toEqual(['F32.A']);
  });

  it('leaves out the tax id and place of service when the EHR sent none', async () => {
    const invoice = invoiceWith({ superbill: { providerName: 'Dr. Morgan Lee, PsyD', npi: '1234567893' } });
    const { text } = await extract(await superbillPdf(superbillInput({ invoice })));
    expect(text).toMatch(/NPI\s+1234567893/);
    expect(text).not.toContain('Tax ID');
    expect(text).not.toContain('Place of service');
  });

  it('refuses an invoice without superbill details', async () => {
    await expect(superbillPdf(superbillInput({ invoice: invoiceWith({ superbill: null }) }))).rejects.toThrow(
      'invoice INV-2026-0042 has no superbill details',
    );
    await expect(superbillPdf(superbillInput({ invoice: invoiceWith({ superbill: undefined }) }))).rejects.toThrow(
      /no superbill details/,
    );
  });

  it('refuses a date of birth that is not a calendar date', async () => {
    await expect(superbillPdf(superbillInput({ dateOfBirth: '1987-02-30' }))).rejects.toThrow(/dateOfBirth/);
    await expect(superbillPdf(superbillInput({ dateOfBirth: '04/12/1987' }))).rejects.toThrow(RangeError);
  });

  it('flows 100 lines over several pages with every CPT code and the totals', async () => {
    const invoice = invoiceWith({ lines: manyLines(100), balanceCents: 0 });
    const { text, pages, pageTexts } = await extract(
      await superbillPdf(superbillInput({ invoice, paidCents: 15000 * 100 })),
    );
    expect(pages).toBeGreaterThan(1);
    expect(text.match(/90837/g)).toHaveLength(100);
    expect(pageTexts.at(-1)).toContain('Diagnosis codes are available from your practice on request.');
    expect(text).toMatch(/Total charges\s+\$15,000\.00/);
    expect(text).toContain(`Page ${pages} of ${pages}`);
  });

  it('renders a client name the standard fonts cannot draw without failing', async () => {
    const { text } = await extract(await superbillPdf(superbillInput({ clientName: HARD_NAME })));
    expect(text).toMatch(/Name\s+\?\?\? \? Zoë \?ukasz/);
  });

  it('names the invoice, never the client, in the metadata', async () => {
    const info = await metadataOf(await superbillPdf(superbillInput()));
    expect(info).toMatchObject({ Title: 'Superbill for invoice INV-2026-0042' });
    expect(JSON.stringify(info)).not.toMatch(/Jordan|Whitfield|1987/);
  });
});

describe('receiptPdf', () => {
  it('prints one page with the amount, the date, the receipt number, the payer and the card', async () => {
    const { text, pages } = await extract(await receiptPdf(receiptInput()));

    expect(pages).toBe(1);
    expect(text).toContain('Riverbend Counseling');
    expect(text).toContain('Payment receipt');
    expect(text).toContain('Receipt R-2026-000123');
    expect(text).toMatch(/Amount paid\s+\$1,234\.50/);
    expect(text).toMatch(/Date\s+Tuesday, 20 January 2026 at 10:00 AM EST/);
    expect(text).toMatch(/Paid by\s+Jordan Whitfield/);
    expect(text).toMatch(/Paid to\s+Riverbend Counseling/);
    expect(text).toMatch(/Payment method\s+Visa •••• 4242/);
    expect(text).toContain('Page 1 of 1');
  });

  it('prints the time in the practice’s time zone and leaves out an unknown card', async () => {
    const { text } = await extract(await receiptPdf(receiptInput({ timeZone: 'Asia/Tokyo', card: null })));
    expect(text).toMatch(/Date\s+Wednesday, 21 January 2026 at 12:00 AM GMT\+9/);
    expect(text).not.toContain('Payment method');
  });

  it('renders a payer name the standard fonts cannot draw without failing', async () => {
    const { text, pages } = await extract(await receiptPdf(receiptInput({ payerName: HARD_NAME })));
    expect(pages).toBe(1);
    expect(text).toMatch(/Paid by\s+\?\?\? \? Zoë \?ukasz/);
  });

  it('names the receipt, never the payer, in the metadata, dated when it was paid', async () => {
    const info = await metadataOf(await receiptPdf(receiptInput()));
    expect(info).toMatchObject({ Title: 'Receipt R-2026-000123', CreationDate: 'D:20260120150000Z' });
    expect(JSON.stringify(info)).not.toMatch(/Jordan|Whitfield/);
  });

  it('refuses a payment time that is not a date and an amount that is not whole cents', async () => {
    await expect(receiptPdf(receiptInput({ paidAt: 'yesterday' }))).rejects.toThrow(/paidAt/);
    await expect(receiptPdf(receiptInput({ amountCents: 45.5 }))).rejects.toThrow(/amountCents/);
  });
});
