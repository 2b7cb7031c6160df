import type { Prisma } from '../generated/prisma/client';

/** A type, not an interface, so it is assignable to the payment row's JSON column. */
export type InvoiceAllocation = {
  invoiceId: string;
  externalInvoiceId: string;
  amountCents: number;
};

/**
 * Applies a portal payment to the client's open invoices, oldest first, inside
 * the transaction that records it (the rows are locked, so two payments
 * cannot both pay the same balance). An invoice brought to zero is PAID.
 */
export async function payDownOpenInvoices(
  tx: Prisma.TransactionClient,
  clientId: string,
  amountCents: number,
): Promise<InvoiceAllocation[]> {
  let remaining = amountCents;
  const allocations: InvoiceAllocation[] = [];
  const open = await tx.$queryRaw<{ id: string; external_invoice_id: string; balance_cents: number }[]>`
    SELECT id, external_invoice_id, balance_cents FROM invoice
    WHERE client_id = ${clientId}::uuid AND status = 'OPEN' AND balance_cents > 0
    ORDER BY issued_on, created_at FOR UPDATE`;
  for (const invoice of open) {
    if (remaining <= 0) break;
    const applied = Math.min(remaining, invoice.balance_cents);
    remaining -= applied;
    const balance = invoice.balance_cents - applied;
    await tx.invoice.update({
      where: { id: invoice.id },
      data: { balanceCents: balance, ...(balance === 0 ? { status: 'PAID' as const } : {}) },
    });
    allocations.push({ invoiceId: invoice.id, externalInvoiceId: invoice.external_invoice_id, amountCents: applied });
  }
  return allocations;
}
