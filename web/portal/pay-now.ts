/**
 * Pay Now (seed 002): amount and card → review → confirm, then the
 * provider's hosted page (a new card) or a charge of a saved one. No card
 * number is ever typed on these pages. The same review page posted twice is
 * one payment (its submission key).
 *
 * Every page of the flow is the answer to a GET (post, then redirect): Back
 * from the receipt lands on a page the browser can load again, never on a
 * POST result it would have to resubmit (Chrome's ERR_CACHE_MISS). The review
 * page's URL carries its submission key, so going Back to it and pressing Pay
 * again is still the one payment, and the page says it was made.
 */
import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { amountProblem, formatMoney, parseAmountToCents } from '../../domain/money';
import { AppError } from '../../use-cases/app-error';
import { originOf } from '../../http/audit-context';
import { html, page } from '../html';
import { send } from '../send-page';
import { accountOverview, paymentOfSubmission, startPayment } from '../../use-cases/billing/portal-payments';
import { accountPages, cardText, nextPage, ZId, ZSubmissionKey } from './account-pages';
import type { PortalContext } from './portal-session';

const ZPayForm = z.object({
  amount: z.string().max(32).default(''),
  card: z.string().max(64).default('new'),
  saveCard: z.literal('yes').optional(),
});

export function payNowRoutes(deps: PortalContext): Router {
  const router = Router();
  const { signedIn } = accountPages(deps);

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
        contact: org.contact,
        brandColor: org.brandColor,
        body: html`${problem ? html`<div class="error" role="alert" id="amount-error">${problem}</div>` : ''}
          <form method="post" action="/portal/${org.slug}/account/pay/review" class="card" novalidate>
            <input type="hidden" name="_csrf" value="${deps.csrf(req, res)}" />
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

  /** Pay Now, step 1 posted: on to the review page by a GET, with a new submission key in its URL. */
  router.post('/portal/:orgSlug/account/pay/review', async (req, res) => {
    deps.checkCsrf(req);
    const session = await signedIn(req, res);
    if (!session) return;
    const form = ZPayForm.safeParse(req.body);
    if (!form.success) throw new AppError('VALIDATION_FAILED', 'bad pay form');
    const { amount, card, saveCard } = form.data;
    const query = new URLSearchParams({
      amount,
      card,
      ...(saveCard === 'yes' ? { saveCard } : {}),
      key: randomBytes(24).toString('base64url'),
    });
    res.redirect(303, `/portal/${session.org.slug}/account/pay/review?${query.toString()}`);
  });

  /** Pay Now, step 2: review everything before confirming. */
  router.get('/portal/:orgSlug/account/pay/review', async (req, res) => {
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    const form = ZPayForm.extend({ key: ZSubmissionKey }).safeParse(req.query);
    if (!form.success) {
      // A hand-made or truncated URL: start the payment again rather than show an error.
      res.redirect(303, `/portal/${org.slug}/account/pay`);
      return;
    }
    const { amount, card, saveCard, key } = form.data;
    const made = await paymentOfSubmission(deps.db, holder, key);
    if (made) {
      send(
        res,
        200,
        page({
          title: 'This payment was already made',
          practiceName: org.name,
          brandColor: org.brandColor,
          body: html`<div class="card">
            <p role="status">You already confirmed this payment, so it was not made again.</p>
            <a class="button" href="/portal/${org.slug}/account/payments/${made.id}" data-testid="made-payment"
              >See this payment</a
            >
            <a class="button secondary" href="/portal/${org.slug}/account">Back to My Account</a>
          </div>`,
        }),
      );
      return;
    }
    const typed = { amount, card, saveCard: saveCard === 'yes' };
    const account = await accountOverview(deps, holder, { sort: 'date', order: 'desc' });
    const cents = parseAmountToCents(amount);
    const problem = amountProblem(amount);
    if (cents === null || problem) {
      await payForm(req, res, session, typed, problem ?? 'Enter the amount as a number, for example 45.00.');
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
        contact: org.contact,
        brandColor: org.brandColor,
        body: html`<form method="post" action="/portal/${org.slug}/account/pay" class="card">
          <input type="hidden" name="_csrf" value="${deps.csrf(req, res)}" />
          <input type="hidden" name="submissionKey" value="${key}" />
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
    deps.checkCsrf(req);
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

  return router;
}
