/**
 * An invoice as the client downloads it from My Account (seed 002): the
 * services the EHR billed, what insurance, adjustments and payments took
 * off them (through the portal or not) and what is still due. Services are named as the practice bills them; nothing
 * clinical (no diagnosis) is on an invoice.
 */
import { formatMoney } from '../domain/money';
import { invoiceSummary, invoiceTotalCents, type TInvoice } from '../domain/billing';
import { formatDateTime } from '../emails/format';
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

export interface InvoicePaymentEntry {
  /** ISO 8601 date-time of the payment. */
  paidAt: string;
  amountCents: number;
  receiptNumber: string;
  /** As the client knows the card, e.g. "Visa •••• 4242" (emails/payment-receipt.ts formatCard); null when unknown. */
  card: string | null;
}

export interface InvoicePdfInput {
  practiceName: string;
  /** Whom the invoice is addressed to: the client, as the practice knows them. */
  clientName: string;
  /** Already parsed with ZInvoice. */
  invoice: TInvoice;
  /** What was paid against it through the portal. */
  paidCents: number;
  /** The portal payments applied to it, in the order to print them. */
  payments: InvoicePaymentEntry[];
  /** IANA zone of the practice, to print payment times in. */
  timeZone: string;
}

const STATUS_LABELS: Record<TInvoice['status'], string> = { OPEN: 'Open', PAID: 'Paid', VOID: 'Void' };

// Service date | Description | Code | Units | Amount: 504 points, the width between the margins.
const LINE_COLUMNS: Column[] = [
  { width: 72 },
  { width: 250 },
  { width: 62 },
  { width: 40, align: 'right' },
  { width: 80, align: 'right' },
];
// Date | Receipt | Card | Amount.
const PAYMENT_COLUMNS: Column[] = [{ width: 196 }, { width: 110 }, { width: 118 }, { width: 80, align: 'right' }];
// An empty cell under the table, then label and amount aligned with the amount column.
const SUMMARY_COLUMNS: Column[] = [
  { width: CONTENT_WIDTH - 240 },
  { width: 160, align: 'right' },
  { width: 80, align: 'right' },
];
// The empty first column only moves the label under the amounts; the label heads its row.
const TOTAL_ROW: RowOptions = { cells: [null, 'TH', 'TD'] };

/** The invoice as a PDF: header, the lines, the total, portal payments and the balance due. */
export async function invoicePdf(input: InvoicePdfInput): Promise<Uint8Array> {
  const { invoice, payments, timeZone } = input;
  const money = (cents: number) => formatMoney(cents, invoice.currency);
  assertCents(input.paidCents, 'paidCents');
  payments.forEach((payment, index) => assertCents(payment.amountCents, `payments.${index}.amountCents`));
  const total = invoiceTotalCents(invoice.lines);

  const issuedAt = calendarDateAsInstant(invoice.issuedOn, 'invoice.issuedOn');
  const lastPaidAt = payments
    .map((payment) => new Date(payment.paidAt))
    .reduce<Date>((latest, paidAt) => (paidAt > latest ? paidAt : latest), issuedAt);
  // The invoice's number only: metadata is shown by file browsers, so no client name goes there.
  const { doc, regular, bold } = await createPdf({
    title: `Invoice ${invoice.externalInvoiceId}`,
    author: input.practiceName,
    subject: 'Invoice',
    createdAt: issuedAt,
    modifiedAt: lastPaidAt,
  });
  const out = new PdfWriter(doc);
  const body = { font: regular, size: 9.5 };
  const tableStyles = { header: { font: bold, size: 9, color: GREY }, body };

  out.text(input.practiceName, { font: bold, size: 12 });
  out.space(4).text(`Invoice ${invoice.externalInvoiceId}`, { font: bold, size: 18 }, { role: 'H1' });
  const dates = [`Issued ${formatCalendarDate(invoice.issuedOn)}`];
  if (invoice.dueOn) dates.push(`Due ${formatCalendarDate(invoice.dueOn, 'invoice.dueOn')}`);
  dates.push(`Status: ${STATUS_LABELS[invoice.status]}`);
  out.text(dates.join('   ·   '), { font: regular, size: 10, color: GREY });
  out.space(12).text('Billed to', { font: bold, size: 9, color: GREY });
  out.text(input.clientName, { font: regular, size: 11 });
  out.space(12).rule();

  out.space(12).text('Services', { font: bold, size: 12 }, { role: 'H2' }).space(4);
  out.table(
    LINE_COLUMNS,
    ['Service date', 'Description', 'Code', 'Units', 'Amount'],
    invoice.lines.map((line) => [
      formatShortDate(line.serviceDate),
      line.description,
      line.serviceCode ?? '',
      String(line.units),
      money(line.amountCents),
    ]),
    tableStyles,
  );
  // The closing rule stays on the page of the total under it.
  out.space(2).keep(22).rule().space(3);
  out.group('Table', () => out.row(['', 'Total', money(total)], SUMMARY_COLUMNS, { font: bold, size: 10 }, TOTAL_ROW));

  out.space(18).keep(60);
  out.text('Payments through the Client Portal', { font: bold, size: 12 }, { role: 'H2' }).space(4);
  if (payments.length === 0) {
    out.text('No payments have been made through the Client Portal for this invoice.', body);
  } else {
    out.table(
      PAYMENT_COLUMNS,
      ['Date', 'Receipt', 'Card', 'Amount'],
      payments.map((payment) => [
        formatDateTime(payment.paidAt, timeZone),
        payment.receiptNumber,
        payment.card ?? '',
        money(payment.amountCents),
      ]),
      tableStyles,
    );
    out.space(2).keep(20).rule().space(3);
  }
  // From the total to the balance, on one page: insurance, adjustments and payments as the EHR itemised them.
  const summary = invoiceSummary(invoice, input.paidCents);
  const steps = creditRows(summary, invoice.currency);
  out
    .space(18)
    .keep(70 + 15 * steps.length)
    .text('Summary', { font: bold, size: 12 }, { role: 'H2' })
    .space(4);
  out.group('Table', () => {
    out.row(['', 'Total', money(total)], SUMMARY_COLUMNS, body, TOTAL_ROW);
    for (const [name, amount] of steps) out.row(['', name, amount], SUMMARY_COLUMNS, body, TOTAL_ROW);
    out.space(6).rule().space(6);
    out.row(['', 'Balance due', money(invoice.balanceCents)], SUMMARY_COLUMNS, { font: bold, size: 12 }, TOTAL_ROW);
  });
  if (summary.otherCents !== 0) {
    out
      .space(6)
      .text(
        `The balance due is as ${input.practiceName} records it. A payment made in the last few days ` +
          'may not be reflected yet.',
        { font: regular, size: 8.5, color: GREY },
      );
  }

  out.footers(regular, `Questions about this invoice? Please contact ${input.practiceName}.`);
  return out.save();
}
