/**
 * The second step of staff sign-in: after the right password, a short-lived
 * signed cookie (security/pending-sign-in.ts) brings the staff member here to
 * enter a code, or, when the practice requires a second factor and they have
 * none, to set one up. Only a passed step opens a session; the pending
 * cookie opens nothing else (every other page asks for the session cookie).
 */
import { parse, serialize } from 'cookie';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { originOf } from '../../http/audit-context';
import {
  issuePendingSignIn,
  PENDING_SIGN_IN_MS,
  readPendingSignIn,
  type PendingSignIn,
  type PendingStep,
} from '../../security/pending-sign-in';
import type { RateLimiter } from '../../security/rate-limiter';
import { addressBucket } from '../../security/address-bucket';
import { beginEnrolment, confirmEnrolment, enrolmentDetails } from '../../use-cases/accounts/second-factor-enrolment';
import { checkSecondFactor } from '../../use-cases/accounts/staff-second-factor';
import { raiseStaffPauseAlarm } from '../../use-cases/accounts/staff-pause-alert';
import { openStaffSession } from '../../use-cases/accounts/staff-sessions';
import { findOrganizationBySlug } from '../../use-cases/practice/find-organization';
import { html, page } from '../html';
import { howToReach } from '../practice-contact';
import { send } from '../send-page';
import { codeField, enrolmentForm, recoveryCodesCard, WRONG_CODE } from './second-factor-views';
import type { StaffPages } from './staff-session';

export const PENDING_COOKIE = 'staff_pending';
const ZCode = z.object({ code: z.string().trim().max(24) });

