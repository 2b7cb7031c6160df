import type { Db } from '../../db/client';

export interface ClientBilling {
  balanceCents: number;
  openInvoices: number;
  payments: { receiptNumber: string; amountCents: number; paidAt: Date; kind: string }[];
  cardsOnFile: number;
}

/** What staff see of a client's account on the dashboard: balance, recent portal payments, cards on file (a count). */
export async function clientBilling(db: Db, clientId: string): Promise<ClientBilling> {
  const [open, payments, cardsOnFile] = await Promise.all([
    db.invoice.aggregate({ where: { clientId, status: 'OPEN' }, _sum: { balanceCents: true }, _count: true }),
    db.payment.findMany({
      where: { clientId },
      orderBy: { paidAt: 'desc' },
      take: 10,
      select: { receiptNumber: true, amountCents: true, paidAt: true, paymentRequest: { select: { kind: true } } },
    }),
    db.paymentCard.count({ where: { clientId, removedAt: null } }),
  ]);
  return {
    balanceCents: open._sum.balanceCents ?? 0,
    openInvoices: open._count,
    payments: payments.map((payment) => ({
      receiptNumber: payment.receiptNumber,
      amountCents: payment.amountCents,
      paidAt: payment.paidAt,
      kind: payment.paymentRequest.kind,
    })),
    cardsOnFile,
  };
}
