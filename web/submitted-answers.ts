/**
 * A signed form's answers, read-only: the client's copy in My Documents, and
 * the staff reading (scale values shown, items needing attention marked).
 */
import { type TFormDefinition, type TQuestion } from '../domain/form-definition';
import type { FormAnswers } from '../domain/form-answers';
import { consentText } from './consent-text';
import { own, paragraphs } from './form-fields';
import { html, type Html } from './html';

const DATE_FORMAT = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' });

function formatDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? value : DATE_FORMAT.format(date);
}

const NOT_ANSWERED = html`<span class="not-answered">Not answered</span>`;

export interface AnswerReading {
  /** Staff see each scale line's value and "Agreed"; the client sees options only and "You agreed". */
  reader: 'client' | 'staff';
  /** Scale lines to mark for attention (e.g. PHQ-9 item 9 above 0): by question id, the item ids. */
  flagged?: Map<string, Set<string>>;
}

export function renderSubmittedAnswers(
  definition: TFormDefinition,
  answers: FormAnswers,
  reading: AnswerReading = { reader: 'client' },
): Html {
  const given: object = answers !== null && typeof answers === 'object' ? answers : {};
  return html`${definition.sections.map(
    (section) =>
      html`<section class="form-section">
        <h2>${section.title}</h2>
        <dl class="answers">
          ${section.questions.map(
            (question) =>
              html`<div class="answer answer-${question.type}">
                <dt>${question.label}</dt>
                <dd>${renderAnswer(question, own(given, question.id), reading)}</dd>
              </div>`,
          )}
        </dl>
      </section>`,
  )}`;
}

/** The answer as text. For the client, scales show each line's chosen option, never a score or severity. */
function renderAnswer(question: TQuestion, answer: unknown, reading: AnswerReading): Html {
  switch (question.type) {
    case 'short_text':
    case 'single_choice':
      return typeof answer === 'string' && answer !== '' ? html`${answer}` : NOT_ANSWERED;
    case 'long_text':
      return typeof answer === 'string' && answer.trim() !== '' ? paragraphs(answer) : NOT_ANSWERED;
    case 'date':
      return typeof answer === 'string' && answer !== '' ? html`${formatDate(answer)}` : NOT_ANSWERED;
    case 'yes_no':
      return answer === true ? html`Yes` : answer === false ? html`No` : NOT_ANSWERED;
    case 'multiple_choice': {
      const chosen = Array.isArray(answer)
        ? question.options.filter((option) => (answer as unknown[]).includes(option))
        : [];
      return chosen.length
        ? html`<ul>
            ${chosen.map((option) => html`<li>${option}</li>`)}
          </ul>`
        : NOT_ANSWERED;
    }
    case 'scale': {
      const picked: object = answer !== null && typeof answer === 'object' && !Array.isArray(answer) ? answer : {};
      return html`<ul class="scale-answers">
        ${question.items.map((item) => {
          const option = question.options.find((candidate) => candidate.value === own(picked, item.id));
          const flagged = reading.flagged?.get(question.id)?.has(item.id) ?? false;
          const staffNotes = html`${
            option && reading.reader === 'staff' ? html` <span class="hint">(${option.value})</span>` : ''
          }${flagged ? html` · <span style="color:#8a1c12">needs review</span>` : ''}`;
          // Inline: the one place a line is marked, not worth a rule in every page's styles.
          const marked = flagged
            ? html` class="flagged" style="background:#fdecea;border-radius:6px;padding:0.3rem 0.5rem"`
            : '';
          return html`<li${marked}>
            <span class="scale-item-label">${item.label}</span>
            <span class="scale-item-answer">${option ? option.label : NOT_ANSWERED}${staffNotes}</span>
          </li>`;
        })}
      </ul>`;
    }
    case 'consent':
      return html`${consentText(question.text)}
      ${
        answer === true
          ? html`<p><strong>${reading.reader === 'staff' ? 'Agreed.' : 'You agreed.'}</strong></p>`
          : NOT_ANSWERED
      }`;
  }
}
