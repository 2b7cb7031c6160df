/**
 * My Account (seed 002): the client's balance and account history (sort and
 * filter), invoice and superbill PDFs, Pay Now (amount → card → review →
 * confirm → the provider's page → confirmation with a printable receipt;
 * Cancel returns here) and cards on file (add, remove, make default; the
 * first card saved is the default).
 *
 * No card number is ever typed on these pages: a new card goes on the
 * provider's hosted page, a saved one is named by our id for it. Plain HTML
 * posts with CSRF tokens; the only other origin a form may lead to is the
 * provider's checkout (form-action in the portal's CSP, api/routes/portal.ts).
 */
import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Client as TemporalClient } from '@temporalio/client';
import { recordAudit } from '../../audit/audit-log';
import type { Db } from '../../db/client';
import { formatMoney, parseAmountToCents } from '../../domain/money';
import { invoicePdf } from '../../documents/invoice-pdf';
import { receiptPdf } from '../../documents/payment-receipt-pdf';
import { superbillPdf } from '../../documents/superbill-pdf';
import type { PaymentProvider } from '../../payments/payment-provider';
import { AppError } from '../app-error';
import { originOf } from '../audit-context';
import { assertCsrf, csrfField } from '../portal/csrf';
import { html, page, type Html } from '../portal/html';
import {
  accountHolder,
  accountOverview,
  cancelPayment,
  listCards,
  loadInvoice,
  loadPayment,
  makeDefaultCard,
  OPEN_PAYMENT_STATUSES,
  paymentsOpen,
  removeCard,
  startPayment,
  type AccountHolder,
  type HistoryQuery,
  type StartedPayment,
} from '../use-cases/portal-payments';
import { clientPaymentStep } from '../use-cases/onboarding-payment-step';
import { send, signedInClient } from './portal';

export interface PortalAccountDeps {
  db: Db;
  temporal: TemporalClient;
  taskQueue: string;
  tokenSigningKey: Buffer;
  secure: boolean;
  payments: PaymentProvider | null;
}

/** How long Cancel waits for the payment's flow to close the checkout before going back to My Account. */
const CANCEL_SETTLE_MS = 5_000;
const isOpen = (status: string) => (OPEN_PAYMENT_STATUSES as readonly string[]).includes(status);

const ZId = z.uuid();
const ZHistoryQuery = z.object({
  kind: z.enum(['invoice', 'payment']).optional().catch(undefined),
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
  sort: z.enum(['date', 'amount']).catch('date'),
  order: z.enum(['asc', 'desc']).catch('desc'),
});
const ZSubmissionKey = z.string().regex(/^[A-Za-z0-9_-]{32,64}$/);
const ZPayForm = z.object({
  amount: z.string().max(32).default(''),
  card: z.string().max(64).default('new'),
  saveCard: z.literal('yes').optional(),
});

const STATUS_TEXT: Record<string, string> = {
  OPEN: 'Open',
  PAID: 'Paid',
  VOID: 'Void',
};

function dateText(date: Date, timeZone: string, withTime = false): string {
  return new Intl.DateTimeFormat('en-US', {
    dateStyle: 'medium',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: withTime ? timeZone : 'UTC',
  }).format(date);
}

function cardText(card: { brand: string; last4: string }): string {
  const brand = card.brand.charAt(0).toUpperCase() + card.brand.slice(1);
  return `${brand} ending ${card.last4}`;
}

/**
 * The onboarding's payment step on the portal home, while it is to do: "put a
 * card on file" or "pay the intake deposit", one button that starts it.
 */
