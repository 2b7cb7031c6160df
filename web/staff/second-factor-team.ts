/**
 * For admins: who in the practice has a second factor, whether the practice
 * requires it, and a reset for a colleague who lost their phone and their
 * recovery codes (audited; their sessions end).
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { originOf } from '../../http/audit-context';
import { AppError } from '../../use-cases/app-error';
import { roleNeedsSecondFactor } from '../../use-cases/accounts/second-factor-policy';
import { resetSecondFactor } from '../../use-cases/accounts/staff-second-factor';
import { assertMayManagePractice } from '../../use-cases/practice/practice-settings';
import { html } from '../html';
import { send } from '../send-page';
import { requirementForm, secondFactorRequirementRoutes } from './second-factor-requirement';
import type { StaffPages } from './staff-session';

const ZStaffUserId = z.uuid();

const SAVED: Record<string, string> = {
  on: 'Saved: your practice now requires a second factor for admins and therapists.',
  off: 'Saved: a second factor is now each person’s choice.',
};

export function secondFactorTeamRoutes(deps: StaffPages): Router {
  const router = Router();
  const { db, csrf, checkCsrf, sessionOf, layout } = deps;

  const teamPage = async (req: Request, res: Response, problem: boolean) => {
    const { org, user } = sessionOf(res);
    assertMayManagePractice(user);
    const [practice, team] = await Promise.all([
      db.organization.findUniqueOrThrow({ where: { id: org.id }, select: { requireSecondFactor: true } }),
      db.staffUser.findMany({
        where: { organizationId: org.id },
        select: { id: true, displayName: true, role: true, secondFactor: { select: { confirmedAt: true } } },
        orderBy: { displayName: 'asc' },
      }),
    ]);
    const done = typeof req.query.reset === 'string' ? team.find((member) => member.id === req.query.reset) : undefined;
    const which = req.query.required;
    const saved = !problem && typeof which === 'string' && Object.hasOwn(SAVED, which) ? SAVED[which] : undefined;
    send(
      res,
      problem ? 400 : 200,
      layout(
        req,
        res,
        'Your team’s second factors',
        html`${done ? html`<p class="ok" role="status">${done.displayName}’s second factor was reset and their sessions ended.</p>` : ''}
          ${saved ? html`<p class="ok" role="status">${saved}</p>` : ''}
          ${requirementForm({
            action: `/staff/${org.slug}/security/team/requirement`,
            csrf: csrf(req, res),
            required: practice.requireSecondFactor,
            selfEnrolled: Boolean(team.find((member) => member.id === user.staffUserId)?.secondFactor?.confirmedAt),
            problem,
          })}
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Second factor</th>
                <th scope="col"><span class="visually-hidden">Action</span></th>
              </tr>
            </thead>
            <tbody>
              ${team.map(
                (member) =>
                  html`<tr>
                    <td>${member.displayName}</td>
                    <td>${member.role.toLowerCase()}</td>
                    <td>
                      ${
                        member.secondFactor?.confirmedAt
                          ? 'On'
                          : practice.requireSecondFactor && roleNeedsSecondFactor(member.role)
                            ? 'Off: asked to set it up at next sign-in'
                            : 'Off'
                      }
                    </td>
                    <td>
                      ${
                        member.secondFactor && member.id !== user.staffUserId
                          ? html`<a
                              class="button secondary"
                              href="/staff/${org.slug}/security/team/${member.id}/reset"
                              aria-label="Reset ${member.displayName}’s second factor"
                              >Reset</a
                            >`
                          : ''
                      }
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`,
      ),
    );
  };

  router.get('/staff/:orgSlug/security/team', async (req, res) => {
    await teamPage(req, res, false);
  });
  router.use(secondFactorRequirementRoutes(deps, teamPage));

  /** The confirmation step, as for every other staff action: who, and what a reset does. */
  router.get('/staff/:orgSlug/security/team/:staffUserId/reset', async (req, res) => {
    const { org, user } = sessionOf(res);
    assertMayManagePractice(user);
    const id = ZStaffUserId.safeParse(req.params.staffUserId);
    const member = id.success
      ? await db.staffUser.findFirst({
          where: { id: id.data, organizationId: org.id },
          select: { id: true, displayName: true },
        })
      : null;
    if (!member) throw new AppError('NOT_FOUND', 'no such staff member in this practice');
    send(
      res,
      200,
      layout(
        req,
        res,
        `Reset ${member.displayName}’s second factor?`,
        html`<div class="card">
          <p>
            Their authenticator and recovery codes stop working and they are signed out everywhere. If your practice
            requires a second factor, they set up a new one when they next sign in. Do this only once you are sure who
            is asking.
          </p>
          <form method="post" action="/staff/${org.slug}/security/team/${member.id}/reset">
            <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
            <button type="submit" class="danger">Reset second factor</button>
          </form>
          <p><a href="/staff/${org.slug}/security/team">Cancel</a></p>
        </div>`,
      ),
    );
  });

  router.post('/staff/:orgSlug/security/team/:staffUserId/reset', async (req, res) => {
    checkCsrf(req);
    const { org, user } = sessionOf(res);
    const id = ZStaffUserId.safeParse(req.params.staffUserId);
    if (!id.success) throw new AppError('NOT_FOUND', 'malformed staff user id');
    await resetSecondFactor(db, user, id.data, originOf(req));
    res.redirect(303, `/staff/${org.slug}/security/team?reset=${id.data}`);
  });

  return router;
}
