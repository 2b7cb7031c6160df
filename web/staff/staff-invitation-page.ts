/**
 * The invitee's page (issue 19): /staff/<slug>/invitation/<token> from the
 * emailed link. A live link asks for a password (the staff:password rules);
 * the account is made, then, where the practice requires a second factor for
 * the role, the existing enrolment step comes before anything else
 * (second-factor-sign-in.ts); otherwise they are signed in. A dead link
 * (unknown, expired, revoked, used) is a dead end naming the practice and how
 * to reach it. Rate-limited per address like the other doors.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { originOf } from '../../http/audit-context';
import type { PendingSignIn } from '../../security/pending-sign-in';
import {
  acceptStaffInvitation,
  inspectStaffInvitation,
  type DeadLink,
} from '../../use-cases/accounts/accept-staff-invitation';
import { openStaffSession } from '../../use-cases/accounts/staff-sessions';
import { findOrganizationBySlug } from '../../use-cases/practice/find-organization';
import { doorLimiter } from '../door-limiter';
import { html, page, type Html } from '../html';
import { howToReach } from '../practice-contact';
import { newPasswordFields } from '../portal/new-password-fields';
import { send } from '../send-page';
import type { StaffPages } from './staff-session';

const ZForm = z.object({ password: z.string().max(200), passwordConfirmation: z.string().max(200) });

const DEAD: Record<DeadLink | 'taken', string> = {
  unknown: 'This invitation link is not valid. Check that the whole link from the email was opened.',
  expired: 'This invitation link has expired.',
  revoked: 'This invitation was withdrawn by the practice.',
  used: 'This invitation link has already been used.',
  taken: 'This email already has a staff account at the practice.',
};

type Org = Awaited<ReturnType<typeof findOrganizationBySlug>>;

export function staffInvitationPageRoutes(
  deps: StaffPages & {
    toSecondStep: (
      req: Request,
      res: Response,
      slug: string,
      pending: Omit<PendingSignIn, 'expiresAt'>,
    ) => Promise<void>;
  },
) {
  const router = Router();
  const { db, csrf, checkCsrf } = deps;
  const tooMany = doorLimiter(db, 'staff-invitation', deps.tokenSigningKey);
  const path = '/staff/:orgSlug/invitation/:token';

  const deadEnd = (res: Response, org: Org, reason: DeadLink | 'taken') =>
    send(
      res,
      reason === 'unknown' ? 404 : 410,
      page({
        title: 'This invitation cannot be used',
        practiceName: org.name,
        brandColor: org.brandColor,
        contact: org.contact,
        body: html`<div class="card">
          <p>${DEAD[reason]}</p>
          ${
            reason === 'used' || reason === 'taken'
              ? html`<p><a class="button" href="/staff/${org.slug}/login">Sign in</a></p>`
              : html`<p>An administrator of ${org.name} can send you a new invitation.</p>`
          }
          ${howToReach(org, 'to ask for a new invitation')}
        </div>`,
      }),
    );

  const formPage = (req: Request, res: Response, org: Org, who: { displayName: string; email: string }, error?: Html) =>
    page({
      title: `Join ${org.name}`,
      practiceName: org.name,
      brandColor: org.brandColor,
      contact: org.contact,
      body: html`<div class="card">
        ${error ?? ''}
        <p>
          Welcome, ${who.displayName}. Choose the password you will sign in to the staff dashboard with, as
          ${who.email}.
        </p>
        <form method="post" action="/staff/${org.slug}/invitation/${req.params.token}">
          <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
          ${newPasswordFields()}
          <button type="submit">Create my account</button>
        </form>
      </div>`,
    });

  router.get(path, async (req, res) => {
    if (await tooMany(req, res)) return;
    const org = await findOrganizationBySlug(db, req.params.orgSlug);
    const link = await inspectStaffInvitation(db, org.id, req.params.token);
    if (!link.live) return deadEnd(res, org, link.reason);
    send(res, 200, formPage(req, res, org, link));
  });

  router.post(path, async (req, res) => {
    checkCsrf(req);
    if (await tooMany(req, res)) return;
    const org = await findOrganizationBySlug(db, req.params.orgSlug);
    const link = await inspectStaffInvitation(db, org.id, req.params.token);
    if (!link.live) return deadEnd(res, org, link.reason);
    const form = ZForm.safeParse(req.body);
    const refuse = (message: string) =>
      send(res, 422, formPage(req, res, org, link, html`<p class="error" role="alert">${message}</p>`));
    if (!form.success) return refuse('Please fill in both fields.');
    const outcome = await acceptStaffInvitation(deps, org.id, req.params.token, form.data, originOf(req));
    if (outcome.kind === 'dead') return deadEnd(res, org, outcome.reason);
    if (outcome.kind === 'invalid') return refuse(outcome.message);
    if (outcome.secondFactorOwed) {
      // The practice requires a second factor: enrolment comes before any page opens.
      await deps.toSecondStep(req, res, org.slug, {
        staffUserId: outcome.staffUserId,
        organizationId: org.id,
        step: 'enrol',
      });
      return;
    }
    deps.startSession(res, await openStaffSession(db, outcome.staffUserId));
    res.redirect(303, `/staff/${org.slug}`);
  });

  return router;
}
