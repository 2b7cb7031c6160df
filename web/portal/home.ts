/**
 * The portal home: what needs doing first (forms, the onboarding's payment
 * step, a balance), each its own card; "You're all set" when nothing does.
 * The counts come from the same use cases as My Documents and My Account, so
 * the home never disagrees with the page it links to.
 */
import { Router } from 'express';
import { formatMoney } from '../../domain/money';
import { html, page, type Html } from '../html';
import { send } from '../send-page';
import { loginEmail } from '../../use-cases/accounts/portal-sessions';
import { countOutstandingDocuments } from '../../use-cases/forms/portal-documents';
import { accountHolder, accountOverview } from '../../use-cases/billing/portal-payments';
import { mayUse } from '../../use-cases/portal-access-policy';
import { signedInClient, type PortalContext } from './portal-session';
import { paymentStepPanel } from './payment-step';

export function homeRoutes(deps: PortalContext): Router {
  const router = Router();

  router.get('/portal/:orgSlug', async (req, res) => {
    const session = await signedInClient(deps, req, res);
    if (!session) return;
    const { org, user, access } = session;
    const holder = await accountHolder(deps.db, user);
    const csrf = deps.csrf(req, res);
    // Only what this user may open is counted and offered (their permissions, set by staff).
    const forms = mayUse(access, 'FORMS');
    const billing = mayUse(access, 'BILLING');
    const [outstanding, account, paymentStep] = await Promise.all([
      forms ? countOutstandingDocuments(deps.db, user) : 0,
      billing ? accountOverview(deps, holder, { sort: 'date', order: 'desc' }) : null,
      billing ? paymentStepPanel(deps, holder, org, csrf) : null,
    ]);
    // Just registered (and signed in by it): the one moment to say which address is their login from now on.
    const welcome =
      req.query.welcome !== undefined
        ? html`<p class="ok" role="status" data-testid="welcome">
            Your account is ready. Next time, sign in with <strong>${await loginEmail(deps.db, user)}</strong> and the
            password you just chose.
          </p>`
        : '';

    const tasks: Html[] = [];
    if (outstanding > 0) {
      tasks.push(
        html`<a class="task" href="/portal/${org.slug}/documents" data-testid="task-forms">
          <span class="task-title">Complete your forms</span>
          <span class="task-detail"
            >${outstanding} ${outstanding === 1 ? 'form' : 'forms'} from ${org.name} to complete</span
          >
        </a>`,
      );
    }
    if (paymentStep) tasks.push(html`<div class="task">${paymentStep}</div>`);
    if (account?.openPayment) {
      tasks.push(
        html`<a class="task" href="/portal/${org.slug}/account/payments/${account.openPayment.id}">
          <span class="task-title">A payment is in progress</span>
          <span class="task-detail">See where it stands</span>
        </a>`,
      );
    } else if (account && account.balanceCents > 0) {
      tasks.push(
        html`<a
          class="task"
          href="/portal/${org.slug}/account${account.paymentsOpen ? '/pay' : ''}"
          data-testid="task-balance"
        >
          <span class="task-title">Balance due: ${formatMoney(account.balanceCents)}</span>
          <span class="task-detail">${account.paymentsOpen ? 'Pay now' : 'See your account'}</span>
        </a>`,
      );
    }

    send(
      res,
      200,
      page({
        title: `Welcome, ${user.displayName}`,
        practiceName: org.name,
        contact: org.contact,
        brandColor: org.brandColor,
        // Signing out is always there but never the first thing offered: the header, styled as a link.
        nav: html`<form method="post" action="/portal/${org.slug}/logout">
          <input type="hidden" name="_csrf" value="${csrf}" />
          <button type="submit">Sign out</button>
        </form>`,
        body: html`${welcome}
        ${
          tasks.length > 0
            ? html`<section aria-labelledby="todo-heading">
                <h2 id="todo-heading" class="section-heading">To do</h2>
                <div class="tasks">${tasks}</div>
              </section>`
            : html`<div class="card all-set" data-testid="all-set">
                <h2>You're all set</h2>
                <p>
                  Nothing needs doing right now. ${org.name} will email you when there are forms for you to complete or
                  a new bill.
                </p>
              </div>`
        }
        ${
          forms || billing
            ? html`<nav aria-label="Your account" class="areas">
                ${
                  forms
                    ? html`<a href="/portal/${org.slug}/documents" data-testid="area-documents"
                        ><span class="area-title">My Documents</span>
                        <span class="hint">forms and signed copies</span></a
                      >`
                    : ''
                }
                ${
                  billing
                    ? html`<a href="/portal/${org.slug}/account" data-testid="area-account"
                        ><span class="area-title">My Account</span>
                        <span class="hint">balance, payments and receipts</span></a
                      >`
                    : ''
                }
              </nav>`
            : ''
        }`,
      }),
    );
  });

  return router;
}
