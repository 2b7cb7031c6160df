/**
 * The practice's "require a second factor" switch on the staff dashboard
 * (issue 14): until now only the practice settings API could turn it on. On
 * the team's security page, for admins only, a CSRF-protected post through
 * the same use case as the API (updatePracticeSettings), so it is checked,
 * locked and audited (practice.settings_changed) in one place.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { originOf } from '../../http/audit-context';
import { assertMayManagePractice, updatePracticeSettings } from '../../use-cases/practice/practice-settings';
import { html, type Html } from '../html';
import type { StaffPages } from './staff-session';

const ZRequirement = z.object({ requireSecondFactor: z.enum(['on', 'off']) });

export const NO_CHOICE = 'Choose whether your practice requires a second factor.';

/**
 * The switch as two radio buttons (a checkbox left unticked posts nothing,
 * which could not be told from a lost field). `problem`: the choice was
 * missing, said at the fieldset.
 */
export function requirementForm(options: {
  action: string;
  csrf: string;
  required: boolean;
  /** The admin signing in has no second factor yet: turning it on asks them for one at their next sign-in. */
  selfEnrolled: boolean;
  problem: boolean;
}): Html {
  const { action, csrf, required, selfEnrolled, problem } = options;
  return html`<div class="card" style="margin-bottom:1rem">
    <h2>Require a second factor</h2>
    <form method="post" action="${action}" novalidate>
      <input type="hidden" name="_csrf" value="${csrf}" />
      <fieldset ${problem ? html`aria-describedby="requirement-error"` : ''}>
        <legend class="question-label">For admins and therapists signing in to the dashboard</legend>
        ${problem ? html`<p class="field-error" id="requirement-error" role="alert">${NO_CHOICE}</p>` : ''}
        <div class="choices">
          <label class="choice"
            ><input type="radio" name="requireSecondFactor" value="on" ${required ? 'checked' : ''} /> Required: anyone
            without one sets it up right after their password</label
          >
          <label class="choice"
            ><input type="radio" name="requireSecondFactor" value="off" ${required ? '' : 'checked'} /> Not required:
            each person chooses</label
          >
        </div>
      </fieldset>
      ${selfEnrolled ? '' : html`<p class="hint">You have no second factor yet: if you require it, you set it up at your next sign-in.</p>`}
      <p class="hint">Staff API keys are not affected.</p>
      <button type="submit">Save</button>
    </form>
  </div>`;
}

/**
 * POST …/security/team/requirement. `showTeam`: renders the team page again
 * with the problem marked (a 400 that changes nothing) when no choice came.
 */
export function secondFactorRequirementRoutes(
  deps: StaffPages,
  showTeam: (req: Request, res: Response, problem: boolean) => Promise<void>,
): Router {
  const router = Router();
  const { db, checkCsrf, sessionOf } = deps;

  router.post('/staff/:orgSlug/security/team/requirement', async (req, res) => {
    checkCsrf(req);
    const { org, user } = sessionOf(res);
    // Who first: a therapist learns nothing from the shape of what they posted.
    assertMayManagePractice(user);
    const form = ZRequirement.safeParse(req.body);
    if (!form.success) {
      await showTeam(req, res, true);
      return;
    }
    const required = form.data.requireSecondFactor === 'on';
    await updatePracticeSettings(db, user, { requireSecondFactor: required }, originOf(req));
    res.redirect(303, `/staff/${org.slug}/security/team?required=${form.data.requireSecondFactor}`);
  });

  return router;
}
