/**
 * The client portal's pages: registration through the invitation link, sign
 * in and out here, and every area mounted from its own file. Forms are plain
 * HTML posts protected by CSRF tokens; nothing on these pages shows clinical
 * information (seed 003).
 */
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from '../../security/passwords';
import { originOf } from '../../http/audit-context';
import { html, page, type Html } from '../html';
import { howToReach, type PagePractice } from '../practice-contact';
import { send } from '../send-page';
import { doorLimiter } from '../door-limiter';
import { accountAttemptLimiter } from '../../security/account-attempts';
import { signIn, signInAfterRegistration } from '../../use-cases/accounts/portal-sessions';
import { findOrganizationBySlug } from '../../use-cases/practice/find-organization';
import {
  inspectRegistrationLink,
  registerPortalAccount,
  type RegistrationLink,
} from '../../use-cases/accounts/register-portal-account';
import { offersNewLink, requestNewInvitationLink } from '../../use-cases/accounts/request-invitation-link';
import { billingDocumentRoutes } from './billing-documents';
import { cardRoutes } from './cards';
import { homeRoutes } from './home';
import { myAccountRoutes } from './my-account';
import { MAX_FORM_FIELDS, myDocumentRoutes } from './my-documents';
import { newPasswordFields } from './new-password-fields';
import { passwordResetRoutes } from './password-reset';
import { payNowRoutes } from './pay-now';
import { paymentStatusRoutes } from './payment-status';
import { paymentStepRoutes } from './payment-step';
import { endSession, portalContext, signedInClient, startSession, type PortalDeps } from './portal-session';
import { PORTAL_DOCUMENT_BODY_LIMIT } from '../../http/body-limits';

const ZRegistrationForm = z.object({
  lastName: z.string().trim().min(1).max(100),
  dateOfBirth: z.iso.date(),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  passwordConfirmation: z.string().max(MAX_PASSWORD_LENGTH),
});
const ZSignInForm = z.object({ email: z.string().trim().max(254), password: z.string().max(MAX_PASSWORD_LENGTH) });

/**
 * What the person typed comes back after an error, so they fix one field, not
 * four. Never the passwords: a password written back into the page would sit
 * in its HTML (view-source, a shared screen, a proxy's log), so the message
 * asks for them again instead.
 */
interface Typed {
  lastName?: string;
  dateOfBirth?: string;
}

/** A non-secret field of a post as typed, whatever its shape, cut to what its input allows. */
function typedField(body: unknown, name: string, max: number): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, max) : undefined;
}

function typedIn(body: unknown): Typed {
  return { lastName: typedField(body, 'lastName', 100), dateOfBirth: typedField(body, 'dateOfBirth', 10) };
}

const passwordsAgain = 'For your security, please enter your new password again.';

function registrationForm(csrf: string, link: RegistrationLink, message: Html | null, typed: Typed = {}): string {
  return page({
    title: 'Set up your portal account',
    practiceName: link.practiceName,
    brandColor: link.brandColor,
    contact: link.contact,
    body: html`<div class="card">
      <p>
        To confirm it is you, enter your last name and date of birth as ${link.practiceName} has them, then choose a
        password.
      </p>
      ${message ?? ''}
      <form method="post" novalidate>
        <input type="hidden" name="_csrf" value="${csrf}" />
        <label for="lastName">Last name</label>
        <input
          id="lastName"
          name="lastName"
          autocomplete="family-name"
          required
          maxlength="100"
          value="${typed.lastName ?? ''}"
        />
        <label for="dateOfBirth">Date of birth</label>
        <input
          id="dateOfBirth"
          name="dateOfBirth"
          type="date"
          autocomplete="bday"
          required
          value="${typed.dateOfBirth ?? ''}"
        />
        ${newPasswordFields()}
        <button type="submit">Create my account</button>
      </form>
    </div>`,
  });
}

/** The practice of a link, as page() and howToReach() take it. */
function practiceOf(link: RegistrationLink) {
  return { name: link.practiceName, contact: link.contact };
}

/**
 * Every unusable link gets this page: it says what to do, whom to ask (the
 * practice of an expired or revoked invitation; none for a link we never
 * issued) and nothing about the chart. `newLink`: the form of "Email me a new
 * link", for an expired or superseded link whose practice offers it.
 */
function linkNotValidPage(
  link: RegistrationLink | null,
  newLink: { csrf: string; token: string } | null = null,
): string {
  return page({
    title: 'This link can no longer be used',
    practiceName: link?.practiceName,
    brandColor: link?.brandColor,
    contact: link?.contact,
    body: html`<div class="card">
      <p>This invitation link has expired or is no longer valid.</p>
      ${
        link && newLink
          ? html`<p>We can email a new link to the address ${link.practiceName} has for you.</p>
              <form method="post" action="/portal/register/${newLink.token}/new-link">
                <input type="hidden" name="_csrf" value="${newLink.csrf}" />
                <button type="submit">Email me a new link</button>
              </form>
              <p class="hint">If that address is wrong or no longer yours:</p>
              ${howToReach(practiceOf(link), 'to send you a new invitation')}`
          : link
            ? howToReach(practiceOf(link), 'to send you a new invitation')
            : html`<p>Check that you opened the whole link from your invitation email.</p>
                ${howToReach(null)}`
      }
    </div>`,
  });
}

