/** A signed form's answers, read-only: the client's copy in My Documents. */
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

export function renderSubmittedAnswers(definition: TFormDefinition, answers: FormAnswers): Html {
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
                <dd>${renderAnswer(question, own(given, question.id))}</dd>
              </div>`,
          )}
        </dl>
      </section>`,
  )}`;
}

/** The client's answer as text. Scales show each line's chosen option, never a score or severity. */
function renderAnswer(question: TQuestion, answer: unknown): Html {
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
          return html`<li>
            <span class="scale-item-label">${item.label}</span>
            <span class="scale-item-answer">${option ? option.label : NOT_ANSWERED}</span>
          </li>`;
        })}
      </ul>`;
    }
    case 'consent':
      return html`${consentText(question.text)}
      ${answer === true ? html`<p><strong>You agreed.</strong></p>` : NOT_ANSWERED}`;
  }
}
