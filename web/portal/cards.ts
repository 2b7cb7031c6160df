/**
 * Credit/debit cards on file (seed 002): list, add (on the provider's page),
 * remove, make default; the first card saved is the default.
 */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { AppError } from '../../use-cases/app-error';
import { originOf } from '../../http/audit-context';
import { html, page } from '../html';
import { send } from '../send-page';
import {
  listCards,
  makeDefaultCard,
  paymentsOpen,
  removeCard,
  startPayment,
} from '../../use-cases/billing/portal-payments';
import { accountPages, cardText, nextPage, submissionKeyOf, ZId } from './account-pages';
import type { PortalContext } from './portal-session';

export function cardRoutes(deps: PortalContext): Router {
  const router = Router();
  const { signedIn, notFound } = accountPages(deps);

  router.get('/portal/:orgSlug/account/cards', async (req, res) => {
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    if (!(await paymentsOpen(deps, holder.organizationId))) throw new AppError('NOT_FOUND', 'payments are off');
    const cards = await listCards(deps.db, holder);
    const csrf = deps.csrf(req, res);
    const done = typeof req.query.done === 'string' ? req.query.done : null;
    send(
      res,
      200,
      page({
        title: 'Cards on file',
        practiceName: org.name,
        contact: org.contact,
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

  router.post('/portal/:orgSlug/account/cards/add', async (req, res) => {
    deps.checkCsrf(req);
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
    deps.checkCsrf(req);
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
