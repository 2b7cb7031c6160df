/**
 * A superbill: the itemised statement a client sends their insurer to be
 * reimbursed for out-of-network care. It carries what a claim needs about
 * the provider (name, NPI, tax id, place of service) and each service (date,
 * CPT code, units, fee), and what took the total to the balance. Diagnosis
 * codes only when the practice chose to print them (its
 * superbillDiagnosisCodes setting): clients never see clinical information in
 * the portal by default (seed 003), so otherwise the practice gives them on request.
 */
import { invoiceSummary, type TInvoice } from '../domain/billing';
import { formatMoney } from '../domain/money';
import { creditRows } from './invoice-summary';
import {
  assertCents,
  calendarDateAsInstant,
  type Column,
  CONTENT_WIDTH,
  createPdf,
  formatCalendarDate,
  formatShortDate,
  GREY,
  PdfWriter,
  type RowOptions,
} from './pdf-text';

export interface SuperbillPdfInput {
  practiceName: string;
  /** The client, as the insurer knows them. */
  clientName: string;
  /** YYYY-MM-DD: insurers match the claim to the member by name and date of birth. */
  dateOfBirth: string;
  /** Already parsed with ZInvoice; its `superbill` must be set. */
  invoice: TInvoice;
  /** What the client paid against it through the portal. */
  paidCents: number;
  /** IANA zone of the practice (kept for symmetry with the invoice; superbill dates are calendar dates). */
  timeZone: string;
  /** The practice's superbillDiagnosisCodes setting: print the invoice's ICD-10 codes. */
  showDiagnosisCodes: boolean;
}

/** The place-of-service codes a behavioural-health practice uses, as CMS names them. */
const PLACES_OF_SERVICE: Record<string, string> = {
  '02': 'Telehealth provided other than in patient’s home',
  '03': 'School',
  '10': 'Telehealth provided in patient’s home',
  '11': 'Office',
  '12': 'Home',
  '22': 'On campus-outpatient hospital',
  '53': 'Community mental health center',
  '99': 'Other place of service',
};

export const DIAGNOSIS_ON_REQUEST = 'Diagnosis codes are available from your practice on request.';

// Date of service | CPT code | Description | Units | Fee.
const LINE_COLUMNS: Column[] = [
  { width: 84 },
  { width: 64 },
  { width: 236 },
  { width: 40, align: 'right' },
  { width: 80, align: 'right' },
];
const DETAIL_COLUMNS: Column[] = [{ width: 130 }, { width: CONTENT_WIDTH - 130 }];
const SUMMARY_COLUMNS: Column[] = [
  { width: CONTENT_WIDTH - 240 },
  { width: 160, align: 'right' },
  { width: 80, align: 'right' },
];
// A label and its value: the label heads its row.
const DETAIL_ROW: RowOptions = { cells: ['TH', 'TD'] };
// The empty first column only moves the label under the fees.
const TOTAL_ROW: RowOptions = { cells: [null, 'TH', 'TD'] };

