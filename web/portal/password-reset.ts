/**
 * Forgot your password: ask for a link by email (the same answer whether or
 * not the address has an account), then choose a new password from it.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from '../../security/passwords';
import { originOf } from '../../http/audit-context';
import { html, page, type Html } from '../html';
import { send } from '../send-page';
import { inspectPasswordResetLink, requestPasswordReset, resetPassword } from '../../use-cases/accounts/password-reset';
import { findOrganizationBySlug } from '../../use-cases/practice/find-organization';
import { howToReach, type PagePractice } from '../practice-contact';
import { newPasswordFields } from './new-password-fields';
import { type PortalContext } from './portal-session';

export function passwordResetRoutes(
  deps: PortalContext,
  tooMany: (req: Request, res: Response) => Promise<boolean>,
): Router {
  const router = Router();
  const base = '';
  const organizationBySlug = (slug: string) => findOrganizationBySlug(deps.db, slug);

  const ZForgot = z.object({ email: z.string().trim().max(254) });
  const ZNewPassword = z.object({
    password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
    passwordConfirmation: z.string().max(MAX_PASSWORD_LENGTH),
  });

  const forgotPage = (req: Request, res: Response, org: PagePractice, sent: boolean) =>
    page({
      title: 'Reset your password',
      practiceName: org.name,
      brandColor: org.brandColor,
      contact: org.contact,
      body: sent
        ? html`<div class="card">
            <p class="ok" role="status">
              If there is a portal account for that email, we have sent it a link to choose a new password. The link
              works for an hour. If the account was never set up, a new invitation goes to it instead.
            </p>
            <a class="button" href="${base}/portal/${org.slug}/login">Back to sign in</a>
          </div>`
        : html`<div class="card">
            <p>Enter the email address you sign in with. We will email you a link to choose a new password.</p>
            <p class="hint">
              Never set up your account, or your invitation link expired? Enter the address ${org.name} invited you at,
              and we will email you a new invitation.
            </p>
            <form method="post" action="${base}/portal/${org.slug}/password/forgot">
              <input type="hidden" name="_csrf" value="${deps.csrf(req, res)}" />
              <label for="email">Email</label>
              <input id="email" name="email" type="email" autocomplete="email" required maxlength="254" />
              <button type="submit">Email me a link</button>
            </form>
          </div>`,
    });

  router.get('/portal/:orgSlug/password/forgot', async (req, res) => {
    const org = await organizationBySlug(req.params.orgSlug);
    send(res, 200, forgotPage(req, res, org, false));
  });

  router.post('/portal/:orgSlug/password/forgot', async (req, res) => {
    deps.checkCsrf(req);
    if (await tooMany(req, res)) return;
    const org = await organizationBySlug(req.params.orgSlug);
    const form = ZForgot.safeParse(req.body);
    if (form.success && form.data.email) {
      await requestPasswordReset(deps, org.id, form.data.email, originOf(req));
    }
    // The same answer whether or not the email has an account.
    send(res, 200, forgotPage(req, res, org, true));
  });

  const newPasswordPage = (req: Request, res: Response, org: PagePractice, message: Html | null) =>
    page({
      title: 'Choose a new password',
      practiceName: org.name,
      contact: org.contact,
      brandColor: org.brandColor,
      body: html`<div class="card">
        ${message ?? ''}
        <form method="post" novalidate>
          <input type="hidden" name="_csrf" value="${deps.csrf(req, res)}" />
          ${newPasswordFields()}
          <button type="submit">Set my new password</button>
        </form>
      </div>`,
    });

  /** A used or expired link: the practice stays named, with the way to a new link and to the practice itself. */
  const resetLinkInvalid = (org: PagePractice) =>
    page({
      title: 'This link can no longer be used',
      practiceName: org.name,
      brandColor: org.brandColor,
      contact: org.contact,
      body: html`<div class="card">
        <p>This password reset link has expired or was already used. A link works once, for an hour.</p>
        <a class="button" href="${base}/portal/${org.slug}/password/forgot">Email me a new link</a>
        <p><a href="${base}/portal/${org.slug}/login">Back to sign in</a></p>
        <p class="hint">Still cannot sign in?</p>
        ${howToReach(org)}
      </div>`,
    });

  /** The practice the URL names (a 404 if none), and the link's practice only if it is that one. */
  const linkOf = async (req: Request) => {
    const org = await organizationBySlug(String(req.params.orgSlug));
    const linkOrg = await inspectPasswordResetLink(deps.db, deps.tokenSigningKey, String(req.params.token));
    return { org, valid: linkOrg?.slug === org.slug };
  };

  router.get('/portal/:orgSlug/password/reset/:token', async (req, res) => {
    const { org, valid } = await linkOf(req);
    if (!valid) {
      send(res, 410, resetLinkInvalid(org));
      return;
    }
    send(res, 200, newPasswordPage(req, res, org, null));
  });

  router.post('/portal/:orgSlug/password/reset/:token', async (req, res) => {
    deps.checkCsrf(req);
    if (await tooMany(req, res)) return;
    const { org, valid } = await linkOf(req);
    if (!valid) {
      send(res, 410, resetLinkInvalid(org));
      return;
    }
    const form = ZNewPassword.safeParse(req.body);
    if (!form.success) {
      send(
        res,
        400,
        newPasswordPage(req, res, org, html`<p class="error" role="alert">Please fill in both fields.</p>`),
      );
      return;
    }
    const result = await resetPassword(deps.db, deps.tokenSigningKey, req.params.token, form.data, originOf(req));
    switch (result.outcome) {
      case 'reset':
        send(
          res,
          200,
          page({
            title: 'Your password is changed',
            practiceName: org.name,
            contact: org.contact,
            brandColor: org.brandColor,
            body: html`<div class="card">
              <p class="ok" role="status">Your new password is set. You have been signed out everywhere else.</p>
              <a class="button" href="${base}/portal/${result.organizationSlug}/login">Sign in</a>
            </div>`,
          }),
        );
        return;
      case 'weak-password':
        send(res, 422, newPasswordPage(req, res, org, html`<p class="error" role="alert">${result.problem}</p>`));
        return;
      case 'invalid':
        send(res, 410, resetLinkInvalid(org));
        return;
    }
  });

  return router;
}
