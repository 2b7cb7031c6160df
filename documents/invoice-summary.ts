/**
 * The rows between an invoice's total and its balance, shared by the invoice
 * and the superbill so both add up the same way (issue 13, bug 6: a total of
 * $330.00 and a balance of $95.00 with nothing between them).
 */
import type { InvoiceSummary } from '../domain/billing';
import { formatMoney } from '../domain/money';

/**
 * [label, amount] of each step from the total to the balance, amounts taken
 * off printed with a minus. Steps of zero are left out, except portal
 * payments: "$0.00 paid through the portal" is worth saying.
 */
export function creditRows(summary: InvoiceSummary, currency: string): [string, string][] {
  const rows: [string, number][] = [];
  const unlessZero = (label: string, cents: number) => {
    if (cents !== 0) rows.push([label, cents]);
  };
  unlessZero('Insurance payments', summary.insuranceCents);
  unlessZero('Adjustments and write-offs', summary.adjustmentCents);
  unlessZero('Paid at the practice', summary.clientPaidElsewhereCents);
  rows.push(['Paid through the Client Portal', summary.portalPaidCents]);
  // What the practice's balance reflects but its EHR did not itemise: shown, so the column still adds up.
  unlessZero('Other payments and adjustments', summary.otherCents);
  return rows.map(([label, cents]) => [label, cents === 0 ? formatMoney(0, currency) : formatMoney(-cents, currency)]);
}