/**
 * The one answer to "Email me a new link", whatever happened behind it: sent,
 * the weekly limit reached, or the practice no longer waiting on this link.
 */
function newLinkAskedPage(link: RegistrationLink | null): string {
  return page({
    title: 'Check your email',
    practiceName: link?.practiceName,
    brandColor: link?.brandColor,
    contact: link?.contact,
    body: html`<div class="card">
      <p class="ok" role="status">
        If a new link can be sent for this invitation, it is on its way to the email address
        ${link ? link.practiceName : 'the practice'} has for you. It can take a few minutes; check your spam folder too.
        This old link stays closed.
      </p>
      <p class="hint">If nothing arrives:</p>
      ${howToReach(link ? practiceOf(link) : null)}
    </div>`,
  });
}

function lockedPage(link: RegistrationLink): string {
  return page({
    title: 'This link is locked',
    practiceName: link.practiceName,
    brandColor: link.brandColor,
    contact: link.contact,
    body: html`<div class="card">
      <p>The details entered did not match too many times, so this link has been locked to protect your information.</p>
      ${howToReach(practiceOf(link), 'to send you a new invitation')}
    </div>`,
  });
}

function alreadyUsedPage(publicBaseUrl: string, link: RegistrationLink): string {
  return page({
    title: 'This link was already used',
    practiceName: link.practiceName,
    brandColor: link.brandColor,
    contact: link.contact,
    body: html`<div class="card">
      <p>An account was already set up with this invitation. You can sign in with your email and password.</p>
      <a class="button" href="${publicBaseUrl}/portal/${link.organizationSlug}/login">Go to sign in</a>
      <p class="hint">If that was not you:</p>
      ${howToReach(practiceOf(link))}
    </div>`,
  });
}