/** The superbill of an invoice as a PDF. Throws when the EHR sent no superbill details for it. */
export async function superbillPdf(input: SuperbillPdfInput): Promise<Uint8Array> {
  const { invoice } = input;
  const provider = invoice.superbill;
  if (!provider) throw new Error(`invoice ${invoice.externalInvoiceId} has no superbill details`);
  assertCents(input.paidCents, 'paidCents');
  const dateOfBirth = formatShortDate(input.dateOfBirth, 'dateOfBirth');
  const money = (cents: number) => formatMoney(cents, invoice.currency);

  // The invoice's number only: metadata is shown by file browsers, so no client name goes there.
  const { doc, regular, bold } = await createPdf({
    title: `Superbill for invoice ${invoice.externalInvoiceId}`,
    author: input.practiceName,
    subject: 'Superbill',
    createdAt: calendarDateAsInstant(invoice.issuedOn, 'invoice.issuedOn'),
  });
  const out = new PdfWriter(doc);
  const body = { font: regular, size: 9.5 };
  const label = { font: bold, size: 9.5, color: GREY };
  const details = (rows: [string, string][]) => {
    out.group('Table', () => {
      for (const row of rows) out.row(row, DETAIL_COLUMNS, [label, body], DETAIL_ROW);
    });
  };

  out.text(input.practiceName, { font: bold, size: 12 });
  out.space(4).text('Superbill', { font: bold, size: 18 }, { role: 'H1' });
  out.text('Statement of services for insurance reimbursement', { font: regular, size: 10, color: GREY });
  out.text(`Invoice ${invoice.externalInvoiceId}   ·   Issued ${formatCalendarDate(invoice.issuedOn)}`, {
    font: regular,
    size: 10,
    color: GREY,
  });
  out.space(10).rule();

  out.space(12).text('Provider', { font: bold, size: 12 }, { role: 'H2' }).space(4);
  const providerRows: [string, string][] = [
    ['Rendering provider', provider.providerName],
    ['Practice', input.practiceName],
    ['NPI', provider.npi],
  ];
  if (provider.taxId) providerRows.push(['Tax ID', formatTaxId(provider.taxId)]);
  if (provider.placeOfService) providerRows.push(['Place of service', placeOfService(provider.placeOfService)]);
  details(providerRows);

  out.space(12).text('Patient', { font: bold, size: 12 }, { role: 'H2' }).space(4);
  details([
    ['Name', input.clientName],
    ['Date of birth', dateOfBirth],
  ]);
  const diagnosisCodes = input.showDiagnosisCodes ? invoice.diagnosisCodes : [];
  if (diagnosisCodes.length > 0) {
    out.space(12).text('Diagnosis', { font: bold, size: 12 }, { role: 'H2' }).space(4);
    details([['ICD-10 codes', diagnosisCodes.join(', ')]]);
  }
  out.space(10).rule();

  out.space(12).text('Services', { font: bold, size: 12 }, { role: 'H2' }).space(4);
  out.table(
    LINE_COLUMNS,
    ['Date of service', 'CPT code', 'Description', 'Units', 'Fee'],
    invoice.lines.map((line) => [
      formatShortDate(line.serviceDate),
      line.serviceCode ?? '—',
      line.description,
      String(line.units),
      money(line.amountCents),
    ]),
    { header: { font: bold, size: 9, color: GREY }, body },
  );
  // Total, each step to the balance, and the balance: kept on one page with the rule above them.
  const summary = invoiceSummary(invoice, input.paidCents);
  const steps = creditRows(summary, invoice.currency);
  out
    .space(2)
    .keep(30 + 15 * steps.length)
    .rule()
    .space(3);
  out.group('Table', () => {
    const totals = { font: bold, size: 10 };
    out.row(['', 'Total charges', money(summary.totalCents)], SUMMARY_COLUMNS, totals, TOTAL_ROW);
    for (const [name, amount] of steps) out.row(['', name, amount], SUMMARY_COLUMNS, body, TOTAL_ROW);
    out.row(['', 'Balance', money(summary.balanceCents)], SUMMARY_COLUMNS, totals, TOTAL_ROW);
  });

  out.space(18).keep(60);
  if (diagnosisCodes.length === 0) out.text(DIAGNOSIS_ON_REQUEST, { font: bold, size: 10 }).space(4);
  out.text(
    'To ask for reimbursement, send this statement to your insurance company with their claim form. ' +
      'Whether and how much they reimburse depends on your plan.',
    { font: regular, size: 9.5 },
  );

  out.footers(regular, `Superbill issued by ${input.practiceName}.`);
  return out.save();
}

/** "12-3456789", the way an EIN is written, whether or not the EHR sent the hyphen. */
function formatTaxId(taxId: string): string {
  const digits = taxId.replace(/\D/g, '');
  return `${digits.slice(0, 2)}-${digits.slice(2)}`;
}

/** "11 (Office)", or the bare code when it is not one this list names. */
function placeOfService(code: string): string {
  const name = PLACES_OF_SERVICE[code];
  return name ? `${code} (${name})` : code;
}
