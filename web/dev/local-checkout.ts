/**
 * The local payment provider's "hosted checkout" (npm start without a
 * Stripe account), playing the part of Stripe's page: it shows what is being
 * paid and offers a pretend Visa ending 4242 (no card is ever typed), then
 * reports the outcome the way the provider's webhook would and sends the
 * browser to the success or cancel URL. Mounted only with PAYMENTS_PROVIDER=local.
 */
import type { Client as TemporalClient } from '@temporalio/client';
import express, { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { formatMoney } from '../../domain/money';
import type { LocalPaymentProvider } from '../../payments/local-provider';
import { AppError } from '../../use-cases/app-error';
import { html, page } from '../html';
import { receivePaymentEvent } from '../../use-cases/billing/receive-payment-event';
import { send } from '../send-page';

const ZCheckoutId = z.string().regex(/^cs_local_[0-9a-f]{24}$/);

export function devCheckoutRoutes(deps: { db: Db; temporal: TemporalClient; payments: LocalPaymentProvider }): Router {
  const router = Router();
  router.use('/dev/checkout', express.urlencoded({ extended: false, limit: '1kb', parameterLimit: 5 }));
  router.use('/dev/checkout', (_req, res, next) => {
    // The API's default policy blocks the page's inline styles, and it is a page people use (npm start).
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    next();
  });

  const checkoutOf = (raw: string) => {
    const id = ZCheckoutId.safeParse(raw);
    const checkout = id.success ? deps.payments.viewCheckout(id.data) : null;
    if (!checkout) throw new AppError('NOT_FOUND', 'unknown local checkout');
    return checkout;
  };

  router.get('/dev/checkout/:checkoutId', (req, res) => {
    const checkout = checkoutOf(req.params.checkoutId);
    const paying = checkout.mode === 'payment';
    send(
      res,
      200,
      page({
        title: paying ? `Pay ${formatMoney(checkout.amountCents, checkout.currency)}` : 'Save a card',
        practiceName: 'Local test checkout',
        body:
          checkout.status === 'open'
            ? html`<div class="card">
                <p>${checkout.description}</p>
                <p class="hint">
                  This is the local stand-in for the card processor's secure page (PAYMENTS_PROVIDER=local). No card is
                  asked for: it pays with a test Visa ending 4242.
                </p>
                <form method="post" action="/dev/checkout/${checkout.checkoutId}/complete">
                  <button type="submit">
                    ${paying ? `Pay ${formatMoney(checkout.amountCents, checkout.currency)} with Visa •••• 4242` : 'Save Visa •••• 4242'}
                  </button>
                </form>
                <a class="button secondary" href="${checkout.cancelUrl}">Cancel</a>
              </div>`
            : html`<div class="card">
                <p>This checkout is ${checkout.status === 'complete' ? 'already paid' : 'no longer open'}.</p>
                <a class="button" href="${checkout.successUrl}">Back to the portal</a>
              </div>`,
      }),
    );
  });

  router.post('/dev/checkout/:checkoutId/complete', async (req, res) => {
    const checkout = checkoutOf(req.params.checkoutId);
    const event = deps.payments.completeCheckout(checkout.checkoutId);
    if (event) await receivePaymentEvent(deps, 'local', event);
    res.redirect(303, checkout.successUrl);
  });

  return router;
}
