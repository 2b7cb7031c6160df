/**
 * The payment workflow's steps (workflows/payment.ts): reach the provider,
 * find out what happened when a webhook was lost, record the payment against
 * the client's invoices, save the card. The receipt and the staff notice are
 * in payment-emails.ts.
 *
 * Every provider call that creates or charges carries an idempotency key made
 * of the payment request's id and the step, so a retried activity (a worker
 * killed mid-call) repeats the same call and the provider does it once. Every
 * database write is keyed the same way, so a retry records nothing twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/client';
import type { Mailer } from '../emails/mailer';
import type { AppMetrics } from '../observability/metrics';
import type { OnboardingStatus } from '../domain/onboarding-status';
import { PaymentProviderRejected, type CardDetails, type PaymentProvider } from '../payments/payment-provider';
import { confirmationProblem } from '../payments/provider-confirmation';
import { payDownOpenInvoices } from './invoice-allocation';
import { loadPaymentRequest, receiptNumberOf } from './payment-request';
import { applyOnboardingProgress } from './onboarding-progress';

export interface PaymentActivityDeps {
  db: Db;
  mailer: Mailer;
  publicBaseUrl: string;
  metrics?: AppMetrics;
  /** The card processor; without it (payments off in this deployment) every payment step fails for good. */
  payments?: PaymentProvider;
}

export type BeginPaymentResult =
  /** A hosted page is open (a new card, a card to save, or 3-D Secure for a saved one). */
  | { mode: 'redirect'; url: string }
  /** A saved card was charged; 'processing' waits for the provider's webhook. */
  | { mode: 'charged'; paymentIntentId: string; status: 'succeeded' | 'processing'; amountCents: number }
  | { mode: 'failed'; reason: string };

/** What the provider says when a webhook may have been lost. */
export type ProviderOutcome =
  | { outcome: 'paid'; paymentIntentId: string; amountCents: number }
  | { outcome: 'card-saved'; paymentMethodId: string }
  | { outcome: 'open' }
  | { outcome: 'ended' };

export interface RecordedPayment {
  receiptNumber: string;
  /** The client's onboarding, for the EHR callback and the timeline. */
  onboardingId: string | null;
  onboardingStatus: OnboardingStatus | null;
  allocatedToInvoices: string[];
}

/** The timeline entry of a confirmed payment, by kind: the onboarding's steps, and Pay Now against the balance. */
const PAID_EVENT_TYPE: Record<string, string> = {
  DEPOSIT: 'payment.deposit_paid',
  CARD_SETUP: 'payment.card_saved',
  BALANCE: 'payment.received',
};

/**
 * The onboarding whose timeline shows a payment: the step's own, or for Pay Now the client's
 * onboarding, so staff see on the client page every payment the client made and when.
 */
function timelineOf(request: { onboardingId: string | null; client: { onboarding: { id: string } | null } }) {
  return request.onboardingId ?? request.client.onboarding?.id ?? null;
}

