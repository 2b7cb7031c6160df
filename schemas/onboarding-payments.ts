import { z } from 'zod';

/**
 * A client's account as staff and the EHR reconcile it: invoices with what is
 * still owed, portal payments with the invoices they paid, payments still
 * open, the onboarding's payment step. Ids, amounts and dates only.
 */
export const ZOnboardingPaymentsResponse = z.object({
  onboardingId: z.uuid(),
  externalChartId: z.string(),
  /** What the client owes, in cents: the open invoices' balances. */
  balanceCents: z.int(),
  invoices: z.array(
    z.object({
      invoiceId: z.uuid(),
      externalInvoiceId: z.string(),
      issuedOn: z.iso.date(),
      totalCents: z.int(),
      balanceCents: z.int(),
      status: z.enum(['OPEN', 'PAID', 'VOID']),
    }),
  ),
  payments: z.array(
    z.object({
      paymentRequestId: z.uuid(),
      receiptNumber: z.string(),
      kind: z.enum(['BALANCE', 'DEPOSIT', 'CARD_SETUP']),
      amountCents: z.int(),
      paidAt: z.iso.datetime(),
      card: z.object({ brand: z.string(), last4: z.string() }).nullable(),
      /** The EHR's ids of the invoices it paid down; empty for a deposit (a credit the EHR applies). */
      externalInvoiceIds: z.array(z.string()),
    }),
  ),
  /** Payments started and not finished, and the last ones that did not go through. */
  requests: z.array(
    z.object({
      paymentRequestId: z.uuid(),
      kind: z.enum(['BALANCE', 'DEPOSIT', 'CARD_SETUP']),
      status: z.enum(['PENDING', 'AWAITING_PAYMENT', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'ABANDONED']),
      amountCents: z.int(),
      createdAt: z.iso.datetime(),
      failureReason: z.string().nullable(),
    }),
  ),
  cardsOnFile: z.int(),
});
export type TOnboardingPaymentsResponse = z.infer<typeof ZOnboardingPaymentsResponse>;
