/**
 * A staff member's own Security page: set up a second factor (or finish
 * setting it up), get new recovery codes, turn it off (with a code, and not
 * while the practice requires it); and for admins, their colleagues' second
 * factors with a reset for a lost phone.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { originOf } from '../../http/audit-context';
import {
  beginEnrolment,
  confirmEnrolment,
  enrolmentDetails,
  regenerateRecoveryCodes,
} from '../../use-cases/accounts/second-factor-enrolment';
import { secondFactorStatus, turnOffSecondFactor } from '../../use-cases/accounts/staff-second-factor';
import { html } from '../html';
import { send } from '../send-page';
import { codeField, enrolmentForm, recoveryCodesCard, WRONG_CODE } from './second-factor-views';
import { secondFactorTeamRoutes } from './second-factor-team';
import type { StaffPages } from './staff-session';

const ZCode = z.object({ code: z.string().trim().max(24) });
type Failed = { form: 'regenerate' | 'turn-off'; typed: string } | null;

export function secondFactorRoutes(deps: StaffPages): Router {
  const router = Router();
  const { db, csrf, checkCsrf, sessionOf, layout, secretBox } = deps;
  const whoOf = (res: Response) => {
    const { org, user } = sessionOf(res);
    return { staffUserId: user.staffUserId, organizationId: org.id };
  };
  const base = (res: Response) => `/staff/${sessionOf(res).org.slug}/security`;

  const securityPage = async (req: Request, res: Response, failed: Failed = null, notice = '') => {
    const status = await secondFactorStatus(db, whoOf(res));
    const { user } = sessionOf(res);
    const codeForm = (form: 'regenerate' | 'turn-off', action: string, button: string, danger = false) => {
      const mine = failed?.form === form;
      return html`<form method="post" action="${base(res)}/${action}">
        <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
        ${mine ? html`<p class="error" role="alert" id="${form}-code-error">${WRONG_CODE}</p>` : ''}
        ${codeField({ failed: mine, typed: mine ? failed.typed : '', id: `${form}-code` })}
        <button type="submit" class="${danger ? 'danger' : ''}">${button}</button>
      </form>`;
    };
    const body = status.enrolled
      ? html`<div style="display:grid;gap:1rem">
          <div class="card">
            <p data-testid="second-factor-status">
              Your second factor is <strong>on</strong>. You have ${status.recoveryCodesLeft} unused recovery
              code${status.recoveryCodesLeft === 1 ? '' : 's'}.
            </p>
          </div>
          <div class="card">
            <h2>New recovery codes</h2>
            <p>Replaces all your recovery codes with ten new ones.</p>
            ${codeForm('regenerate', 'recovery-codes', 'Get new recovery codes')}
          </div>
          <div class="card">
            <h2>Turn off</h2>
            ${
              status.required
                ? html`<p>Your practice requires a second factor for your role, so it stays on.</p>`
                : codeForm('turn-off', 'turn-off', 'Turn off second factor', true)
            }
          </div>
        </div>`
      : html`<div class="card">
          <p data-testid="second-factor-status">
            Your second factor is <strong>off</strong>: signing in takes your password only.
            ${status.required ? html` Your practice requires it: you will be asked to set it up when you next sign in.` : ''}
          </p>
          ${
            status.enrolling
              ? html`<p><a class="button" href="${base(res)}/enrol">Finish setting up</a></p>`
              : html`<form method="post" action="${base(res)}/start">
                  <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
                  <button type="submit">Set up a second factor</button>
                </form>`
          }
        </div>`;
    send(
      res,
      failed ? 401 : 200,
      layout(
        req,
        res,
        'Security',
        html`${notice ? html`<p class="ok" role="status">${notice}</p>` : ''}${body}
        ${user.role === 'ADMIN' ? html`<p><a href="${base(res)}/team">Your team’s second factors</a></p>` : ''}`,
      ),
    );
  };

  router.get('/staff/:orgSlug/security', async (req, res) => {
    await securityPage(req, res, null, req.query.done === 'off' ? 'Your second factor is off.' : '');
  });

  router.post('/staff/:orgSlug/security/start', async (req, res) => {
    checkCsrf(req);
    await beginEnrolment(db, secretBox, whoOf(res), originOf(req));
    res.redirect(303, `${base(res)}/enrol`);
  });

  const enrolPage = async (req: Request, res: Response, failed: boolean, typed = '') => {
    const details = await enrolmentDetails(db, secretBox, whoOf(res));
    if (!details) {
      res.redirect(303, base(res));
      return;
    }
    send(
      res,
      failed ? 422 : 200,
      layout(
        req,
        res,
        'Set up your second factor',
        enrolmentForm({ action: `${base(res)}/enrol`, csrf: csrf(req, res), details, failed, typed }),
      ),
    );
  };

  router.get('/staff/:orgSlug/security/enrol', async (req, res) => {
    await enrolPage(req, res, false);
  });

  router.post('/staff/:orgSlug/security/enrol', async (req, res) => {
    checkCsrf(req);
    const typed = ZCode.safeParse(req.body).data?.code ?? '';
    const codes = await confirmEnrolment(db, secretBox, whoOf(res), typed, originOf(req));
    if (!codes) {
      await enrolPage(req, res, true, typed);
      return;
    }
    const done = { href: base(res), label: 'I have saved them' };
    send(
      res,
      200,
      layout(
        req,
        res,
        'Your recovery codes',
        html`<p class="ok" role="status">Your second factor is on.</p>
          ${recoveryCodesCard(codes, done)}`,
      ),
    );
  });

  router.post('/staff/:orgSlug/security/recovery-codes', async (req, res) => {
    checkCsrf(req);
    const typed = ZCode.safeParse(req.body).data?.code ?? '';
    const result = await regenerateRecoveryCodes(db, secretBox, whoOf(res), typed, originOf(req));
    if (!result.ok) {
      await securityPage(req, res, { form: 'regenerate', typed });
      return;
    }
    const done = { href: base(res), label: 'I have saved them' };
    send(res, 200, layout(req, res, 'Your new recovery codes', recoveryCodesCard(result.codes, done)));
  });

  router.post('/staff/:orgSlug/security/turn-off', async (req, res) => {
    checkCsrf(req);
    const typed = ZCode.safeParse(req.body).data?.code ?? '';
    const result = await turnOffSecondFactor(db, secretBox, whoOf(res), typed, originOf(req));
    if (!result.ok) {
      await securityPage(req, res, { form: 'turn-off', typed });
      return;
    }
    res.redirect(303, `${base(res)}?done=off`);
  });

  router.use(secondFactorTeamRoutes(deps));
  return router;
}