export function createPaymentActivities(deps: PaymentActivityDeps) {
  const { db, publicBaseUrl } = deps;

  const provider = (): PaymentProvider => {
    if (!deps.payments) {
      throw ApplicationFailure.nonRetryable('no payment provider is configured', 'PaymentsNotConfigured');
    }
    return deps.payments;
  };

  const loadRequest = (paymentRequestId: string) => loadPaymentRequest(db, paymentRequestId);
  /** The provider's customer for this client, created once (the idempotency key is the client's id). */
  const customerOf = async (request: Awaited<ReturnType<typeof loadRequest>>): Promise<string> => {
    if (request.client.paymentCustomerId) return request.client.paymentCustomerId;
    const { customerId } = await provider().createCustomer({
      organizationId: request.organizationId,
      clientId: request.clientId,
      idempotencyKey: `customer:${request.clientId}`,
    });
    await db.client.updateMany({
      where: { id: request.clientId, paymentCustomerId: null },
      data: { paymentCustomerId: customerId },
    });
    return customerId;
  };

  const portalUrl = (request: { organization: { slug: string } }, rest: string) =>
    `${publicBaseUrl}/portal/${request.organization.slug}${rest}`;

  const setStatus = (paymentRequestId: string, data: Prisma.PaymentRequestUpdateInput) =>
    db.paymentRequest.update({ where: { id: paymentRequestId }, data });

  /** A payment that did not go through shows on the timeline too: staff may need to follow it up. */
  const recordFailure = async (request: Parameters<typeof timelineOf>[0] & { id: string; amountCents: number }) => {
    const onboardingId = timelineOf(request);
    if (!onboardingId) return;
    await db.$transaction((tx) =>
      applyOnboardingProgress(tx, {
        onboardingId,
        event: {
          key: `payment-failed:${request.id}`,
          type: 'payment.failed',
          detail: { paymentRequestId: request.id, amountCents: request.amountCents },
        },
      }),
    );
  };

  const cardFromProvider = async (paymentMethodId: string): Promise<CardDetails | null> => {
    try {
      return await provider().getCard(paymentMethodId);
    } catch (error) {
      if (error instanceof PaymentProviderRejected) return null;
      throw error;
    }
  };

  /** Keeps a card on file; the client's first card becomes the default (seed 002). */
  const keepCard = async (request: { organizationId: string; clientId: string }, card: CardDetails) => {
    await db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM client WHERE id = ${request.clientId}::uuid FOR NO KEY UPDATE`;
      const existing = await tx.paymentCard.findUnique({ where: { providerPaymentMethodId: card.paymentMethodId } });
      if (existing) return;
      const hasDefault = await tx.paymentCard.count({
        where: { clientId: request.clientId, removedAt: null, isDefault: true },
      });
      await tx.paymentCard.create({
        data: {
          organizationId: request.organizationId,
          clientId: request.clientId,
          providerPaymentMethodId: card.paymentMethodId,
          brand: card.brand,
          last4: card.last4,
          expMonth: card.expMonth,
          expYear: card.expYear,
          isDefault: hasDefault === 0,
        },
      });
    });
    const isDefault = await db.paymentCard.findUnique({
      where: { providerPaymentMethodId: card.paymentMethodId },
      select: { isDefault: true, client: { select: { paymentCustomerId: true } } },
    });
    if (isDefault?.isDefault && isDefault.client.paymentCustomerId) {
      await provider().setDefaultCard(isDefault.client.paymentCustomerId, card.paymentMethodId);
    }
  };

  return {
    /**
     * Opens the payment at the provider: a saved card is charged at once; a
     * new card, or a card to save, gets a hosted checkout page the client is
     * sent to. Repeating it (a retry, a replay) finds what the first attempt
     * left and asks the provider the same question under the same key.
     */
    async beginPayment({ paymentRequestId }: { paymentRequestId: string }): Promise<BeginPaymentResult> {
      const request = await loadRequest(paymentRequestId);
      if (request.checkoutUrl && request.status === 'AWAITING_PAYMENT') {
        return { mode: 'redirect', url: request.checkoutUrl };
      }
      if (request.status === 'FAILED') return { mode: 'failed', reason: request.failureReason ?? 'failed' };
      const failed = () => deps.metrics?.paymentsCompleted.inc({ kind: request.kind, outcome: 'FAILED' });
      const customerId = await customerOf(request);
      const metadata = { paymentRequestId, organizationId: request.organizationId };
      const description = `Payment to ${request.organization.name}`;

      if (request.kind === 'CARD_SETUP') {
        const checkout = await provider().createCardSetup({
          customerId,
          successUrl: portalUrl(request, `/account/payments/${paymentRequestId}?from=checkout`),
          cancelUrl: portalUrl(request, `/account/payments/${paymentRequestId}/cancel`),
          metadata,
          idempotencyKey: `payment:${paymentRequestId}:setup`,
        });
        await setStatus(paymentRequestId, {
          status: 'AWAITING_PAYMENT',
          checkoutId: checkout.checkoutId,
          checkoutUrl: checkout.url,
        });
        return { mode: 'redirect', url: checkout.url };
      }

      if (request.paymentCardId) {
        const card = await db.paymentCard.findFirst({
          where: { id: request.paymentCardId, clientId: request.clientId, removedAt: null },
        });
        if (!card) {
          await setStatus(paymentRequestId, {
            status: 'FAILED',
            failureReason: 'card-removed',
            completedAt: new Date(),
          });
          await recordFailure(request);
          failed();
          return { mode: 'failed', reason: 'That card is no longer on file.' };
        }
        const charge = await provider().chargeSavedCard({
          customerId,
          paymentMethodId: card.providerPaymentMethodId,
          amountCents: request.amountCents,
          currency: request.currency,
          description,
          returnUrl: portalUrl(request, `/account/payments/${paymentRequestId}?from=checkout`),
          metadata,
          idempotencyKey: `payment:${paymentRequestId}:charge`,
        });
        if (charge.status === 'failed') {
          await setStatus(paymentRequestId, {
            status: 'FAILED',
            paymentIntentId: charge.paymentIntentId,
            failureReason: charge.failureMessage ?? 'declined',
            completedAt: new Date(),
          });
          await recordFailure(request);
          failed();
          return { mode: 'failed', reason: charge.failureMessage ?? 'The card was declined.' };
        }
        if (charge.status === 'requires_action' && charge.nextActionUrl) {
          await setStatus(paymentRequestId, {
            status: 'AWAITING_PAYMENT',
            paymentIntentId: charge.paymentIntentId,
            checkoutUrl: charge.nextActionUrl,
          });
          return { mode: 'redirect', url: charge.nextActionUrl };
        }
        await setStatus(paymentRequestId, { status: 'PROCESSING', paymentIntentId: charge.paymentIntentId });
        return {
          mode: 'charged',
          paymentIntentId: charge.paymentIntentId,
          status: charge.status === 'succeeded' ? 'succeeded' : 'processing',
          amountCents: request.amountCents,
        };
      }

      const checkout = await provider().createCheckout({
        customerId,
        amountCents: request.amountCents,
        currency: request.currency,
        description,
        saveCard: request.saveCard,
        successUrl: portalUrl(request, `/account/payments/${paymentRequestId}?from=checkout`),
        cancelUrl: portalUrl(request, `/account/payments/${paymentRequestId}/cancel`),
        metadata,
        idempotencyKey: `payment:${paymentRequestId}:checkout`,
      });
      await setStatus(paymentRequestId, {
        status: 'AWAITING_PAYMENT',
        checkoutId: checkout.checkoutId,
        checkoutUrl: checkout.url,
      });
      return { mode: 'redirect', url: checkout.url };
    },

    /**
     * Asks the provider where the payment stands, for when its webhook never
     * came (or to settle a race with the client's Cancel). With `expire`, an
     * open checkout is ended first, so nobody can pay it after we have given up.
     */
    async checkPaymentWithProvider(input: { paymentRequestId: string; expire?: boolean }): Promise<ProviderOutcome> {
      const request = await loadRequest(input.paymentRequestId);
      if (request.checkoutId) {
        if (input.expire) await provider().expireCheckout(request.checkoutId);
        const checkout = await provider().getCheckout(request.checkoutId);
        if (checkout.status === 'complete') {
          if (request.kind === 'CARD_SETUP' && checkout.setupPaymentMethodId) {
            return { outcome: 'card-saved', paymentMethodId: checkout.setupPaymentMethodId };
          }
          if (checkout.paymentIntentId) {
            const payment = await provider().getPayment(checkout.paymentIntentId);
            if (payment.status === 'succeeded') {
              return { outcome: 'paid', paymentIntentId: payment.paymentIntentId, amountCents: request.amountCents };
            }
          }
        }
        return checkout.status === 'open' ? { outcome: 'open' } : { outcome: 'ended' };
      }
      if (request.paymentIntentId) {
        const payment = await provider().getPayment(request.paymentIntentId);
        if (payment.status === 'succeeded') {
          return { outcome: 'paid', paymentIntentId: payment.paymentIntentId, amountCents: request.amountCents };
        }
        return payment.status === 'failed' ? { outcome: 'ended' } : { outcome: 'open' };
      }
      return { outcome: 'ended' };
    },

    /** Nobody paid in time, or the client cancelled: the balance stays open and the page says so. */
    async closeUnpaidPayment(input: {
      paymentRequestId: string;
      status: 'ABANDONED' | 'FAILED';
      reason: string;
    }): Promise<void> {
      const request = await db.paymentRequest.findUniqueOrThrow({
        where: { id: input.paymentRequestId },
        select: {
          id: true,
          kind: true,
          amountCents: true,
          onboardingId: true,
          client: { select: { onboarding: { select: { id: true } } } },
        },
      });
      const closed = await db.paymentRequest.updateMany({
        where: { id: input.paymentRequestId, status: { notIn: ['SUCCEEDED', 'FAILED', 'ABANDONED'] } },
        data: { status: input.status, failureReason: input.reason, completedAt: new Date() },
      });
      // An abandoned checkout is not news (the balance simply stays open); a failed payment is. Read
      // back, not taken from `closed`, so a retry after a crash between the two writes still records it.
      const { status } = await db.paymentRequest.findUniqueOrThrow({
        where: { id: input.paymentRequestId },
        select: { status: true },
      });
      if (status === 'FAILED') await recordFailure(request);
      // Counted by the attempt that closed it, so a retry does not count it again.
      if (closed.count > 0) deps.metrics?.paymentsCompleted.inc({ kind: request.kind, outcome: input.status });
    },

    /**
     * Records a confirmed payment once: the payment row (unique per request
     * and per provider payment), the invoices it pays down oldest first, the
     * request SUCCEEDED, a timeline entry for the onboarding step. A second
     * call (a redelivered webhook, a retry) finds the row and changes nothing.
     */
    async recordPayment(input: {
      paymentRequestId: string;
      paymentIntentId: string;
      amountCents: number;
    }): Promise<RecordedPayment> {
      const request = await loadRequest(input.paymentRequestId);
      const details = await provider().getPayment(input.paymentIntentId);
      // The signal that brought us here proves nothing (payments/provider-confirmation.ts): the provider must.
      const problem =
        input.amountCents !== request.amountCents
          ? { reason: 'the signalled amount is not the amount asked for', pending: false }
          : confirmationProblem(details, {
              paymentRequestId: input.paymentRequestId,
              amountCents: request.amountCents,
              currency: request.currency,
              customerId: request.client.paymentCustomerId,
            });
      if (problem?.pending) throw ApplicationFailure.retryable(problem.reason, 'PaymentNotConfirmedYet');
      if (problem) {
        await db.paymentRequest.updateMany({
          where: { id: input.paymentRequestId, status: { notIn: ['SUCCEEDED', 'FAILED', 'ABANDONED'] } },
          data: { status: 'FAILED', failureReason: 'not-confirmed-by-provider', completedAt: new Date() },
        });
        throw ApplicationFailure.nonRetryable(
          `payment ${input.paymentIntentId} is not confirmed by the provider: ${problem.reason}`,
          'PaymentNotConfirmedByProvider',
        );
      }
      const receiptNumber = receiptNumberOf(input.paymentRequestId);
      const allocated = await db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM payment_request WHERE id = ${input.paymentRequestId}::uuid FOR NO KEY UPDATE`;
        const existing = await tx.payment.findUnique({ where: { paymentRequestId: input.paymentRequestId } });
        if (existing) {
          return {
            created: false,
            invoices: (existing.allocations as { externalInvoiceId: string }[]).map((entry) => entry.externalInvoiceId),
          };
        }
        // A balance payment pays down the oldest open invoices; a deposit or a card setup pays none.
        const allocations =
          request.kind === 'BALANCE' ? await payDownOpenInvoices(tx, request.clientId, input.amountCents) : [];
        await tx.payment.create({
          data: {
            organizationId: request.organizationId,
            clientId: request.clientId,
            paymentRequestId: input.paymentRequestId,
            paymentIntentId: input.paymentIntentId,
            receiptNumber,
            amountCents: input.amountCents,
            currency: request.currency,
            cardBrand: details.card?.brand ?? null,
            cardLast4: details.card?.last4 ?? null,
            allocations,
            paidAt: new Date(),
          },
        });
        await tx.paymentRequest.update({
          where: { id: input.paymentRequestId },
          data: { status: 'SUCCEEDED', paymentIntentId: input.paymentIntentId, completedAt: new Date() },
        });
        const paidEvent = PAID_EVENT_TYPE[request.kind];
        const onboardingId = timelineOf(request);
        if (onboardingId && paidEvent) {
          await applyOnboardingProgress(tx, {
            onboardingId,
            event: {
              key: `payment-step:${input.paymentRequestId}`,
              type: paidEvent,
              detail: { paymentRequestId: input.paymentRequestId, amountCents: input.amountCents },
            },
          });
        }
        return { created: true, invoices: allocations.map((entry) => entry.externalInvoiceId) };
      });
      if (allocated.created) {
        deps.metrics?.paymentsCompleted.inc({ kind: request.kind, outcome: 'SUCCEEDED' });
        deps.metrics?.paymentAmountCents.inc({ kind: request.kind }, input.amountCents);
      }
      if (request.saveCard && details.card) await keepCard(request, details.card);
      const { onboarding } = request.client;
      return {
        receiptNumber,
        onboardingId: onboarding?.id ?? null,
        onboardingStatus: onboarding?.status ?? null,
        allocatedToInvoices: allocated.invoices,
      };
    },

    /** A card saved through a hosted setup page: kept on file (brand, last four, expiry only). */
    async saveCardOnFile(input: { paymentRequestId: string; paymentMethodId: string }): Promise<{ saved: boolean }> {
      const request = await loadRequest(input.paymentRequestId);
      const card = await cardFromProvider(input.paymentMethodId);
      if (!card) return { saved: false };
      await keepCard(request, card);
      if (request.status !== 'SUCCEEDED')
        deps.metrics?.paymentsCompleted.inc({ kind: request.kind, outcome: 'SUCCEEDED' });
      await db.$transaction(async (tx) => {
        await tx.paymentRequest.update({
          where: { id: input.paymentRequestId },
          data: { status: 'SUCCEEDED', completedAt: request.completedAt ?? new Date() },
        });
        if (request.onboardingId) {
          await applyOnboardingProgress(tx, {
            onboardingId: request.onboardingId,
            event: {
              key: `payment-step:${input.paymentRequestId}`,
              type: 'payment.card_saved',
              detail: { paymentRequestId: input.paymentRequestId },
            },
          });
        }
      });
      return { saved: true };
    },
  };
}
