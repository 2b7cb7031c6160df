/**
 * The printable receipt of one portal payment: who paid whom, how much,
 * when and with which card (brand and last four digits only). About money
 * only: no service, appointment or anything clinical is on it.
 */
import { formatMoney } from '../domain/money';
import { formatDateTime } from '../emails/format';
import { assertCents, type Column, CONTENT_WIDTH, createPdf, GREY, PdfWriter, type RowOptions } from './pdf-text';

export interface ReceiptPdfInput {
  practiceName: string;
  /** e.g. "R-2026-000123". */
  receiptNumber: string;
  /** ISO 8601 date-time of the payment. */
  paidAt: string;
  /** IANA zone of the practice, to print paidAt in. */
  timeZone: string;
  amountCents: number;
  currency: string;
  /** As the client knows the card, e.g. "Visa •••• 4242" (emails/payment-receipt.ts formatCard); null when unknown. */
  card: string | null;
  /** The portal user who paid: the client, or the guardian who pays for them. */
  payerName: string;
}

const DETAIL_COLUMNS: Column[] = [{ width: 140 }, { width: CONTENT_WIDTH - 140 }];
// A label and its value: the label heads its row.
const DETAIL_ROW: RowOptions = { cells: ['TH', 'TD'] };

/** A one-page receipt for a payment. */
export async function receiptPdf(input: ReceiptPdfInput): Promise<Uint8Array> {
  assertCents(input.amountCents, 'amountCents');
  const paidAt = new Date(input.paidAt);
  if (Number.isNaN(paidAt.getTime())) throw new RangeError('paidAt must be an ISO 8601 date-time');
  const amount = formatMoney(input.amountCents, input.currency);

  // The receipt's number only: metadata is shown by file browsers, so the payer's name stays out of it.
  const { doc, regular, bold } = await createPdf({
    title: `Receipt ${input.receiptNumber}`,
    author: input.practiceName,
    subject: 'Payment receipt',
    createdAt: paidAt,
  });
  const out = new PdfWriter(doc);
  const label = { font: bold, size: 10.5, color: GREY };
  const value = { font: regular, size: 10.5 };

  out.text(input.practiceName, { font: bold, size: 12 });
  out.space(4).text('Payment receipt', { font: bold, size: 18 }, { role: 'H1' });
  out.text(`Receipt ${input.receiptNumber}`, { font: regular, size: 10, color: GREY });
  out.space(10).rule().space(10);

  const rows: [string, string][] = [
    ['Date', formatDateTime(input.paidAt, input.timeZone)],
    ['Paid by', input.payerName],
    ['Paid to', input.practiceName],
  ];
  if (input.card) rows.push(['Payment method', input.card]);
  out.group('Table', () => {
    out.row(['Amount paid', amount], DETAIL_COLUMNS, [label, { font: bold, size: 14 }], DETAIL_ROW).space(4);
    for (const row of rows) out.row(row, DETAIL_COLUMNS, [label, value], DETAIL_ROW).space(4);
  });

  out.space(6).rule().space(10);
  out.text(`Thank you for your payment. Please keep this receipt for your records.`, value);
  out.space(4).text(`Questions about a payment? Please contact ${input.practiceName} and quote the receipt number.`, {
    font: regular,
    size: 9.5,
    color: GREY,
  });

  out.footers(regular, `Receipt ${input.receiptNumber} from ${input.practiceName}`);
  return out.save();
}