export function secondFactorSignInRoutes(deps: StaffPages & { signIns: RateLimiter }) {
  const router = Router();
  const { db, csrf, checkCsrf, secretBox, signIns } = deps;

  /** Sets the cookie that carries a right password to the second step. */
  const startPending = (res: Response, slug: string, pending: Omit<PendingSignIn, 'expiresAt'>) => {
    res.append(
      'Set-Cookie',
      serialize(PENDING_COOKIE, issuePendingSignIn(deps.tokenSigningKey, pending), {
        httpOnly: true,
        secure: deps.secure,
        sameSite: 'strict',
        path: `/staff/${slug}/login`,
        maxAge: PENDING_SIGN_IN_MS / 1000,
      }),
    );
  };
  const endPending = (res: Response, slug: string) =>
    res.append(
      'Set-Cookie',
      serialize(PENDING_COOKIE, '', {
        httpOnly: true,
        secure: deps.secure,
        sameSite: 'strict',
        path: `/staff/${slug}/login`,
        maxAge: 0,
      }),
    );

  /** The pending sign-in of this practice owing `step`, or a page saying to sign in again. */
  const pendingOf = async (req: Request, res: Response, step: PendingStep) => {
    const org = await findOrganizationBySlug(db, req.params.orgSlug as string);
    const pending = readPendingSignIn(deps.tokenSigningKey, parse(req.headers.cookie ?? '')[PENDING_COOKIE]);
    if (!pending || pending.organizationId !== org.id || pending.step !== step) {
      send(
        res,
        401,
        page({
          title: 'Please sign in again',
          practiceName: org.name,
          brandColor: org.brandColor,
          contact: org.contact,
          body: html`<div class="card">
            <p>Your sign-in was not finished within five minutes, so it has ended. Nothing was opened.</p>
            <p><a class="button" href="/staff/${org.slug}/login">Sign in again</a></p>
            ${howToReach(org, 'for help signing in')}
          </div>`,
        }),
      );
      return null;
    }
    return { org, pending, who: { staffUserId: pending.staffUserId, organizationId: org.id } };
  };

  /** Ends the half-signed-in state and opens the session. */
  const finish = async (res: Response, slug: string, staffUserId: string) => {
    endPending(res, slug);
    deps.startSession(res, await openStaffSession(db, staffUserId));
  };

  type Org = Awaited<ReturnType<typeof findOrganizationBySlug>>;
  const codePage = (req: Request, res: Response, org: Org, failed: boolean, typed = '') =>
    page({
      title: 'Enter your code',
      practiceName: org.name,
      brandColor: org.brandColor,
      contact: org.contact,
      body: html`<div class="card">
        ${failed ? html`<p class="error" role="alert" id="code-error">${WRONG_CODE}</p>` : ''}
        <form method="post" action="/staff/${org.slug}/login/code">
          <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
          ${codeField({ failed, typed })}
          <p class="hint">Lost your phone? Enter one of the recovery codes you saved when you set it up.</p>
          <button type="submit">Continue</button>
        </form>
        ${howToReach(org, 'to have an administrator reset your second factor if you have lost your phone and your recovery codes')}
      </div>`,
    });

  router.get('/staff/:orgSlug/login/code', async (req, res) => {
    const found = await pendingOf(req, res, 'code');
    if (found) send(res, 200, codePage(req, res, found.org, false));
  });

  router.post('/staff/:orgSlug/login/code', async (req, res) => {
    checkCsrf(req);
    const found = await pendingOf(req, res, 'code');
    if (!found) return;
    const typed = ZCode.safeParse(req.body).data?.code ?? '';
    if (!(await signIns.attempt(addressBucket(req.ip)))) {
      send(res, 429, codePage(req, res, found.org, true, typed));
      return;
    }
    const check = await checkSecondFactor(db, secretBox, found.who, typed, 'sign-in', originOf(req), {
      onPause: raiseStaffPauseAlarm(deps, found.org.id, 'second-factor'),
    });
    if (!check.ok) {
      send(res, 401, codePage(req, res, found.org, true, typed));
      return;
    }
    await finish(res, found.org.slug, found.pending.staffUserId);
    if (check.via === 'recovery-code') {
      send(
        res,
        200,
        page({
          title: 'Recovery code used',
          practiceName: found.org.name,
          brandColor: found.org.brandColor,
          body: html`<div class="card">
            <p data-testid="recovery-remaining">
              That recovery code is now used up. You have ${check.remaining} recovery
              code${check.remaining === 1 ? '' : 's'} left.
            </p>
            <p>
              If you have lost your authenticator, set it up again and get new recovery codes from
              <a href="/staff/${found.org.slug}/security">Security</a>.
            </p>
            <p><a class="button" href="/staff/${found.org.slug}">Continue to the dashboard</a></p>
          </div>`,
        }),
      );
      return;
    }
    res.redirect(303, `/staff/${found.org.slug}`);
  });

  const enrolPage = async (
    req: Request,
    res: Response,
    found: NonNullable<Awaited<ReturnType<typeof pendingOf>>>,
    failed: boolean,
    typed = '',
  ) => {
    const details = await enrolmentDetails(db, secretBox, found.who);
    if (!details) {
      // Confirmed in another tab meanwhile: the code step is what is owed now.
      startPending(res, found.org.slug, { ...found.who, step: 'code' });
      res.redirect(303, `/staff/${found.org.slug}/login/code`);
      return;
    }
    send(
      res,
      failed ? 422 : 200,
      page({
        title: 'Set up your second factor',
        practiceName: found.org.name,
        brandColor: found.org.brandColor,
        contact: found.org.contact,
        body: html`<p>
            ${found.org.name} asks everyone who reads client records to sign in with a code from an authenticator app as
            well as a password.
          </p>
          ${enrolmentForm({ action: `/staff/${found.org.slug}/login/enrol`, csrf: csrf(req, res), details, failed, typed })}`,
      }),
    );
  };

  router.get('/staff/:orgSlug/login/enrol', async (req, res) => {
    const found = await pendingOf(req, res, 'enrol');
    if (found) await enrolPage(req, res, found, false);
  });

  router.post('/staff/:orgSlug/login/enrol', async (req, res) => {
    checkCsrf(req);
    const found = await pendingOf(req, res, 'enrol');
    if (!found) return;
    const typed = ZCode.safeParse(req.body).data?.code ?? '';
    const codes = await confirmEnrolment(db, secretBox, found.who, typed, originOf(req));
    if (!codes) {
      await enrolPage(req, res, found, true, typed);
      return;
    }
    await finish(res, found.org.slug, found.pending.staffUserId);
    send(
      res,
      200,
      page({
        title: 'Your recovery codes',
        practiceName: found.org.name,
        brandColor: found.org.brandColor,
        body: html`<p class="ok" role="status">Your second factor is on.</p>
          ${recoveryCodesCard(codes, { href: `/staff/${found.org.slug}`, label: 'Continue to the dashboard' })}`,
      }),
    );
  });

  return Object.assign(router, {
    /** After the right password: to the code step, or to enrolment (with a secret issued for it). */
    async toSecondStep(req: Request, res: Response, slug: string, pending: Omit<PendingSignIn, 'expiresAt'>) {
      if (pending.step === 'enrol') await beginEnrolment(db, secretBox, pending, originOf(req));
      startPending(res, slug, pending);
      res.redirect(303, `/staff/${slug}/login/${pending.step}`);
    },
  });
}
