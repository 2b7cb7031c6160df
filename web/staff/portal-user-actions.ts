/**
 * A contact's own invitation from the client page (issue 15): Resend invite
 * and Revoke invite per portal user, each behind a confirmation step that
 * names the person and what will happen, as the client's own actions are
 * (client-actions.ts). The primary user's invitation is the client's and
 * stays with those actions.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { audited } from '../../http/staff-audit';
import { AppError } from '../../use-cases/app-error';
import { assertMayManageInvitations } from '../../use-cases/staff-principal';
import { resendPortalUserInvitation, revokePortalUserInvitation } from '../../use-cases/accounts/portal-users';
import { html } from '../html';
import { send } from '../send-page';
import type { StaffPages } from './staff-session';

export const PORTAL_USER_ACTIONS = {
  'resend-invite': {
    label: 'Resend invite',
    confirm: 'A new invitation link will be emailed to this portal user. Their previous link stops working.',
    audit: 'portal_user.invitation_resend',
  },
  'revoke-invite': {
    label: 'Revoke invite',
    confirm: 'This portal user’s invitation link stops working now. Resend invite gives them a new one.',
    audit: 'portal_user.invitation_revoke',
  },
} as const;
export type PortalUserActionName = keyof typeof PORTAL_USER_ACTIONS;

const ZPortalUserId = z.uuid();

export function portalUserActionRoutes(deps: StaffPages): Router {
  const router = Router();
  const { db, csrf, checkCsrf, sessionOf, layout, onboardingIdOf, assertVisible } = deps;
  const path = '/staff/:orgSlug/onboardings/:onboardingId/portal-users/:portalUserId/:action';

  const parse = (req: Request) => {
    const action = req.params.action as string;
    const portalUserId = ZPortalUserId.safeParse(req.params.portalUserId);
    if (!Object.hasOwn(PORTAL_USER_ACTIONS, action) || !portalUserId.success) {
      throw new AppError('NOT_FOUND', 'no such portal user action');
    }
    return {
      action: action as PortalUserActionName,
      portalUserId: portalUserId.data,
      onboardingId: onboardingIdOf(String(req.params.onboardingId)),
    };
  };

  /** The person the action is about, so nobody revokes the wrong parent's link; 404 if not this client's. */
  const personOf = async (onboardingId: string, portalUserId: string) => {
    const access = await db.clientPortalAccess.findFirst({
      where: { portalUserId, isPrimary: false, client: { onboarding: { id: onboardingId } } },
      select: { portalUser: { select: { name: true, email: true } } },
    });
    if (!access) throw new AppError('NOT_FOUND', 'no such portal user of this client');
    return access.portalUser;
  };

  const confirmPage = async (req: Request, res: Response, target: ReturnType<typeof parse>, problem: string | null) => {
    const { org } = sessionOf(res);
    const person = await personOf(target.onboardingId, target.portalUserId);
    const { label, confirm } = PORTAL_USER_ACTIONS[target.action];
    return layout(
      req,
      res,
      `${label}?`,
      html`<form method="post" class="card">
        <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
        ${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
        <p class="client-named">
          Portal user: <strong>${person.name ?? person.email}</strong> · email goes to <strong>${person.email}</strong>
        </p>
        <p>${confirm}</p>
        <div class="actions" style="margin-top:1rem">
          <button type="submit" name="confirm" value="yes" class="${target.action === 'revoke-invite' ? 'danger' : ''}">
            Yes, ${label.toLowerCase()}
          </button>
          <a class="button secondary" href="/staff/${org.slug}/onboardings/${target.onboardingId}">No, go back</a>
        </div>
      </form>`,
    );
  };

  router.get(path, async (req, res) => {
    const { user } = sessionOf(res);
    const target = parse(req);
    const page = await audited(
      db,
      req,
      PORTAL_USER_ACTIONS[target.action].audit,
      target.onboardingId,
      async () => {
        assertMayManageInvitations(user);
        await assertVisible(user, target.onboardingId);
        return confirmPage(req, res, target, null);
      },
      { deniedOnly: true },
    );
    send(res, 200, page);
  });

  router.post(path, async (req, res) => {
    checkCsrf(req);
    const { org, user } = sessionOf(res);
    const target = parse(req);
    const back = `/staff/${org.slug}/onboardings/${target.onboardingId}`;
    if ((req.body as Record<string, unknown> | undefined)?.confirm !== 'yes') {
      res.redirect(303, back);
      return;
    }
    try {
      await audited(db, req, PORTAL_USER_ACTIONS[target.action].audit, target.onboardingId, async () => {
        assertMayManageInvitations(user);
        await assertVisible(user, target.onboardingId);
        return target.action === 'resend-invite'
          ? resendPortalUserInvitation(deps, user, target.onboardingId, target.portalUserId)
          : revokePortalUserInvitation(deps, user, target.onboardingId, target.portalUserId);
      });
    } catch (error) {
      // A refusal (already registered, already revoked) comes back on the confirmation page with its reason.
      if (error instanceof AppError && error.code === 'CONFLICT') {
        send(res, 409, await confirmPage(req, res, target, error.publicMessage));
        return;
      }
      throw error;
    }
    res.redirect(303, `${back}?done=${target.action}`);
  });

  return router;
}
