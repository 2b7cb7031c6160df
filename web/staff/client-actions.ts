/**
 * The staff actions of seeds 001, 003 and 004 on a client's page (resend,
 * revoke, change ownership, send forms, cancel), each behind a confirmation
 * step that names what will happen.
 */
import { Router, type Request, type Response } from 'express';
import type { OnboardingStatus } from '../../domain/onboarding-status';
import { audited } from '../../http/staff-audit';
import { AppError } from '../../use-cases/app-error';
import { assertMayManageInvitations } from '../../use-cases/staff-principal';
import { ZChangePortalOwnerRequest } from '../../schemas/onboarding';
import {
  cancelOnboarding,
  changePortalOwner,
  resendInvitation,
  restoreRegisteredPortalAccess,
  revokePortalAccess,
} from '../../use-cases/onboarding/act-on-onboarding';
import { hasRegistered } from '../../use-cases/accounts/portal-access';
import { describeInvitationTtl } from '../../domain/invitation-ttl';
import { html } from '../html';
import { send } from '../send-page';
import type { StaffPages } from './staff-session';

/** The staff actions of a client page, with the words of their confirmation step. */
export const ACTIONS = {
  resend: {
    label: 'Resend invite',
    confirm:
      'A new invitation link will be emailed to the portal owner, valid for {lifetime}. The previous link stops working.',
  },
  revoke: {
    label: 'Revoke access',
    confirm:
      'The client will no longer be able to register or sign in, and any session they have open ends now. Before they register, Resend invite gives access back; after, Restore access does.',
  },
  restore: {
    label: 'Restore access',
    confirm:
      'The client can sign in again with the password they chose. Sessions that ended when access was revoked stay ended.',
  },
  owner: {
    label: 'Change ownership',
    confirm:
      'The portal will belong to the person below (a parent, guardian or other contact) and a new invitation goes to them. The previous link stops working.',
  },
  forms: {
    label: 'Send forms',
    confirm: 'The client will get an email that new forms are waiting in their portal.',
  },
  cancel: {
    label: 'Cancel onboarding',
    confirm: 'The onboarding stops: open links stop working and no more reminders are sent. This cannot be undone.',
  },
} as const;
export type ActionName = keyof typeof ACTIONS;

/** The actions that take something away from the client: styled as dangerous wherever they are offered. */
export function isDestructive(action: ActionName): boolean {
  return action === 'revoke' || action === 'cancel';
}

/** How each action is named in the audit trail (the same names as the JSON API's). */
const AUDIT_ACTIONS: Record<ActionName, string> = {
  resend: 'invitation.resend',
  revoke: 'portal.revoke',
  restore: 'portal.restore',
  owner: 'portal.owner_change',
  forms: 'forms.send',
  cancel: 'onboarding.cancel',
};

/**
 * Which actions make sense in a status and with the client's portal account
 * as it is; the workflow (or the account use case) still has the last word
 * and refuses with a reason.
 */
export function actionsFor(
  status: OnboardingStatus,
  portalAccount: { status: 'INVITED' | 'ACTIVE' | 'REVOKED' } | null,
): ActionName[] {
  const open = ['CHART_CREATED', 'INVITED', 'EXPIRED', 'REVOKED', 'INVITATION_BOUNCED'].includes(status);
  const registered = hasRegistered(status);
  const actions: ActionName[] = [];
  if (open) actions.push('resend');
  if (status === 'INVITED' || status === 'EXPIRED') actions.push('revoke');
  if (registered && portalAccount?.status === 'ACTIVE') actions.push('revoke');
  if (registered && portalAccount?.status === 'REVOKED') actions.push('restore');
  if (open) actions.push('owner');
  if (portalAccount && portalAccount.status !== 'REVOKED' && !['CANCELLED', 'FAILED', 'REVOKED'].includes(status)) {
    actions.push('forms');
  }
  if (open) actions.push('cancel');
  return actions;
}