export function portalRoutes(portalDeps: PortalDeps): Router {
  const router = Router();
  const deps = portalContext(portalDeps);
  // Links between portal pages stay on whatever host served the page (relative), so they work behind any proxy.
  const base = '';
  // Intake forms post many fields and long answers, read only from a signed-in client; every other portal form is small.
  router.post('/portal/:orgSlug/documents/:assignmentId', async (req, res, next) => {
    if (await signedInClient(deps, req, res)) next();
  });
  router.use(
    '/portal/:orgSlug/documents',
    express.urlencoded({ extended: false, limit: PORTAL_DOCUMENT_BODY_LIMIT, parameterLimit: MAX_FORM_FIELDS }),
  );
  router.use('/portal', express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }));
  // Pay Now and Add a card post here and are sent on to the provider's hosted page, which form-action must allow.
  const formActionOrigins = (deps.payments?.redirectOrigins ?? [])
    .filter((origin) => origin !== new URL(deps.publicBaseUrl).origin)
    .map((origin) => ` ${origin}`)
    .join('');
  router.use('/portal', (_req, res, next) => {
    // Registration links carry a secret in the path: never leak it to another site.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'${formActionOrigins}; frame-ancestors 'none'; base-uri 'none'`,
    );
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });

  const tooMany = doorLimiter(deps.db, 'portal-doors', deps.tokenSigningKey);
  // Many addresses guessing one account: slowed per account too (security/account-attempts.ts).
  const accountAttempts = accountAttemptLimiter(deps.db, 'portal', deps.tokenSigningKey);

  router.get('/portal/register/:token', async (req, res) => {
    const state = await inspectRegistrationLink(deps.db, req.params.token);
    if (!state.usable) {
      if (state.reason === 'used') send(res, 409, alreadyUsedPage(base, state.link));
      else {
        const offer = await offersNewLink(deps.db, req.params.token);
        send(
          res,
          410,
          linkNotValidPage(state.link, offer ? { csrf: deps.csrf(req, res), token: req.params.token } : null),
        );
      }
      return;
    }
    send(res, 200, registrationForm(deps.csrf(req, res), state.link, null));
  });

  router.post('/portal/register/:token/new-link', async (req, res) => {
    deps.checkCsrf(req);
    if (await tooMany(req, res)) return;
    await requestNewInvitationLink(deps, req.params.token, originOf(req));
    const state = await inspectRegistrationLink(deps.db, req.params.token);
    send(res, 200, newLinkAskedPage(state.link));
  });

  router.post('/portal/register/:token', async (req, res) => {
    deps.checkCsrf(req);
    if (await tooMany(req, res)) return;
    const csrf = deps.csrf(req, res);
    const form = ZRegistrationForm.safeParse(req.body);
    if (!form.success) {
      const state = await inspectRegistrationLink(deps.db, req.params.token);
      if (!state.usable) {
        send(res, 410, linkNotValidPage(state.link));
        return;
      }
      const message = html`<p class="error" role="alert">
        Please fill in every field; the date of birth as day, month and year. ${passwordsAgain}
      </p>`;
      send(res, 400, registrationForm(csrf, state.link, message, typedIn(req.body)));
      return;
    }
    const result = await registerPortalAccount(deps, req.params.token, form.data, originOf(req));
    switch (result.outcome) {
      case 'registered':
        // Signed in at once, and sent on with a GET (Back and reload never post the form again); home says
        // which email address is their login from now on.
        await startSession(deps, req, res, await signInAfterRegistration(deps.db, result.account, originOf(req)));
        res.redirect(303, `${base}/portal/${result.link.organizationSlug}?welcome=1`);
        return;
      case 'mismatch':
        send(
          res,
          422,
          registrationForm(
            csrf,
            result.link,
            html`<p class="error" role="alert">
              Those details do not match our records. Check the spelling of your last name and your date of birth.
              ${
                result.attemptsLeft === 1
                  ? 'You have 1 more try before this link is locked to protect your information.'
                  : `You have ${result.attemptsLeft} more tries before this link is locked to protect your information.`
              }
              ${passwordsAgain}
            </p>`,
            form.data,
          ),
        );
        return;
      case 'weak-password':
        send(
          res,
          422,
          registrationForm(
            csrf,
            result.link,
            html`<p class="error" role="alert">${result.problem} ${passwordsAgain}</p>`,
            form.data,
          ),
        );
        return;
      case 'locked':
        send(res, 423, lockedPage(result.link));
        return;
      case 'used':
        send(res, 409, alreadyUsedPage(base, result.link));
        return;
      case 'invalid':
        send(res, 410, linkNotValidPage(result.link));
        return;
    }
  });

  /** After a refused sign-in the email stays typed in; the password never comes back. */
  const signInPage = (req: Request, res: Response, org: PagePractice, error: boolean, email = '') =>
    page({
      title: 'Sign in',
      practiceName: org.name,
      brandColor: org.brandColor,
      contact: org.contact,
      body: html`<div class="card">
        ${error ? html`<p class="error" role="alert">The email or password is not right, or sign-in is paused for a few minutes after several tries.</p>` : ''}
        <form method="post" action="${base}/portal/${org.slug}/login">
          <input type="hidden" name="_csrf" value="${deps.csrf(req, res)}" />
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${email}" />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit">Sign in</button>
          <p><a href="${base}/portal/${org.slug}/password/forgot">Forgot your password?</a></p>
          <p>
            <a href="${base}/portal/${org.slug}/password/forgot">Invitation link expired? Get a new one</a>
          </p>
        </form>
      </div>`,
    });

  const organizationBySlug = (slug: string) => findOrganizationBySlug(deps.db, slug);

  router.get('/portal/:orgSlug/login', async (req, res) => {
    const org = await organizationBySlug(req.params.orgSlug);
    send(res, 200, signInPage(req, res, org, false));
  });

  router.post('/portal/:orgSlug/login', async (req, res) => {
    deps.checkCsrf(req);
    if (await tooMany(req, res)) return;
    const org = await organizationBySlug(req.params.orgSlug);
    const form = ZSignInForm.safeParse(req.body);
    if (form.success && !(await accountAttempts.attempt(org.id, form.data.email))) {
      send(res, 429, signInPage(req, res, org, true, typedField(req.body, 'email', 254)));
      return;
    }
    const token = form.success
      ? await signIn(deps.db, org.id, form.data.email, form.data.password, originOf(req))
      : null;
    if (!token || !form.success) {
      send(res, 401, signInPage(req, res, org, true, typedField(req.body, 'email', 254)));
      return;
    }
    await accountAttempts.succeeded(org.id, form.data.email);
    await startSession(deps, req, res, token);
    res.redirect(303, `${base}/portal/${org.slug}`);
  });

  router.use(passwordResetRoutes(deps, tooMany));

  router.post('/portal/:orgSlug/logout', async (req, res) => {
    deps.checkCsrf(req);
    await endSession(deps, req, res);
    res.redirect(303, `${base}/portal/${encodeURIComponent(req.params.orgSlug)}/login`);
  });

  router.use(myDocumentRoutes(deps));
  router.use(myAccountRoutes(deps));
  router.use(payNowRoutes(deps));
  router.use(paymentStatusRoutes(deps));
  router.use(billingDocumentRoutes(deps));
  router.use(cardRoutes(deps));
  router.use(paymentStepRoutes(deps));
  router.use(homeRoutes(deps));

  return router;
}
