/**
 * After paying: where a payment stands, the confirmation with a printable
 * receipt and its PDF, and Cancel from the provider's page.
 */
import { Router } from 'express';
import { formatMoney } from '../../domain/money';
import { receiptPdf } from '../../documents/payment-receipt-pdf';
import { html, page, type Html } from '../html';
import { send } from '../send-page';
import { cancelPayment, loadPayment, OPEN_PAYMENT_STATUSES } from '../../use-cases/billing/portal-payments';
import { accountPages, cardText, dateText, ZId } from './account-pages';
import type { PortalContext } from './portal-session';

/** How long Cancel waits for the payment's flow to close the checkout before going back to My Account. */
const CANCEL_SETTLE_MS = 5_000;
const isOpen = (status: string) => (OPEN_PAYMENT_STATUSES as readonly string[]).includes(status);

export function paymentStatusRoutes(deps: PortalContext): Router {
  const router = Router();
  const { signedIn, audit, notFound, pdf } = accountPages(deps);

  /** Where a payment stands; once paid, the confirmation with a printable receipt. */
  router.get('/portal/:orgSlug/account/payments/:paymentRequestId', async (req, res) => {
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    const id = ZId.safeParse(req.params.paymentRequestId);
    const request = id.success ? await loadPayment(deps.db, holder, id.data) : null;
    if (!request) {
      notFound(res, org, 'Payment');
      return;
    }
    const isSetup = request.kind === 'CARD_SETUP';
    let body: Html;
    let title: string;
    if (request.status === 'SUCCEEDED' && request.payment) {
      const payment = request.payment;
      await audit(req, holder, 'payment.receipt_read', { paymentRequestId: request.id });
      title = 'Payment received';
      body = html`<div class="card receipt">
        <p class="ok" role="status">Thank you. Your payment to ${org.name} was received.</p>
        <dl class="facts">
          <dt>Receipt</dt>
          <dd data-testid="receipt-number">${payment.receiptNumber}</dd>
          <dt>Amount</dt>
          <dd data-testid="receipt-amount">${formatMoney(payment.amountCents)}</dd>
          <dt>Date</dt>
          <dd>${dateText(payment.paidAt, org.timeZone, true)}</dd>
          ${
            payment.cardLast4
              ? html`<dt>Card</dt>
                  <dd>${cardText({ brand: payment.cardBrand ?? 'card', last4: payment.cardLast4 })}</dd>`
              : ''
          }
        </dl>
        <p class="hint no-print">A copy of this receipt was emailed to you.</p>
        <a
          class="button"
          data-testid="receipt-pdf"
          href="/portal/${org.slug}/account/payments/${request.id}/receipt.pdf"
          >Print or save the receipt (PDF)</a
        >
        <a class="button secondary" href="/portal/${org.slug}/account">Back to My Account</a>
      </div>`;
    } else if (request.status === 'SUCCEEDED' && isSetup) {
      title = 'Card saved';
      body = html`<div class="card">
        <p class="ok" role="status">Your card is saved for future payments to ${org.name}.</p>
        <a class="button" href="/portal/${org.slug}/account/cards">See your cards</a>
      </div>`;
    } else if (request.status === 'FAILED' || request.status === 'ABANDONED') {
      title = request.status === 'FAILED' ? 'The payment did not go through' : 'Payment not completed';
      body = html`<div class="card">
        <p class="error" role="alert">
          ${
            request.status === 'FAILED'
              ? 'The card was not charged. Please try another card or contact your practice.'
              : 'This payment was not completed, so nothing was charged. Your balance is still open.'
          }
        </p>
        <a class="button" href="/portal/${org.slug}/account">Back to My Account</a>
      </div>`;
    } else {
      // Waiting for the provider, or for the client on the provider's page. No meta refresh (axe: critical,
      // and it takes control from the user): "Check again" is a plain GET of this page.
      const returned = req.query.from !== undefined || request.status !== 'AWAITING_PAYMENT';
      const here = `/portal/${org.slug}/account/payments/${request.id}${returned ? '?from=checkout' : ''}`;
      title = isSetup ? 'Saving your card' : returned ? 'Confirming your payment' : 'Payment in progress';
      body = html`<div class="card">
        <p role="status">
          ${
            returned
              ? isSetup
                ? 'Confirming your card… The card processor usually confirms within a few seconds.'
                : 'Confirming your payment… The card processor usually confirms within a few seconds. Please do not pay again.'
              : 'Your payment is waiting for you on the secure payment page.'
          }
        </p>
        ${
          returned
            ? html`<p class="hint">
                  This page does not update by itself. Select Check again to see whether the confirmation has arrived;
                  if it takes more than a few minutes, contact your practice.
                </p>
                <a class="button" href="${here}" data-testid="check-again">Check again</a>
                <a class="button secondary" href="/portal/${org.slug}/account">Back to My Account</a>`
            : request.checkoutUrl
              ? html`<a class="button" href="${request.checkoutUrl}">Continue to secure payment</a>
                  <a class="button secondary" href="/portal/${org.slug}/account/payments/${request.id}/cancel"
                    >Cancel this payment</a
                  >`
              : html`<a class="button" href="${here}" data-testid="check-again">Check again</a>
                  <a class="button secondary" href="/portal/${org.slug}/account">Back to My Account</a>`
        }
      </div>`;
    }
    // Not no-store: with no-store, Back from the receipt (PDF or another page) shows the browser's
    // "document expired" / cache-miss page. no-cache keeps it private to this browser and revalidates on every
    // use, so Back re-loads the page from the server cleanly and never shows a stale status.
    res.setHeader('Cache-Control', 'private, no-cache');
    send(res, 200, page({ title, practiceName: org.name, brandColor: org.brandColor, contact: org.contact, body }));
  });

  /**
   * The provider's cancel URL (Stripe's "back" link, the local checkout's Cancel) lands here by a GET, which
   * anyone can make a signed-in browser send (a link, an image): so this only shows the payment and asks.
   * The cancellation itself is the POST below, with the form's CSRF token. A payment no longer open goes to its page.
   */
  router.get('/portal/:orgSlug/account/payments/:paymentRequestId/cancel', async (req, res) => {
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    const id = ZId.safeParse(req.params.paymentRequestId);
    const request = id.success ? await loadPayment(deps.db, holder, id.data) : null;
    if (!request) {
      notFound(res, org, 'Payment');
      return;
    }
    if (!isOpen(request.status)) {
      res.redirect(303, `/portal/${org.slug}/account/payments/${request.id}`);
      return;
    }
    const isSetup = request.kind === 'CARD_SETUP';
    res.setHeader('Cache-Control', 'no-store');
    send(
      res,
      200,
      page({
        title: isSetup ? 'Stop saving this card?' : 'Cancel this payment?',
        practiceName: org.name,
        brandColor: org.brandColor,
        contact: org.contact,
        body: html`<div class="card">
          <p role="status">
            ${
              isSetup
                ? 'You left the secure card page. Your card has not been saved.'
                : html`You left the secure payment page. Nothing has been charged for this payment of
                    <strong>${formatMoney(request.amountCents)}</strong> to ${org.name}.`
            }
          </p>
          <form method="post" action="/portal/${org.slug}/account/payments/${request.id}/cancel">
            <input type="hidden" name="_csrf" value="${deps.csrf(req, res)}" />
            <button type="submit" data-testid="confirm-cancel">
              ${isSetup ? 'Stop saving this card' : 'Cancel this payment'}
            </button>
          </form>
          ${
            request.checkoutUrl
              ? html`<a class="button secondary" href="${request.checkoutUrl}"
                  >${isSetup ? 'Go back to the secure card page' : 'Go back to the secure payment page'}</a
                >`
              : ''
          }
          <a class="button secondary" href="/portal/${org.slug}/account">Back to My Account</a>
        </div>`,
      }),
    );
  });

  /** Cancel, confirmed: the flow closes the checkout; back to My Account, nothing charged. */
  router.post('/portal/:orgSlug/account/payments/:paymentRequestId/cancel', async (req, res) => {
    deps.checkCsrf(req);
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    const id = ZId.safeParse(req.params.paymentRequestId);
    const request = id.success ? await cancelPayment(deps, holder, id.data) : null;
    if (!request) {
      notFound(res, org, 'Payment');
      return;
    }
    await audit(req, holder, 'payment.cancel', { paymentRequestId: request.id });
    // The flow ends the checkout in a moment: wait for it, so that My Account does not show "a payment in
    // progress" under "Payment cancelled", nor say "cancelled" of a payment that went through after all.
    let settled = request;
    for (const deadline = Date.now() + CANCEL_SETTLE_MS; isOpen(settled.status) && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      settled = (await loadPayment(deps.db, holder, request.id)) ?? settled;
    }
    if (settled.status === 'SUCCEEDED' && settled.kind !== 'CARD_SETUP') {
      res.redirect(303, `/portal/${org.slug}/account/payments/${settled.id}`);
      return;
    }
    res.redirect(
      303,
      request.kind === 'CARD_SETUP' ? `/portal/${org.slug}/account/cards` : `/portal/${org.slug}/account?cancelled=1`,
    );
  });

  router.get('/portal/:orgSlug/account/payments/:paymentRequestId/receipt.pdf', async (req, res) => {
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    const id = ZId.safeParse(req.params.paymentRequestId);
    const request = id.success ? await loadPayment(deps.db, holder, id.data) : null;
    if (!request?.payment) {
      notFound(res, org, 'Receipt');
      return;
    }
    const payer = await deps.db.portalAccount.findUniqueOrThrow({
      where: { id: holder.portalAccountId },
      select: { ownerName: true, client: { select: { firstName: true, lastName: true } } },
    });
    await audit(req, holder, 'payment.receipt_download', { paymentRequestId: request.id });
    const payment = request.payment;
    pdf(
      res,
      `receipt-${payment.receiptNumber}.pdf`,
      await receiptPdf({
        practiceName: org.name,
        receiptNumber: payment.receiptNumber,
        paidAt: payment.paidAt.toISOString(),
        timeZone: org.timeZone,
        amountCents: payment.amountCents,
        currency: payment.currency,
        card: payment.cardLast4 ? cardText({ brand: payment.cardBrand ?? 'card', last4: payment.cardLast4 }) : null,
        payerName: payer.ownerName ?? `${payer.client.firstName} ${payer.client.lastName}`,
      }),
    );
  });

  return router;
}
