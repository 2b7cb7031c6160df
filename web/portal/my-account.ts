/**
 * My Account (seed 002): the client's balance and account history, sorted
 * and filtered, with links to invoices, superbills and receipts.
 */
import { Router } from 'express';
import { z } from 'zod';
import { formatMoney } from '../../domain/money';
import { html, page } from '../html';
import { send } from '../send-page';
import { accountOverview, type HistoryQuery } from '../../use-cases/billing/portal-payments';
import { accountPages, dateText, STATUS_TEXT } from './account-pages';
import type { PortalContext } from './portal-session';

const ZHistoryQuery = z.object({
  kind: z.enum(['invoice', 'payment']).optional().catch(undefined),
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
  sort: z.enum(['date', 'amount']).catch('date'),
  order: z.enum(['asc', 'desc']).catch('desc'),
});

export function myAccountRoutes(deps: PortalContext): Router {
  const router = Router();
  const { signedIn, audit } = accountPages(deps);

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
        contact: org.contact,
        brandColor: org.brandColor,
        // Wide (not a phone's column) on a desktop: the history is a five-column table.
        wide: true,
        body: html`<div class="account-page">
          ${notice}
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
                : html`<div class="table-scroll">
                    <table class="list history">
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
                              <td data-label="Date" class="date">
                                ${dateText(entry.date, org.timeZone, entry.kind === 'payment')}
                              </td>
                              <td data-label="Description">${entry.description}</td>
                              <td data-label="Amount" class="amount">${formatMoney(entry.amountCents)}</td>
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
                    </table>
                  </div>`
            }
            <a class="button secondary" href="/portal/${org.slug}">Back to home</a>
          </div>
        </div>`,
      }),
    );
  });

  return router;
}
