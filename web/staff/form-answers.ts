/**
 * A signed form read on the page (issue 13: answers were readable only as
 * PDFs): the scores first (PHQ-9, GAD-7 totals and severity), any answer
 * that needs review today, then every answer, the signature and its check,
 * and the PDF. Reading answers is a PHI access: audited as the JSON API's
 * form.read is.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { FormAnswers } from '../../domain/form-answers';
import type { TFormDefinition } from '../../domain/form-definition';
import { audited } from '../../http/staff-audit';
import { AppError } from '../../use-cases/app-error';
import { readSignedForm } from '../../use-cases/forms/onboarding-forms';
import { own } from '../form-fields';
import { html } from '../html';
import { send } from '../send-page';
import { renderSubmittedAnswers } from '../submitted-answers';
import { formatWhen } from './status-label';
import type { StaffPages } from './staff-session';

/**
 * Scale lines that ask about self-harm (PHQ-9 item 9): any answer above 0 is
 * for the clinician to see today, whatever the total.
 */
const SELF_HARM_ITEM_IDS = new Set(['self_harm']);

interface FlaggedAnswer {
  questionLabel: string;
  itemLabel: string;
  answer: string;
  value: number;
}

/** The self-harm lines answered above 0, and the same as a map for the answers list to mark. */
export function flaggedAnswers(definition: TFormDefinition, answers: FormAnswers) {
  const found: FlaggedAnswer[] = [];
  const byQuestion = new Map<string, Set<string>>();
  const given: object = answers !== null && typeof answers === 'object' ? answers : {};
  for (const section of definition.sections) {
    for (const question of section.questions) {
      if (question.type !== 'scale') continue;
      const picked = own(given, question.id);
      if (picked === null || typeof picked !== 'object') continue;
      for (const item of question.items) {
        const value = own(picked, item.id);
        if (!SELF_HARM_ITEM_IDS.has(item.id) || typeof value !== 'number' || value <= 0) continue;
        const option = question.options.find((candidate) => candidate.value === value);
        found.push({
          questionLabel: question.label,
          itemLabel: item.label,
          answer: option?.label ?? String(value),
          value,
        });
        byQuestion.set(question.id, (byQuestion.get(question.id) ?? new Set()).add(item.id));
      }
    }
  }
  return { found, byQuestion };
}

export function formAnswersRoutes(deps: StaffPages): Router {
  const router = Router();
  const { db, sessionOf, layout, onboardingIdOf, clientContact } = deps;

  router.get('/staff/:orgSlug/onboardings/:onboardingId/documents/:assignmentId', async (req, res) => {
    const { org, user } = sessionOf(res);
    const onboardingId = onboardingIdOf(req.params.onboardingId);
    const assignmentId = z.uuid().safeParse(req.params.assignmentId);
    if (!assignmentId.success) throw new AppError('NOT_FOUND', 'bad assignment id');
    const form = await audited(db, req, 'form.read', onboardingId, () =>
      readSignedForm(db, user, onboardingId, assignmentId.data),
    );
    const who = (await clientContact(user, onboardingId))?.client ?? null;
    const flagged = flaggedAnswers(form.form.definition, form.answers);
    const base = `/staff/${org.slug}/onboardings/${onboardingId}`;
    const body = layout(
      req,
      res,
      form.form.title,
      html`<div class="card">
          <p class="client-named" style="margin-top:0">
            ${who ? html`Client: <strong>${who.firstName} ${who.lastName}</strong> · ` : ''}Signed by
            <strong>${form.signature.signerName}</strong> on ${formatWhen(form.signature.signedAt, org.timeZone)} ·
            version ${form.form.version}
          </p>
          ${
            form.scores.length
              ? html`<h2>Scores</h2>
                  <dl class="facts" data-testid="scores">
                    ${form.scores.map(
                      (score) =>
                        html`<dt>${score.label}</dt>
                          <dd>
                            <strong style="font-size:1.25rem">${score.score}</strong> of
                            ${score.maxScore}${score.band ? html` · <strong>${score.band}</strong>` : ''}
                          </dd>`,
                    )}
                  </dl>`
              : ''
          }
          ${
            flagged.found.length
              ? html`<div class="error" data-testid="needs-review" style="margin-top:1rem">
                  <h2 style="margin:0 0 0.4rem;font-size:1.15rem">Needs review today</h2>
                  <ul style="margin:0;padding-left:1.25rem">
                    ${flagged.found.map(
                      (answer) =>
                        html`<li>
                          ${answer.questionLabel} item “${answer.itemLabel}”: <strong>${answer.answer}</strong>
                          (${answer.value})
                        </li>`,
                    )}
                  </ul>
                </div>`
              : ''
          }
          <div class="actions" style="margin-top:1rem">
            <a class="button secondary" href="${base}/documents/${form.assignmentId}/pdf"
              >Download PDF<span class="visually-hidden"> of ${form.form.title}</span></a
            >
            <a class="button secondary" href="${base}">Back to the client’s page</a>
          </div>
        </div>
        <div class="card" style="margin-top:1rem" data-testid="answers">
          ${renderSubmittedAnswers(form.form.definition, form.answers, {
            reader: 'staff',
            flagged: flagged.byQuestion,
          })}
          <section class="signature">
            <h2>Signature</h2>
            <p>
              Typed name <strong>${form.signature.signerName}</strong>,
              ${formatWhen(form.signature.signedAt, org.timeZone)}${form.signature.ip ? `, from ${form.signature.ip}` : ''}.
              ${
                form.verification.valid
                  ? html`The record is intact: it still matches what was signed.`
                  : html`<strong>The record no longer matches what was signed</strong>; treat this copy with caution.`
              }
            </p>
          </section>
        </div>`,
    );
    send(res, 200, body);
  });

  return router;
}
