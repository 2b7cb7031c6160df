/**
 * The staff dashboard (issue 6): every onboarding of the practice with its
 * status, filters, search and paging, the funnel for a period, and a page per
 * client with the timeline and the actions of seeds 001, 003 and 004, each
 * behind a confirmation step. Server-rendered HTML, no script, CSRF-protected
 * posts, a session cookie of its own (path /staff).
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { originOf } from '../../http/audit-context';
import { readCookie, setCookie } from '../../http/cookies';
import { addressBucket } from '../../security/address-bucket';
import { accountAttemptLimiter } from '../../security/account-attempts';
import { createRateLimiter, rateLimitKeySecret } from '../../security/rate-limiter';
import { raiseStaffPauseAlarm } from '../../use-cases/accounts/staff-pause-alert';
import { currentStaff, signInStaff, signOutStaff } from '../../use-cases/accounts/staff-sessions';
import { findOrganizationBySlug } from '../../use-cases/practice/find-organization';
import { DOOR_ATTEMPTS_PER_WINDOW } from '../door-limiter';
import { csrfAfterSignOut } from '../csrf';
import { html, page } from '../html';
import { send } from '../send-page';
import { clientActionRoutes } from './client-actions';
import { portalUserActionRoutes } from './portal-user-actions';
import { clientListRoutes } from './client-list';
import { clientPageRoutes } from './client-page';
import { formAnswersRoutes } from './form-answers';
import { apiKeyPageRoutes } from './api-keys';
import { deliveryHealthRoutes } from './delivery-health';
import { staffAccountRoutes } from './staff-accounts';
import { staffInvitationPageRoutes } from './staff-invitation-page';
import { integrationPageRoutes } from './integration-page';
import { integrationListRoutes } from './integrations';
import { secondFactorSignInRoutes } from './second-factor-sign-in';
import { secondFactorRoutes } from './second-factor-page';
import { sendFormsRoutes } from './send-forms';
import { staffPages, type StaffDashboardDeps, type StaffSession } from './staff-session';

const ZSignIn = z.object({ email: z.string().trim().max(254), password: z.string().max(200) });

export function staffDashboardRoutes(dashboardDeps: StaffDashboardDeps): Router {
  const router = Router();
  const deps = staffPages(dashboardDeps);
  const { db, secure, csrf, checkCsrf } = deps;

  router.use('/staff', express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 30 }));
  router.use('/staff', (_req, res, next) => {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  // Guessing staff passwords from one address gets slow; per-account lockout still applies on top.
  const signIns = createRateLimiter(db, {
    name: 'staff-sign-in',
    limit: DOOR_ATTEMPTS_PER_WINDOW,
    windowMs: 5 * 60 * 1000,
    keySecret: rateLimitKeySecret(deps.tokenSigningKey),
  });

  // Many addresses guessing one account: slowed per account too (security/account-attempts.ts).
  const accountAttempts = accountAttemptLimiter(db, 'staff', deps.tokenSigningKey);

  /** `email`: what was typed, kept after a refusal so only the password needs typing again. */
  const signInPage = (req: Request, res: Response, org: { slug: string; name: string }, failed: boolean, email = '') =>
    page({
      title: 'Staff sign in',
      practiceName: org.name,
      body: html`<div class="card">
        ${
          failed
            ? html`<p class="error" role="alert">
                The email or password is not right, or sign-in is paused for a few minutes after several tries.
              </p>`
            : ''
        }
        <form method="post" action="/staff/${org.slug}/login">
          <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            maxlength="254"
            value="${email}"
          />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit">Sign in</button>
        </form>
      </div>`,
    });

  const secondStep = secondFactorSignInRoutes({ ...deps, signIns });
  router.use(secondStep);
  // Before the signed-in pages: the invitee has no session yet.
  router.use(
    staffInvitationPageRoutes({
      ...deps,
      temporal: dashboardDeps.temporal,
      toSecondStep: (req, res, slug, pending) => secondStep.toSecondStep(req, res, slug, pending),
    }),
  );

  router.get('/staff/:orgSlug/login', async (req, res) => {
    const org = await findOrganizationBySlug(db, req.params.orgSlug);
    send(res, 200, signInPage(req, res, org, false));
  });

  router.post('/staff/:orgSlug/login', async (req, res) => {
    checkCsrf(req);
    const org = await findOrganizationBySlug(db, req.params.orgSlug);
    const form = ZSignIn.safeParse(req.body);
    const typed = form.success ? form.data.email : '';
    if (!(await signIns.attempt(addressBucket(req.ip)))) {
      send(res, 429, signInPage(req, res, org, true, typed));
      return;
    }
    if (form.success && !(await accountAttempts.attempt(org.id, form.data.email))) {
      send(res, 429, signInPage(req, res, org, true, typed));
      return;
    }
    const signedIn = form.success
      ? await signInStaff(db, org.id, form.data.email, form.data.password, originOf(req), {
          // The alarm: ids only, never the email that was tried; the admins are emailed.
          onPause: raiseStaffPauseAlarm(dashboardDeps, org.id, 'password'),
        })
      : null;
    if (!signedIn) {
      send(res, 401, signInPage(req, res, org, true, typed));
      return;
    }
    await accountAttempts.succeeded(org.id, typed);
    // Whoever was signed in on this browser is signed out before anyone else's step begins.
    await signOutStaff(db, readCookie(req, 'staff', 'session', secure));
    if (signedIn.kind === 'second-factor') {
      await secondStep.toSecondStep(req, res, org.slug, {
        staffUserId: signedIn.staffUserId,
        organizationId: org.id,
        step: signedIn.step,
      });
      return;
    }
    deps.startSession(res, signedIn.token);
    res.redirect(303, `/staff/${org.slug}`);
  });

  router.post('/staff/:orgSlug/logout', async (req, res) => {
    checkCsrf(req);
    await signOutStaff(db, readCookie(req, 'staff', 'session', secure));
    setCookie(res, 'staff', 'session', '', secure, { sameSite: 'lax', maxAge: 0 });
    csrfAfterSignOut(res, 'staff', secure);
    res.redirect(303, `/staff/${encodeURIComponent(req.params.orgSlug)}/login`);
  });

  /** Every other staff page: the signed-in staff member of this practice, or a redirect to sign in. */
  const signedIn = async (req: Request, res: Response, next: NextFunction) => {
    const org = await findOrganizationBySlug(db, req.params.orgSlug as string);
    const user = await currentStaff(db, readCookie(req, 'staff', 'session', secure));
    if (!user || user.organizationId !== org.id) {
      res.redirect(303, `/staff/${org.slug}/login`);
      return;
    }
    const { timeZone } = await db.organization.findUniqueOrThrow({ where: { id: org.id }, select: { timeZone: true } });
    req.staff = user;
    res.locals.session = { org: { ...org, timeZone }, user } satisfies StaffSession;
    next();
  };
  router.use('/staff/:orgSlug', (req, res, next) => {
    // Relative to the mount path: signing in and out need no session (the second step has its own check).
    if (req.path === '/login' || req.path === '/logout' || req.path.startsWith('/login/')) {
      next();
      return;
    }
    signedIn(req, res, next).catch(next);
  });

  router.use(secondFactorRoutes(deps));
  router.use(clientListRoutes(deps));
  router.use(clientPageRoutes(deps));
  router.use(formAnswersRoutes(deps));
  // Before the generic confirmation steps: Send forms has its own page.
  router.use(sendFormsRoutes(deps));
  router.use(portalUserActionRoutes(deps));
  router.use(clientActionRoutes(deps));
  router.use(integrationListRoutes(deps));
  router.use(integrationPageRoutes(deps));
  router.use(apiKeyPageRoutes(deps));
  router.use(deliveryHealthRoutes(deps));
  router.use(staffAccountRoutes(deps));

  return router;
}
