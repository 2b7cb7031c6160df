import { Router } from 'express';
import type { Client as TemporalClient } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { Logger } from '../../observability/logger';
import { WebhookPayloadError, WebhookSignatureError, type PaymentProvider } from '../../payments/payment-provider';
import { AppError } from '../../use-cases/app-error';
import { rawBodyOf } from '../../http/raw-body';
import { receivePaymentEvent } from '../../use-cases/billing/receive-payment-event';

/**
 * The payment provider's webhook (Stripe: checkout completed or expired,
 * payment succeeded or failed). Verified against the exact bytes received
 * with the endpoint's signing secret; answered 2xx once taken, so the
 * provider stops retrying, and 503 when Temporal is down, so it retries.
 */
export function paymentWebhookRoutes(deps: {
  db: Db;
  temporal: TemporalClient;
  logger: Logger;
  payments: PaymentProvider;
}): Router {
  const router = Router();
  router.post(`/v1/webhooks/payments/${deps.payments.kind}`, async (req, res) => {
    let event;
    try {
      event = deps.payments.parseWebhook(Buffer.from(rawBodyOf(req), 'utf8'), req.headers);
    } catch (error) {
      if (error instanceof WebhookSignatureError) {
        throw new AppError('UNAUTHENTICATED', `payment webhook rejected: ${error.message}`, {
          publicMessage: 'The webhook signature is missing, invalid or too old.',
        });
      }
      if (error instanceof WebhookPayloadError) {
        throw new AppError('VALIDATION_FAILED', `payment webhook unreadable: ${error.message}`, {
          publicMessage: 'The webhook body is not an event.',
        });
      }
      throw error;
    }
    const received = await receivePaymentEvent(deps, deps.payments.kind, event);
    if (received.unrecorded) {
      // Ids only: an on-call engineer finds the payment at the provider by its intent id and refunds or records it.
      deps.logger.error(
        {
          requestId: req.id,
          paymentRequestId: received.paymentRequestId,
          paymentIntentId: event.kind === 'payment.succeeded' ? event.paymentIntentId : null,
        },
        'payment confirmed by the provider after its request had closed unpaid: reconcile it',
      );
    }
    deps.logger.info(
      {
        requestId: req.id,
        eventKind: event.kind,
        accepted: received.accepted,
        paymentRequestId: received.paymentRequestId,
      },
      'payment webhook',
    );
    res.status(200).json({ received: true, duplicate: !received.accepted });
  });
  return router;
}