export async function paymentStepPanel(
  deps: Pick<PortalAccountDeps, 'db' | 'payments'>,
  holder: AccountHolder,
  org: { slug: string; name: string },
  csrf: string,
): Promise<Html | ''> {
  if (!(await paymentsOpen(deps, holder.organizationId))) return '';
  const step = await clientPaymentStep(deps.db, holder);
  if (!step || step.status === 'DONE') return '';
  const deposit = step.kind === 'DEPOSIT';
  return html`<div class="ok" role="status" data-testid="payment-step">
    <p>
      ${
        deposit
          ? `${org.name} asks new clients to pay an intake deposit of ${formatMoney(step.amountCents ?? 0)} before the first visit.`
          : `${org.name} asks new clients to keep a card on file for future payments.`
      }
    </p>
    ${
      step.status === 'IN_PROGRESS' && step.paymentRequestId
        ? html`<a class="button" href="/portal/${org.slug}/account/payments/${step.paymentRequestId}">Continue</a>`
        : html`<form method="post" action="/portal/${org.slug}/account/onboarding-step">
            <input type="hidden" name="_csrf" value="${csrf}" />
            <input type="hidden" name="submissionKey" value="${randomBytes(24).toString('base64url')}" />
            <button type="submit">
              ${deposit ? `Pay the ${formatMoney(step.amountCents ?? 0)} deposit` : 'Add a card'}
            </button>
          </form>`
    }
  </div>`;
}

/** After a confirm: the provider's page, or (a payment already open, a slow provider, a finished one) the payment's own page. */
function nextPage(org: { slug: string }, started: StartedPayment): string {
  return started.link.next === 'redirect' && !started.alreadyOpen
    ? started.link.url
    : `/portal/${org.slug}/account/payments/${started.paymentRequestId}`;
}

/** The review page's submission key: the same page posted twice is one payment. */
function submissionKeyOf(req: Request): string {
  const key = ZSubmissionKey.safeParse((req.body as Record<string, unknown>).submissionKey);
  if (!key.success) throw new AppError('VALIDATION_FAILED', 'bad submission key');
  return key.data;
}

