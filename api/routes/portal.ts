import type { Client } from '@temporalio/client';
import { parse, serialize } from 'cookie';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/client';
import type { Logger } from '../../observability/logger';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../security/passwords';
import { AppError } from '../app-error';
import { originOf } from '../audit-context';
import { assertCsrf, csrfField } from '../portal/csrf';
import { html, page, type Html } from '../portal/html';
import { currentUser, SESSION_ABSOLUTE_MS, signIn, signOut } from '../use-cases/portal-sessions';
import { createRateLimiter, rateLimitKeySecret } from '../../security/rate-limiter';
import { inspectPasswordResetLink, requestPasswordReset, resetPassword } from '../use-cases/password-reset';
import { countOutstandingDocuments } from '../use-cases/portal-documents';
import { MAX_FORM_FIELDS, portalDocumentRoutes } from './portal-documents';
import { paymentStepPanel, portalAccountRoutes } from './portal-account';
import { accountHolder } from '../use-cases/portal-payments';
import type { PaymentProvider } from '../../payments/payment-provider';
import {
  inspectRegistrationLink,
  registerPortalAccount,
  type RegistrationLink,
} from '../use-cases/register-portal-account';

export interface PortalDeps {
  db: Db;
  temporal: Client;
  logger: Logger;
  tokenSigningKey: Buffer;
  publicBaseUrl: string;
  taskQueue: string;
  /** The card processor, or null where this deployment takes no payments. */
  payments: PaymentProvider | null;
}

export const SESSION_COOKIE = 'portal_session';

/** Sign-in, registration and password-reset posts allowed per client address per window. */
export const DOOR_ATTEMPTS_PER_WINDOW = 20;
const DOOR_WINDOW_MS = 5 * 60 * 1000;

const ZRegistrationForm = z.object({
  lastName: z.string().trim().min(1).max(100),
  dateOfBirth: z.iso.date(),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  passwordConfirmation: z.string().max(MAX_PASSWORD_LENGTH),
});
const ZSignInForm = z.object({ email: z.string().trim().max(254), password: z.string().max(MAX_PASSWORD_LENGTH) });
const ZOrgSlug = z.string().regex(/^[a-z0-9-]{1,64}$/);

/** The practice a portal URL names; an unknown or malformed slug is a 404. */
export async function findOrganizationBySlug(db: Db, slug: string) {
  const parsed = ZOrgSlug.safeParse(slug);
  const org = parsed.success
    ? await db.organization.findUnique({
        where: { slug: parsed.data },
        select: { id: true, name: true, slug: true, brandColor: true },
      })
    : null;
  if (!org) throw new AppError('NOT_FOUND', 'unknown organisation slug');
  return org;
}

/**
 * The practice a portal page names and the client signed in to it, or null
 * after redirecting to its sign-in page (no session, or one of another practice).
 */
export async function signedInClient(db: Db, req: Request, res: Response) {
  const org = await findOrganizationBySlug(db, String(req.params.orgSlug));
  const user = await currentUser(db, parse(req.headers.cookie ?? '')[SESSION_COOKIE]);
  if (!user || user.organizationId !== org.id) {
    res.redirect(303, `/portal/${org.slug}/login`);
    return null;
  }
  const { timeZone } = await db.organization.findUniqueOrThrow({ where: { id: org.id }, select: { timeZone: true } });
  return { org: { ...org, timeZone }, user };
}

export function send(res: Response, status: number, body: string): void {
  res.status(status).type('html').send(body);
}

/** What the person typed comes back after an error (never the password), so they fix one field, not four. */
interface Typed {
  lastName?: string;
  dateOfBirth?: string;
}

