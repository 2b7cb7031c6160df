/**
 * What the pages of My Account share (seed 002: balance, Pay Now, receipts,
 * invoices, cards on file): the signed-in account holder, audit entries,
 * the not-found page, PDF answers and how money and cards are written.
 *
 * No card number is ever typed on these pages: a new card goes on the
 * provider's hosted page, a saved one is named by our id for it. Plain HTML
 * posts with CSRF tokens; the only other origin a form may lead to is the
 * provider's checkout (form-action in the portal's CSP, web/portal/portal-routes.ts).
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { recordAudit } from '../../audit/audit-log';
import { originOf } from '../../http/audit-context';
import { AppError } from '../../use-cases/app-error';
import { accountHolder, type AccountHolder, type StartedPayment } from '../../use-cases/billing/portal-payments';
import { html, page } from '../html';
import { send } from '../send-page';
import { signedInClient, type PortalContext } from './portal-session';
import type { TPracticeContact } from '../../schemas/practice-settings';

export const ZId = z.uuid();
export const ZSubmissionKey = z.string().regex(/^[A-Za-z0-9_-]{32,64}$/);

export const STATUS_TEXT: Record<string, string> = {
  OPEN: 'Open',
  PAID: 'Paid',
  VOID: 'Void',
};

export function dateText(date: Date, timeZone: string, withTime = false): string {
  return new Intl.DateTimeFormat('en-US', {
    dateStyle: 'medium',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: withTime ? timeZone : 'UTC',
  }).format(date);
}

export function cardText(card: { brand: string; last4: string }): string {
  const brand = card.brand.charAt(0).toUpperCase() + card.brand.slice(1);
  return `${brand} ending ${card.last4}`;
}

/** After a confirm: the provider's page, or (a payment already open, a slow provider, a finished one) the payment's own page. */
export function nextPage(org: { slug: string }, started: StartedPayment): string {
  return started.link.next === 'redirect' && !started.alreadyOpen
    ? started.link.url
    : `/portal/${org.slug}/account/payments/${started.paymentRequestId}`;
}

/** The review page's submission key: the same page posted twice is one payment. */
export function submissionKeyOf(req: Request): string {
  const key = ZSubmissionKey.safeParse((req.body as Record<string, unknown>).submissionKey);
  if (!key.success) throw new AppError('VALIDATION_FAILED', 'bad submission key');
  return key.data;
}

/** The helpers every My Account page uses, bound to the portal's context. */
export function accountPages(deps: PortalContext) {
  /** The practice and the signed-in client, or a redirect to sign in. */
  const signedIn = async (req: Request, res: Response) => {
    const session = await signedInClient(deps, req, res);
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

  const notFound = (res: Response, org: { name: string; slug: string; contact: TPracticeContact }, what: string) =>
    send(
      res,
      404,
      page({
        title: `${what} not found`,
        practiceName: org.name,
        contact: org.contact,
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

  return { signedIn, audit, notFound, pdf };
}