export function clientActionRoutes(deps: StaffPages): Router {
  const router = Router();
  const { db, csrf, checkCsrf, sessionOf, layout, onboardingIdOf, assertVisible, clientContact } = deps;

  const actionOf = (name: string): ActionName => {
    if (!Object.hasOwn(ACTIONS, name)) throw new AppError('NOT_FOUND', 'no such action');
    return name as ActionName;
  };

  /** The confirmation step (seed 001: every action asks first). */
  const confirmPage = async (
    req: Request,
    res: Response,
    onboardingId: string,
    action: ActionName,
    problem: string | null,
  ) => {
    const { org, user } = sessionOf(res);
    // Who the action is about, so nobody revokes the wrong client; ops never see names.
    const who = (await clientContact(user, onboardingId))?.client ?? null;
    const emailTo = who?.portalAccount?.email ?? who?.email ?? null;
    const confirm: string = ACTIONS[action].confirm;
    // The lifetime the new link really gets: the practice's own, else the default.
    const words = confirm.includes('{lifetime}')
      ? confirm.replace(
          '{lifetime}',
          describeInvitationTtl(
            await db.organization.findUniqueOrThrow({
              where: { id: org.id },
              select: { invitationTtlHours: true, invitationTtlMinutes: true },
            }),
          ),
        )
      : confirm;
    return layout(
      req,
      res,
      `${ACTIONS[action].label}?`,
      html`<form method="post" class="card">
        <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
        ${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
        ${
          who
            ? html`<p class="client-named">
                Client: <strong>${who.firstName} ${who.lastName}</strong>${
                  emailTo && action !== 'revoke' && action !== 'cancel'
                    ? html` · ${action === 'owner' ? 'current portal email' : 'email goes to'}
                        <strong>${emailTo}</strong>`
                    : ''
                }
              </p>`
            : ''
        }
        <p>${words}</p>
        ${
          action === 'owner'
            ? html`<label for="name">Name of the new portal owner</label>
                <input id="name" name="name" required maxlength="200" autocomplete="off" />
                <label for="email">Their email</label>
                <input id="email" name="email" type="email" required maxlength="254" autocomplete="off" />`
            : ''
        }
        <div class="actions" style="margin-top:1rem">
          <button type="submit" name="confirm" value="yes" class="${isDestructive(action) ? 'danger' : ''}">
            Yes, ${ACTIONS[action].label.toLowerCase()}
          </button>
          <a class="button secondary" href="/staff/${org.slug}/onboardings/${onboardingId}">No, go back</a>
        </div>
      </form>`,
    );
  };

  router.get('/staff/:orgSlug/onboardings/:onboardingId/:action', async (req, res) => {
    const { user } = sessionOf(res);
    const action = actionOf(req.params.action);
    const onboardingId = onboardingIdOf(req.params.onboardingId);
    // The page shows nothing of the client: only a refusal is worth a line in the trail.
    const page = await audited(
      db,
      req,
      AUDIT_ACTIONS[action],
      onboardingId,
      async () => {
        assertMayManageInvitations(user);
        await assertVisible(user, onboardingId);
        return confirmPage(req, res, onboardingId, action, null);
      },
      { deniedOnly: true },
    );
    send(res, 200, page);
  });

  router.post('/staff/:orgSlug/onboardings/:onboardingId/:action', async (req, res) => {
    checkCsrf(req);
    const { org, user } = sessionOf(res);
    const action = actionOf(req.params.action);
    const onboardingId = onboardingIdOf(req.params.onboardingId);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.confirm !== 'yes') {
      await audited(db, req, AUDIT_ACTIONS[action], onboardingId, () => assertVisible(user, onboardingId), {
        deniedOnly: true,
      });
      res.redirect(303, `/staff/${org.slug}/onboardings/${onboardingId}`);
      return;
    }
    const run = (): Promise<unknown> => {
      switch (action) {
        case 'resend':
          return resendInvitation(deps, user, onboardingId);
        case 'revoke':
          return revokePortalAccess(deps, user, onboardingId);
        case 'restore':
          return restoreRegisteredPortalAccess(deps, user, onboardingId);
        case 'cancel':
          return cancelOnboarding(deps, user, onboardingId);
        case 'owner': {
          const owner = ZChangePortalOwnerRequest.safeParse(body);
          if (!owner.success) {
            throw new AppError('VALIDATION_FAILED', 'bad new owner', {
              publicMessage: 'Enter the new owner’s name and a valid email address.',
            });
          }
          return changePortalOwner(deps, user, onboardingId, owner.data);
        }
        case 'forms':
          // Served by send-forms.ts, mounted first; kept here so the switch stays exhaustive.
          throw new AppError('NOT_FOUND', 'send forms has its own page');
      }
    };
    try {
      await audited(db, req, AUDIT_ACTIONS[action], onboardingId, async () => {
        // What the role may do first, as in the JSON API: a 403 never depends on whether the id exists.
        assertMayManageInvitations(user);
        await assertVisible(user, onboardingId);
        return run();
      });
    } catch (error) {
      // A refusal (409, a bad owner, an email in use) comes back on the confirmation page with its reason.
      if (
        error instanceof AppError &&
        ['CONFLICT', 'EMAIL_IN_USE', 'VALIDATION_FAILED', 'UNKNOWN_FORM_PACKAGE'].includes(error.code)
      ) {
        send(
          res,
          error.code === 'VALIDATION_FAILED' ? 400 : 409,
          await confirmPage(req, res, onboardingId, action, error.publicMessage),
        );
        return;
      }
      throw error;
    }
    res.redirect(303, `/staff/${org.slug}/onboardings/${onboardingId}?done=${action}`);
  });

  return router;
}