function registrationForm(csrf: string, link: RegistrationLink, message: Html | null, typed: Typed = {}): string {
  return page({
    title: 'Set up your portal account',
    practiceName: link.practiceName,
    brandColor: link.brandColor,
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

/** A new password and its repetition: registration and password reset ask the same way. */
function newPasswordFields(): Html {
  return html`<label for="password"
      >New password <span class="hint">(at least ${MIN_PASSWORD_LENGTH} characters)</span></label
    >
    <input
      id="password"
      name="password"
      type="password"
      autocomplete="new-password"
      required
      minlength="${MIN_PASSWORD_LENGTH}"
      maxlength="${MAX_PASSWORD_LENGTH}"
    />
    <label for="passwordConfirmation">Repeat the password</label>
    <input
      id="passwordConfirmation"
      name="passwordConfirmation"
      type="password"
      autocomplete="new-password"
      required
      maxlength="${MAX_PASSWORD_LENGTH}"
    />`;
}

/** Every unusable link gets this page: it says what to do and nothing about the chart. */
function linkNotValidPage(): string {
  return page({
    title: 'This link can no longer be used',
    body: html`<div class="card">
      <p>This invitation link has expired or is no longer valid.</p>
      <p>Please contact your practice and ask them to send you a new invitation.</p>
    </div>`,
  });
}

function lockedPage(): string {
  return page({
    title: 'This link is locked',
    body: html`<div class="card">
      <p>The details entered did not match too many times, so this link has been locked to protect your information.</p>
      <p>Please contact your practice and ask them to send you a new invitation.</p>
    </div>`,
  });
}

function alreadyUsedPage(publicBaseUrl: string, link: RegistrationLink): string {
  return page({
    title: 'This link was already used',
    body: html`<div class="card">
      <p>An account was already set up with this invitation. You can sign in with your email and password.</p>
      <p class="hint">If that was not you, contact your practice.</p>
      <a class="button" href="${publicBaseUrl}/portal/${link.organizationSlug}/login">Go to sign in</a>
    </div>`,
  });
}

/**
 * The client-facing pages: registration through the invitation link, sign
 * in, a home page, sign out. Forms are plain HTML posts protected by CSRF
 * tokens; nothing on these pages shows clinical information (seed 003).
 */
export function portalRoutes(deps: PortalDeps): Router {
  const router = Router();
  const secure = deps.publicBaseUrl.startsWith('https://');
  // Links between portal pages stay on whatever host served the page (relative), so they work behind any proxy.
  const base = '';
  // Intake forms post many fields and long answers; every other portal form is small.
  router.use(
    '/portal/:orgSlug/documents',
    express.urlencoded({ extended: false, limit: '256kb', parameterLimit: MAX_FORM_FIELDS }),
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

  // Per client address, on every door a guesser would knock on (see security/rate-limiter.ts).
  const doors = createRateLimiter(deps.db, {
    name: 'portal-doors',
    limit: DOOR_ATTEMPTS_PER_WINDOW,
    windowMs: DOOR_WINDOW_MS,
    keySecret: rateLimitKeySecret(deps.tokenSigningKey),
  });
  const tooMany = async (req: Request, res: Response): Promise<boolean> => {
    if (await doors.attempt(req.ip ?? 'unknown')) return false;
    res.setHeader('Retry-After', String(DOOR_WINDOW_MS / 1000));
    send(
      res,
      429,
      page({
        title: 'Please wait a few minutes',
        body: html`<div class="card">
          <p>There have been too many attempts from your network. Please wait a few minutes and try again.</p>
        </div>`,
      }),
    );
    return true;
  };

  router.get('/portal/register/:token', async (req, res) => {
    const state = await inspectRegistrationLink(deps.db, req.params.token);
    if (!state.usable) {
      if (state.reason === 'used') send(res, 409, alreadyUsedPage(base, state.link));
      else send(res, 410, linkNotValidPage());
      return;
    }
    send(res, 200, registrationForm(csrfField(req, res, deps.tokenSigningKey, secure), state.link, null));
  });

  router.post('/portal/register/:token', async (req, res) => {
    assertCsrf(req, deps.tokenSigningKey);
    if (await tooMany(req, res)) return;
    const csrf = csrfField(req, res, deps.tokenSigningKey, secure);
    const form = ZRegistrationForm.safeParse(req.body);
    if (!form.success) {
      const state = await inspectRegistrationLink(deps.db, req.params.token);
      if (!state.usable) {
        send(res, 410, linkNotValidPage());
        return;
      }
      const message = html`<p class="error" role="alert">
        Please fill in every field; the date of birth as day, month and year.
      </p>`;
      send(res, 400, registrationForm(csrf, state.link, message));
      return;
    }
    const result = await registerPortalAccount(deps, req.params.token, form.data, originOf(req));
    switch (result.outcome) {
      case 'registered':
        send(
          res,
          200,
          page({
            title: 'Your account is ready',
            practiceName: result.link.practiceName,
            brandColor: result.link.brandColor,
            body: html`<div class="card">
              <p class="ok" role="status">You have set up your Client Portal account.</p>
              <p>Sign in with your email address and the password you just chose.</p>
              <a class="button" href="${base}/portal/${result.link.organizationSlug}/login">Sign in</a>
            </div>`,
          }),
        );
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
            </p>`,
          ),
        );
        return;
      case 'weak-password':
        send(
          res,
          422,
          registrationForm(csrf, result.link, html`<p class="error" role="alert">${result.problem}</p>`, form.data),
        );
        return;
      case 'locked':
        send(res, 423, lockedPage());
        return;
      case 'used':
        send(res, 409, alreadyUsedPage(base, result.link));
        return;
      case 'invalid':
        send(res, 410, linkNotValidPage());
        return;
    }
  });

  const signInPage = (req: Request, res: Response, slug: string, practiceName: string, error: boolean) =>
    page({
      title: 'Sign in',
      practiceName,
      body: html`<div class="card">
        ${error ? html`<p class="error" role="alert">The email or password is not right, or sign-in is paused for a few minutes after several tries.</p>` : ''}
        <form method="post" action="${base}/portal/${slug}/login">
          <input type="hidden" name="_csrf" value="${csrfField(req, res, deps.tokenSigningKey, secure)}" />
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="email" required maxlength="254" />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit">Sign in</button>
          <p><a href="${base}/portal/${slug}/password/forgot">Forgot your password?</a></p>
        </form>
      </div>`,
    });

  const organizationBySlug = (slug: string) => findOrganizationBySlug(deps.db, slug);

  router.get('/portal/:orgSlug/login', async (req, res) => {
    const org = await organizationBySlug(req.params.orgSlug);
    send(res, 200, signInPage(req, res, org.slug, org.name, false));
  });

  router.post('/portal/:orgSlug/login', async (req, res) => {
    assertCsrf(req, deps.tokenSigningKey);
    if (await tooMany(req, res)) return;
    const org = await organizationBySlug(req.params.orgSlug);
    const form = ZSignInForm.safeParse(req.body);
    const token = form.success
      ? await signIn(deps.db, org.id, form.data.email, form.data.password, originOf(req))
      : null;
    if (!token) {
      send(res, 401, signInPage(req, res, org.slug, org.name, true));
      return;
    }
    // A new session id at every sign-in (no fixation); the session of any old cookie ends here.
    await signOut(deps.db, parse(req.headers.cookie ?? '')[SESSION_COOKIE]);
    res.append(
      'Set-Cookie',
      serialize(SESSION_COOKIE, token, {
        httpOnly: true,
        secure,
        sameSite: 'lax',
        path: '/portal',
        maxAge: SESSION_ABSOLUTE_MS / 1000,
      }),
    );
    res.redirect(303, `${base}/portal/${org.slug}`);
  });

  const ZForgot = z.object({ email: z.string().trim().max(254) });
  const ZNewPassword = z.object({
    password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
    passwordConfirmation: z.string().max(MAX_PASSWORD_LENGTH),
  });

  const forgotPage = (req: Request, res: Response, org: { slug: string; name: string }, sent: boolean) =>
    page({
      title: 'Reset your password',
      practiceName: org.name,
      body: sent
        ? html`<div class="card">
            <p class="ok" role="status">
              If there is a portal account for that email, we have sent it a link to choose a new password. The link
              works for an hour.
            </p>
            <a class="button" href="${base}/portal/${org.slug}/login">Back to sign in</a>
          </div>`
        : html`<div class="card">
            <p>Enter the email address you sign in with. We will email you a link to choose a new password.</p>
            <form method="post" action="${base}/portal/${org.slug}/password/forgot">
              <input type="hidden" name="_csrf" value="${csrfField(req, res, deps.tokenSigningKey, secure)}" />
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
    assertCsrf(req, deps.tokenSigningKey);
    if (await tooMany(req, res)) return;
    const org = await organizationBySlug(req.params.orgSlug);
    const form = ZForgot.safeParse(req.body);
    if (form.success && form.data.email) {
      await requestPasswordReset(deps, org.id, form.data.email, originOf(req));
    }
    // The same answer whether or not the email has an account.
    send(res, 200, forgotPage(req, res, org, true));
  });

  const newPasswordPage = (
    req: Request,
    res: Response,
    org: { name: string; brandColor: string | null },
    message: Html | null,
  ) =>
    page({
      title: 'Choose a new password',
      practiceName: org.name,
      brandColor: org.brandColor,
      body: html`<div class="card">
        ${message ?? ''}
        <form method="post" novalidate>
          <input type="hidden" name="_csrf" value="${csrfField(req, res, deps.tokenSigningKey, secure)}" />
          ${newPasswordFields()}
          <button type="submit">Set my new password</button>
        </form>
      </div>`,
    });

  const resetLinkInvalid = () =>
    page({
      title: 'This link can no longer be used',
      body: html`<div class="card">
        <p>This password reset link has expired or was already used.</p>
        <p>You can ask for a new one from the sign-in page.</p>
      </div>`,
    });

  router.get('/portal/:orgSlug/password/reset/:token', async (req, res) => {
    const org = await inspectPasswordResetLink(deps.db, deps.tokenSigningKey, req.params.token);
    if (!org || org.slug !== req.params.orgSlug) {
      send(res, 410, resetLinkInvalid());
      return;
    }
    send(res, 200, newPasswordPage(req, res, org, null));
  });

  router.post('/portal/:orgSlug/password/reset/:token', async (req, res) => {
    assertCsrf(req, deps.tokenSigningKey);
    if (await tooMany(req, res)) return;
    const org = await inspectPasswordResetLink(deps.db, deps.tokenSigningKey, req.params.token);
    if (!org || org.slug !== req.params.orgSlug) {
      send(res, 410, resetLinkInvalid());
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
        send(res, 410, resetLinkInvalid());
        return;
    }
  });

  router.post('/portal/:orgSlug/logout', async (req, res) => {
    assertCsrf(req, deps.tokenSigningKey);
    await signOut(deps.db, parse(req.headers.cookie ?? '')[SESSION_COOKIE]);
    res.append(
      'Set-Cookie',
      serialize(SESSION_COOKIE, '', { httpOnly: true, secure, sameSite: 'lax', path: '/portal', maxAge: 0 }),
    );
    res.redirect(303, `${base}/portal/${encodeURIComponent(req.params.orgSlug)}/login`);
  });

  router.use(portalDocumentRoutes({ ...deps, secure }));
  router.use(portalAccountRoutes({ ...deps, secure }));

  router.get('/portal/:orgSlug', async (req, res) => {
    const org = await organizationBySlug(req.params.orgSlug);
    const user = await currentUser(deps.db, parse(req.headers.cookie ?? '')[SESSION_COOKIE]);
    if (!user || user.organizationId !== org.id) {
      res.redirect(303, `${base}/portal/${org.slug}/login`);
      return;
    }
    const outstanding = await countOutstandingDocuments(deps.db, user);
    const csrf = csrfField(req, res, deps.tokenSigningKey, secure);
    const paymentStep = await paymentStepPanel(deps, await accountHolder(deps.db, user), org, csrf);
    send(
      res,
      200,
      page({
        title: `Welcome, ${user.displayName}`,
        practiceName: org.name,
        brandColor: org.brandColor,
        body: html`<div class="card">
          ${paymentStep}
          ${
            outstanding > 0
              ? html`<p class="ok" role="status">
                  You have ${outstanding} ${outstanding === 1 ? 'form' : 'forms'} to complete.
                </p>`
              : html`<p>${org.name} will let you know by email when there are forms for you to complete.</p>`
          }
          <a class="button" href="${base}/portal/${org.slug}/documents">My Documents</a>
          <a class="button" href="${base}/portal/${org.slug}/account">My Account</a>
          <form method="post" action="${base}/portal/${org.slug}/logout">
            <input type="hidden" name="_csrf" value="${csrf}" />
            <button type="submit">Sign out</button>
          </form>
        </div>`,
      }),
    );
  });

  return router;
}