export function portalAccountRoutes(deps: PortalAccountDeps): Router {
  const router = Router();

  /** The practice and the signed-in client, or a redirect to sign in. */
  const signedIn = async (req: Request, res: Response) => {
    const session = await signedInClient(deps.db, req, res);
    return session && { org: session.org, holder: await accountHolder(deps.db, session.user) };
  };

  const audit = (req: Request, holder: AccountHolder, action: string, detail: Record<string, string | null> = {}) =>
    recordAudit(deps.db, {
      organizationId: holder.organizationId,
      actor: { type: 'portal_user', id: holder.portalAccountId },
      action,
      clientId: holder.clientId,
      outcome: 'success',
      origin: originOf(req),
      detail,
    });

  const notFound = (res: Response, org: { name: string; slug: string }, what: string) =>
    send(
      res,
      404,
      page({
        title: `${what} not found`,
        practiceName: org.name,
        body: html`<div class="card">
          <p>This is not in your account.</p>
          <a class="button" href="/portal/${org.slug}/account">Back to My Account</a>
        </div>`,
      }),
    );

  const pdf = (res: Response, fileName: string, bytes: Uint8Array) =>
    res
      .status(200)
      .type('application/pdf')
      .setHeader('Content-Disposition', `attachment; filename="${fileName}"`)
      .setHeader('Cache-Control', 'no-store')
      .send(Buffer.from(bytes));

  router.get('/portal/:orgSlug/account', async (req, res) => {
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    const query: HistoryQuery = ZHistoryQuery.parse(req.query);
    const account = await accountOverview(deps, holder, query);
    await audit(req, holder, 'account.read');
    const notice =
      req.query.cancelled !== undefined
        ? html`<p class="ok" role="status">Payment cancelled. Nothing was charged.</p>`
        : '';
    const sortLink = (sort: 'date' | 'amount', label: string) => {
      const order = query.sort === sort && query.order === 'desc' ? 'asc' : 'desc';
      const params = new URLSearchParams({
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
        sort,
        order,
      });
      const current = query.sort === sort ? (query.order === 'asc' ? ' ▲' : ' ▼') : '';
      return html`<a href="/portal/${org.slug}/account?${params.toString()}">${label}${current}</a>`;
    };
    const ariaSort = (sort: 'date' | 'amount') =>
      query.sort === sort ? html`aria-sort="${query.order === 'asc' ? 'ascending' : 'descending'}"` : '';
    send(
      res,
      200,
      page({
        title: 'My Account',
        practiceName: org.name,
        brandColor: org.brandColor,
        body: html`${notice}
          <div class="card">
            <p>Balance due</p>
            <p class="balance" data-testid="balance"><strong>${formatMoney(account.balanceCents)}</strong></p>
            ${
              account.openPayment
                ? html`<p class="ok" role="status">
                    You have a payment in progress.
                    <a href="/portal/${org.slug}/account/payments/${account.openPayment.id}">See it</a>
                  </p>`
                : ''
            }
            ${
              account.paymentsOpen && account.balanceCents > 0
                ? html`<a class="button" href="/portal/${org.slug}/account/pay">Pay Now</a>`
                : ''
            }
            ${
              account.paymentsOpen
                ? html`<a class="button secondary" href="/portal/${org.slug}/account/cards"
                    >Credit/Debit Cards on File (${account.cards.length})</a
                  >`
                : ''
            }
          </div>
          <div class="card" style="margin-top:1rem">
            <h2>Account history</h2>
            <form method="get" class="filters" aria-label="Filter the account history">
              <div>
                <label for="kind">Show</label>
                <select id="kind" name="kind">
                  <option value="" ${!query.kind ? html`selected` : ''}>Everything</option>
                  <option value="invoice" ${query.kind === 'invoice' ? html`selected` : ''}>Invoices</option>
                  <option value="payment" ${query.kind === 'payment' ? html`selected` : ''}>Payments</option>
                </select>
              </div>
              <div>
                <label for="from">From</label><input id="from" name="from" type="date" value="${query.from ?? ''}" />
              </div>
              <div><label for="to">To</label><input id="to" name="to" type="date" value="${query.to ?? ''}" /></div>
              <input type="hidden" name="sort" value="${query.sort}" />
              <input type="hidden" name="order" value="${query.order}" />
              <div><button type="submit">Filter</button></div>
            </form>
            ${
              account.history.length > 0
                ? // Here, not in the table's head, which a phone hides (its rows show as cards).
                  html`<p class="sort" style="margin:1rem 0 0.5rem">
                    Sort by ${sortLink('date', 'Date')} · ${sortLink('amount', 'Amount')}
                  </p>`
                : ''
            }
            ${
              account.history.length === 0
                ? html`<p>Nothing to show yet.</p>`
                : html`<table class="list history">
                    <thead>
                      <tr>
                        <th ${ariaSort('date')}>Date</th>
                        <th>Description</th>
                        <th ${ariaSort('amount')}>Amount</th>
                        <th>Status</th>
                        <th>Documents</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${account.history.map(
                        (entry) =>
                          html`<tr data-kind="${entry.kind}">
                            <td data-label="Date">${dateText(entry.date, org.timeZone, entry.kind === 'payment')}</td>
                            <td data-label="Description">${entry.description}</td>
                            <td data-label="Amount">${formatMoney(entry.amountCents)}</td>
                            <td data-label="Status">
                              ${
                                entry.kind === 'invoice'
                                  ? html`${STATUS_TEXT[entry.status] ?? entry.status}${
                                      entry.balanceCents ? html` (${formatMoney(entry.balanceCents)} due)` : ''
                                    }`
                                  : 'Paid'
                              }
                            </td>
                            <td data-label="Documents">
                              ${
                                entry.kind === 'invoice'
                                  ? html`<a href="/portal/${org.slug}/account/invoices/${entry.id}/invoice.pdf"
                                        >Invoice</a
                                      >${
                                        entry.hasSuperbill
                                          ? html` ·
                                              <a href="/portal/${org.slug}/account/invoices/${entry.id}/superbill.pdf"
                                                >Superbill</a
                                              >`
                                          : ''
                                      }`
                                  : html`<a href="/portal/${org.slug}/account/payments/${entry.paymentRequestId}"
                                      >Receipt</a
                                    >`
                              }
                            </td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>`
            }
            <a class="button secondary" href="/portal/${org.slug}">Back to home</a>
          </div>`,
      }),
    );
  });

  /** Pay Now, step 1: amount and card. */
  const payForm = async (
    req: Request,
    res: Response,
    session: NonNullable<Awaited<ReturnType<typeof signedIn>>>,
    typed: { amount?: string; card?: string; saveCard?: boolean },
    problem: string | null,
  ) => {
    const { org, holder } = session;
    const account = await accountOverview(deps, holder, { sort: 'date', order: 'desc' });
    if (!account.paymentsOpen) throw new AppError('NOT_FOUND', 'payments are off');
    if (account.openPayment) {
      res.redirect(303, `/portal/${org.slug}/account/payments/${account.openPayment.id}`);
      return;
    }
    const chosen = typed.card ?? account.cards.find((card) => card.isDefault)?.id ?? 'new';
    send(
      res,
      problem ? 400 : 200,
      page({
        title: 'Pay Now',
        practiceName: org.name,
        brandColor: org.brandColor,
        body: html`${problem ? html`<div class="error" role="alert" id="amount-error">${problem}</div>` : ''}
          <form method="post" action="/portal/${org.slug}/account/pay/review" class="card" novalidate>
            <input type="hidden" name="_csrf" value="${csrfField(req, res, deps.tokenSigningKey, deps.secure)}" />
            <p>Balance due: <strong>${formatMoney(account.balanceCents)}</strong></p>
            <label for="amount">Amount to pay <span class="hint">(in US dollars)</span></label>
            <input
              id="amount"
              name="amount"
              inputmode="decimal"
              autocomplete="off"
              required
              maxlength="12"
              value="${typed.amount ?? (account.balanceCents / 100).toFixed(2)}"
              ${problem ? html`aria-invalid="true" aria-describedby="amount-error"` : ''}
            />
            <fieldset>
              <legend class="question-label" style="margin-top:1rem">Pay with</legend>
              <div class="choices">
                ${account.cards.map(
                  (card) =>
                    html`<label class="choice"
                      ><input type="radio" name="card" value="${card.id}" ${chosen === card.id ? html`checked` : ''} />
                      ${cardText(card)}${card.isDefault ? ' (default)' : ''}</label
                    >`,
                )}
                <label class="choice"
                  ><input type="radio" name="card" value="new" ${chosen === 'new' ? html`checked` : ''} /> A new
                  card</label
                >
              </div>
            </fieldset>
            <label class="choice"
              ><input type="checkbox" name="saveCard" value="yes" ${typed.saveCard ? html`checked` : ''} /> Save a new
              card for future payments to
              ${org.name}${account.cards.length === 0 ? ' (it becomes your default card)' : ''}</label
            >
            <button type="submit">Review payment</button>
            <a class="button secondary" href="/portal/${org.slug}/account">Cancel</a>
          </form>`,
      }),
    );
  };

  router.get('/portal/:orgSlug/account/pay', async (req, res) => {
    const session = await signedIn(req, res);
    if (!session) return;
    await payForm(req, res, session, {}, null);
  });

  /** Pay Now, step 2: review everything before confirming. */
  router.post('/portal/:orgSlug/account/pay/review', async (req, res) => {
    assertCsrf(req, deps.tokenSigningKey);
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    const form = ZPayForm.safeParse(req.body);
    if (!form.success) throw new AppError('VALIDATION_FAILED', 'bad pay form');
    const { amount, card, saveCard } = form.data;
    const typed = { amount, card, saveCard: saveCard === 'yes' };
    const account = await accountOverview(deps, holder, { sort: 'date', order: 'desc' });
    const cents = parseAmountToCents(amount);
    if (cents === null || cents < 50) {
      await payForm(req, res, session, typed, 'Enter an amount of at least $0.50, for example 45.00.');
      return;
    }
    if (cents > account.balanceCents) {
      await payForm(
        req,
        res,
        session,
        typed,
        `The amount cannot be more than your balance of ${formatMoney(account.balanceCents)}.`,
      );
      return;
    }
    const savedCard = card === 'new' ? null : account.cards.find((candidate) => candidate.id === card);
    if (savedCard === undefined) {
      await payForm(req, res, session, typed, 'Choose one of your cards or a new card.');
      return;
    }
    send(
      res,
      200,
      page({
        title: 'Review your payment',
        practiceName: org.name,
        brandColor: org.brandColor,
        body: html`<form method="post" action="/portal/${org.slug}/account/pay" class="card">
          <input type="hidden" name="_csrf" value="${csrfField(req, res, deps.tokenSigningKey, deps.secure)}" />
          <input type="hidden" name="submissionKey" value="${randomBytes(24).toString('base64url')}" />
          <input type="hidden" name="amount" value="${(cents / 100).toFixed(2)}" />
          <input type="hidden" name="card" value="${savedCard ? savedCard.id : 'new'}" />
          ${!savedCard && typed.saveCard ? html`<input type="hidden" name="saveCard" value="yes" />` : ''}
          <dl class="facts">
            <dt>Pay to</dt>
            <dd>${org.name}</dd>
            <dt>Amount</dt>
            <dd data-testid="review-amount">${formatMoney(cents)}</dd>
            <dt>Card</dt>
            <dd>${savedCard ? cardText(savedCard) : 'A new card, entered on the secure payment page'}</dd>
            ${
              !savedCard
                ? html`<dt>Save card</dt>
                    <dd>${typed.saveCard ? 'Yes, for future payments' : 'No'}</dd>`
                : ''
            }
          </dl>
          <button type="submit">${savedCard ? `Pay ${formatMoney(cents)}` : 'Continue to secure payment'}</button>
          <a class="button secondary" href="/portal/${org.slug}/account">Cancel</a>
        </form>`,
      }),
    );
  });

  /** Pay Now, step 3: confirmed. The same page posted twice is one payment. */
  router.post('/portal/:orgSlug/account/pay', async (req, res) => {
    assertCsrf(req, deps.tokenSigningKey);
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    const form = ZPayForm.extend({ submissionKey: ZSubmissionKey }).safeParse(req.body);
    const cents = form.success ? parseAmountToCents(form.data.amount) : null;
    if (!form.success || cents === null) throw new AppError('VALIDATION_FAILED', 'bad confirm form');
    const cardId = form.data.card === 'new' ? null : ZId.safeParse(form.data.card).data;
    if (cardId === undefined) throw new AppError('VALIDATION_FAILED', 'bad card id');
    const started = await startPayment(
      deps,
      holder,
      {
        kind: 'BALANCE',
        amountCents: cents,
        saveCard: form.data.saveCard === 'yes',
        paymentCardId: cardId,
        submissionKey: form.data.submissionKey,
      },
      originOf(req),
    );
    res.redirect(303, nextPage(org, started));
  });

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
    let refresh = false;
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
        <p class="hint">A copy of this receipt was emailed to you. To print it, use your browser's Print.</p>
        <a class="button" href="/portal/${org.slug}/account/payments/${request.id}/receipt.pdf"
          >Download receipt (PDF)</a
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
      // Waiting for the provider, or for the client on the provider's page.
      refresh = request.status === 'PROCESSING' || request.status === 'PENDING' || req.query.from !== undefined;
      title = isSetup ? 'Saving your card' : 'Payment in progress';
      body = html`<div class="card">
        <p role="status">
          ${
            request.status === 'AWAITING_PAYMENT'
              ? 'Your payment is waiting for you on the secure payment page. If you already paid, this page updates as soon as the payment is confirmed.'
              : 'We are confirming your payment with the card processor. This page updates by itself.'
          }
        </p>
        ${
          request.status === 'AWAITING_PAYMENT' && request.checkoutUrl
            ? html`<a class="button" href="${request.checkoutUrl}">Continue to secure payment</a>
                <a class="button secondary" href="/portal/${org.slug}/account/payments/${request.id}/cancel"
                  >Cancel this payment</a
                >`
            : html`<a class="button secondary" href="/portal/${org.slug}/account">Back to My Account</a>`
        }
      </div>`;
    }
    const rendered = page({ title, practiceName: org.name, brandColor: org.brandColor, body });
    send(res, 200, refresh ? rendered.replace('<head>', '<head><meta http-equiv="refresh" content="3" />') : rendered);
  });

  /** Cancel on the provider's page (its cancel URL): back to My Account, nothing charged. */
  router.get('/portal/:orgSlug/account/payments/:paymentRequestId/cancel', async (req, res) => {
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

  router.get('/portal/:orgSlug/account/invoices/:invoiceId/:document', async (req, res) => {
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    const kind =
      req.params.document === 'invoice.pdf' ? 'invoice' : req.params.document === 'superbill.pdf' ? 'superbill' : null;
    const id = ZId.safeParse(req.params.invoiceId);
    const found = kind && id.success ? await loadInvoice(deps.db, holder, id.data) : null;
    if (!found || (kind === 'superbill' && !found.document.superbill)) {
      notFound(res, org, 'Invoice');
      return;
    }
    const client = await deps.db.client.findUniqueOrThrow({
      where: { id: holder.clientId },
      select: { firstName: true, lastName: true, dateOfBirth: true },
    });
    await audit(req, holder, kind === 'invoice' ? 'invoice.download' : 'superbill.download', {
      invoiceId: found.invoice.id,
    });
    const invoice = { ...found.document, balanceCents: found.invoice.balanceCents };
    const paidCents = found.applied.reduce((sum, entry) => sum + entry.amountCents, 0);
    const clientName = `${client.firstName} ${client.lastName}`;
    const fileStem = found.invoice.externalInvoiceId.replace(/[^A-Za-z0-9._-]/g, '-');
    if (kind === 'invoice') {
      pdf(
        res,
        `invoice-${fileStem}.pdf`,
        await invoicePdf({
          practiceName: org.name,
          clientName,
          invoice,
          paidCents,
          timeZone: org.timeZone,
          payments: found.applied.map(({ payment, amountCents }) => ({
            paidAt: payment.paidAt.toISOString(),
            amountCents,
            receiptNumber: payment.receiptNumber,
            card: payment.cardLast4 ? cardText({ brand: payment.cardBrand ?? 'card', last4: payment.cardLast4 }) : null,
          })),
        }),
      );
    } else {
      pdf(
        res,
        `superbill-${fileStem}.pdf`,
        await superbillPdf({
          practiceName: org.name,
          clientName,
          dateOfBirth: client.dateOfBirth.toISOString().slice(0, 10),
          invoice,
          paidCents,
          timeZone: org.timeZone,
        }),
      );
    }
  });

  router.get('/portal/:orgSlug/account/cards', async (req, res) => {
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    if (!(await paymentsOpen(deps, holder.organizationId))) throw new AppError('NOT_FOUND', 'payments are off');
    const cards = await listCards(deps.db, holder);
    const csrf = csrfField(req, res, deps.tokenSigningKey, deps.secure);
    const done = typeof req.query.done === 'string' ? req.query.done : null;
    send(
      res,
      200,
      page({
        title: 'Cards on file',
        practiceName: org.name,
        brandColor: org.brandColor,
        body: html`${done === 'removed' ? html`<p class="ok" role="status">The card was removed.</p>` : ''}
          ${done === 'default' ? html`<p class="ok" role="status">Your default card was changed.</p>` : ''}
          <div class="card">
            ${
              cards.length === 0
                ? html`<p>You have no cards on file.</p>`
                : html`<ul class="documents cards">
                    ${cards.map(
                      (card) =>
                        html`<li>
                          <span
                            >${cardText(card)}, expires ${String(card.expMonth).padStart(2, '0')}/${card.expYear}</span
                          >
                          ${card.isDefault ? html`<span class="tag tag-submitted">Default</span>` : ''}
                          <span class="actions">
                            ${
                              card.isDefault
                                ? ''
                                : html`<form
                                    method="post"
                                    action="/portal/${org.slug}/account/cards/${card.id}/default"
                                  >
                                    <input type="hidden" name="_csrf" value="${csrf}" />
                                    <button type="submit" class="secondary">
                                      Make default<span class="visually-hidden"> ${cardText(card)}</span>
                                    </button>
                                  </form>`
                            }
                            <form method="post" action="/portal/${org.slug}/account/cards/${card.id}/remove">
                              <input type="hidden" name="_csrf" value="${csrf}" />
                              <button type="submit" class="secondary">
                                Remove<span class="visually-hidden"> ${cardText(card)}</span>
                              </button>
                            </form>
                          </span>
                        </li>`,
                    )}
                  </ul>`
            }
            <form method="post" action="/portal/${org.slug}/account/cards/add">
              <input type="hidden" name="_csrf" value="${csrf}" />
              <input type="hidden" name="submissionKey" value="${randomBytes(24).toString('base64url')}" />
              <button type="submit">Add a card</button>
            </form>
            <a class="button secondary" href="/portal/${org.slug}/account">Back to My Account</a>
          </div>`,
      }),
    );
  });

  /** The onboarding's payment step, from the portal home. */
  router.post('/portal/:orgSlug/account/onboarding-step', async (req, res) => {
    assertCsrf(req, deps.tokenSigningKey);
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    const key = submissionKeyOf(req);
    const step = await clientPaymentStep(deps.db, holder);
    if (!step) throw new AppError('NOT_FOUND', 'no payment step');
    const started = await startPayment(
      deps,
      holder,
      {
        kind: step.kind === 'DEPOSIT' ? 'DEPOSIT' : 'CARD_SETUP',
        amountCents: 0,
        saveCard: step.kind === 'CARD_ON_FILE',
        paymentCardId: null,
        submissionKey: key,
        onboardingStep: true,
      },
      originOf(req),
    );
    res.redirect(303, nextPage(org, started));
  });

  router.post('/portal/:orgSlug/account/cards/add', async (req, res) => {
    assertCsrf(req, deps.tokenSigningKey);
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    const key = submissionKeyOf(req);
    const started = await startPayment(
      deps,
      holder,
      { kind: 'CARD_SETUP', amountCents: 0, saveCard: true, paymentCardId: null, submissionKey: key },
      originOf(req),
    );
    res.redirect(303, nextPage(org, started));
  });

  router.post('/portal/:orgSlug/account/cards/:cardId/:action', async (req, res) => {
    assertCsrf(req, deps.tokenSigningKey);
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    const id = ZId.safeParse(req.params.cardId);
    const action = req.params.action;
    const done =
      id.success && action === 'remove'
        ? await removeCard(deps, holder, id.data, originOf(req))
        : id.success && action === 'default'
          ? await makeDefaultCard(deps, holder, id.data, originOf(req))
          : false;
    if (!done) {
      notFound(res, org, 'Card');
      return;
    }
    res.redirect(303, `/portal/${org.slug}/account/cards?done=${action === 'remove' ? 'removed' : 'default'}`);
  });

  return router;
}
