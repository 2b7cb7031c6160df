import type { Db } from '../../db/client';
import { AppError } from '../app-error';
import { accessibleOnboarding } from '../client-access-policy';
import type { TOnboardingPaymentsResponse } from '../../schemas/onboarding-payments';
import type { StaffPrincipal } from '../staff-principal';

/** A client's billing is their PHI too: ops, who never see names or answers, do not see it either. */
export function assertMayReadBilling(staff: StaffPrincipal): void {
  if (staff.role === 'OPS') {
    throw new AppError('FORBIDDEN', 'ops do not read billing', {
      publicMessage: 'Operations staff do not read clients’ billing.',
    });
  }
}

/** The client's account for staff (admins, the assigned clinician), by onboarding. */
export async function listOnboardingPayments(
  db: Db,
  staff: StaffPrincipal,
  onboardingId: string,
): Promise<TOnboardingPaymentsResponse> {
  assertMayReadBilling(staff);
  const onboarding = await accessibleOnboarding(db, staff, onboardingId, { externalChartId: true, clientId: true });
  const clientId = onboarding.clientId;
  if (!clientId) {
    return {
      onboardingId,
      externalChartId: onboarding.externalChartId,
      balanceCents: 0,
      invoices: [],
      payments: [],
      requests: [],
      cardsOnFile: 0,
    };
  }
  const [invoices, payments, requests, cardsOnFile] = await Promise.all([
    db.invoice.findMany({ where: { clientId }, orderBy: [{ issuedOn: 'desc' }, { createdAt: 'desc' }] }),
    db.payment.findMany({
      where: { clientId },
      orderBy: { paidAt: 'desc' },
      include: { paymentRequest: { select: { kind: true } } },
    }),
    db.paymentRequest.findMany({
      where: { clientId, status: { not: 'SUCCEEDED' } },
      orderBy: { createdAt: 'desc' },
      take: 20,
    }),
    db.paymentCard.count({ where: { clientId, removedAt: null } }),
  ]);
  return {
    onboardingId,
    externalChartId: onboarding.externalChartId,
    balanceCents: invoices
      .filter((invoice) => invoice.status === 'OPEN')
      .reduce((sum, invoice) => sum + invoice.balanceCents, 0),
    invoices: invoices.map((invoice) => ({
      invoiceId: invoice.id,
      externalInvoiceId: invoice.externalInvoiceId,
      issuedOn: invoice.issuedOn.toISOString().slice(0, 10),
      totalCents: invoice.totalCents,
      balanceCents: invoice.balanceCents,
      status: invoice.status,
    })),
    payments: payments.map((payment) => ({
      paymentRequestId: payment.paymentRequestId,
      receiptNumber: payment.receiptNumber,
      kind: payment.paymentRequest.kind,
      amountCents: payment.amountCents,
      paidAt: payment.paidAt.toISOString(),
      card: payment.cardLast4 ? { brand: payment.cardBrand ?? 'card', last4: payment.cardLast4 } : null,
      externalInvoiceIds: (payment.allocations as { externalInvoiceId: string }[]).map(
        (entry) => entry.externalInvoiceId,
      ),
    })),
    requests: requests.map((request) => ({
      paymentRequestId: request.id,
      kind: request.kind,
      status: request.status,
      amountCents: request.amountCents,
      createdAt: request.createdAt.toISOString(),
      failureReason: request.failureReason,
    })),
    cardsOnFile,
  };
}
