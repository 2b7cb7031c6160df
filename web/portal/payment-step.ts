/**
 * The onboarding's optional payment step on the portal home: a card on file
 * or an intake deposit, started with one button.
 */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { formatMoney } from '../../domain/money';
import { AppError } from '../../use-cases/app-error';
import { originOf } from '../../http/audit-context';
import { html, type Html } from '../html';
import { paymentsOpen, startPayment, type AccountHolder } from '../../use-cases/billing/portal-payments';
import { clientPaymentStep } from '../../use-cases/billing/onboarding-payment-step';
import { accountPages, nextPage, submissionKeyOf } from './account-pages';
import type { PortalContext } from './portal-session';

/**
 * The onboarding's payment step on the portal home, while it is to do: "put a
 * card on file" or "pay the intake deposit", one button that starts it.
 */
export async function paymentStepPanel(
  deps: Pick<PortalContext, 'db' | 'payments'>,
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

export function paymentStepRoutes(deps: PortalContext): Router {
  const router = Router();
  const { signedIn } = accountPages(deps);

  /** The onboarding's payment step, from the portal home. */
  router.post('/portal/:orgSlug/account/onboarding-step', async (req, res) => {
    deps.checkCsrf(req);
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

  return router;
}
