/**
 * A form definition as portal HTML: the questions as inputs (with the draft
 * pre-filled and per-question errors), the posted body back into answers for
 * checkAnswers/checkSubmission, and a submitted form read-only.
 *
 * Field names: `q.<questionId>`, and `q.<questionId>.<itemId>` for each line of
 * a scale. Element ids: `q-<questionId>` (text, date, consent checkbox),
 * `q-<questionId>-<n>` (the n-th option of a choice), `q-<questionId>-yes|no`,
 * `q-<questionId>-<itemId>-<n>` (scale), plus `-hint`, `-error`, `-legend`
 * and `-text` for the parts that describe a question. Question and item ids
 * are lower_snake_case (form-definition.ts), so none of these can collide.
 *
 * No script, no `required` attributes (a draft may be saved half done): the
 * "(required)" text and the server's checks do that job. Everything from the
 * definition or the client goes through `html` escaping.
 */
import { questionsOf, type TFormDefinition, type TQuestion } from '../domain/form-definition';
import type { AnswerError, AnswerValue, FormAnswers } from '../domain/form-answers';
import { consentText } from './consent-text';
import { crisisNote } from './crisis-note';
import { html, type Html } from './html';

const SHORT_TEXT_MAX = 500;
const LONG_TEXT_MAX = 10_000;
/** Room in the body's parameter count for _csrf, _action, signerName, agree and the like. */
const SPARE_FIELDS = 10;

type ScaleQuestion = Extract<TQuestion, { type: 'scale' }>;

function fieldName(questionId: string, itemId?: string): string {
  return itemId === undefined ? `q.${questionId}` : `q.${questionId}.${itemId}`;
}

function fieldId(questionId: string, ...parts: (string | number)[]): string {
  return ['q', questionId, ...parts].join('-');
}

/** Own properties only: a question id such as `constructor` must not find Object.prototype's. */
export function own(record: object, key: string): unknown {
  return Object.hasOwn(record, key) ? (record as Record<string, unknown>)[key] : undefined;
}

/** Sets an own property even for a key like `__proto__` (which plain assignment would turn into a prototype). */
function define(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Text with line breaks as paragraphs and <br>: markup, rather than CSS
 * `white-space`, so the template's own indentation never shows.
 */
export function paragraphs(text: string): Html {
  return html`${text
    .split(/\r?\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '')
    .map(
      (paragraph) =>
        html`<p>
          ${paragraph.split(/\r?\n/).map((line, index) => (index ? html`<br />${line.trim()}` : line.trim()))}
        </p>`,
    )}`;
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

interface Field {
  question: TQuestion;
  answer: unknown;
  messages: string[];
  hintId: string | null;
  errorId: string | null;
  /** The practice's crisis message (its setting), for a scale line that flags a crisis. */
  crisisMessage: string | null;
}

export function renderFormFields(
  definition: TFormDefinition,
  answers: FormAnswers,
  errors: AnswerError[],
  options: { crisisMessage?: string | null } = {},
): Html {
  const given: object = answers !== null && typeof answers === 'object' ? answers : {};
  const messages = new Map<string, string[]>();
  for (const error of Array.isArray(errors) ? errors : []) {
    messages.set(error.questionId, [...(messages.get(error.questionId) ?? []), error.message]);
  }
  return html`${definition.sections.map(
    (section) =>
      html`<section class="form-section">
        <h2>${section.title}</h2>
        ${section.questions.map((question) => {
          const questionMessages = messages.get(question.id) ?? [];
          return renderQuestion({
            question,
            answer: own(given, question.id),
            messages: questionMessages,
            hintId: hintOf(question) === null ? null : fieldId(question.id, 'hint'),
            errorId: questionMessages.length ? fieldId(question.id, 'error') : null,
            crisisMessage: options.crisisMessage ?? null,
          });
        })}
      </section>`,
  )}`;
}

function hintOf(question: TQuestion): string | null {
  const help = question.help?.trim() ? question.help : null;
  if (question.type === 'multiple_choice') return help ? `${help} Select all that apply.` : 'Select all that apply.';
  return help;
}

function labelText(question: TQuestion): Html {
  return html`${question.label}${question.required ? html` <span class="required">(required)</span>` : ''}`;
}

function hintAndError(field: Field): Html {
  const hint = hintOf(field.question);
  return html`${field.hintId && hint !== null ? html`<p class="hint" id="${field.hintId}">${hint}</p>` : ''}${
    field.errorId
      ? html`<p class="field-error" id="${field.errorId}">
          <span class="visually-hidden">Error:</span> ${field.messages.join(' ')}
        </p>`
      : ''
  }`;
}

/** aria-describedby (hint, error) and aria-invalid for an input of this question. */
function describe(field: Field, invalid = field.errorId !== null): Html {
  const ids = [field.hintId, field.errorId].filter((id) => id !== null).join(' ');
  return html`${ids ? html` aria-describedby="${ids}"` : ''}${invalid ? html` aria-invalid="true"` : ''}`;
}

function questionClass(field: Field, kind: string): string {
  return `question question-${kind}${field.errorId ? ' has-error' : ''}`;
}

function checked(on: boolean): Html | '' {
  return on ? html` checked` : '';
}

function renderQuestion(field: Field): Html {
  const { question } = field;
  const id = fieldId(question.id);
  const name = fieldName(question.id);
  switch (question.type) {
    case 'short_text':
    case 'date': {
      const value = typeof field.answer === 'string' ? field.answer : '';
      const type = question.type === 'date' ? 'date' : 'text';
      const maxlength = question.type === 'date' ? '' : html` maxlength="${SHORT_TEXT_MAX}"`;
      return html`<div class="${questionClass(field, question.type)}">
        <label for="${id}">${labelText(question)}</label>
        ${hintAndError(field)}
        <input
          type="${type}"
          id="${id}"
          name="${name}"
          value="${value}"
          ${maxlength}${question.required ? html` aria-required="true"` : ''}${describe(field)}
        />
      </div>`;
    }
    case 'long_text': {
      const value = typeof field.answer === 'string' ? field.answer : '';
      // The one newline right after `<textarea ...>` is dropped by the HTML parser, so the draft comes back exactly.
      const textarea = html`<textarea
        id="${id}"
        name="${name}"
        rows="5"
        maxlength="${LONG_TEXT_MAX}"
        ${question.required ? html` aria-required="true"` : ''}${describe(field)}
      >
${value}</textarea>`;
      return html`<div class="${questionClass(field, question.type)}">
        <label for="${id}">${labelText(question)}</label>
        ${hintAndError(field)} ${textarea}
      </div>`;
    }
    case 'yes_no':
      return choiceGroup(field, 'radio', [
        { id: fieldId(question.id, 'yes'), value: 'yes', label: 'Yes', on: field.answer === true },
        { id: fieldId(question.id, 'no'), value: 'no', label: 'No', on: field.answer === false },
      ]);
    case 'single_choice':
      return choiceGroup(
        field,
        'radio',
        question.options.map((option, index) => ({
          id: fieldId(question.id, index),
          value: option,
          label: option,
          on: field.answer === option,
        })),
      );
    case 'multiple_choice': {
      const chosen = Array.isArray(field.answer) ? (field.answer as unknown[]) : [];
      return choiceGroup(
        field,
        'checkbox',
        question.options.map((option, index) => ({
          id: fieldId(question.id, index),
          value: option,
          label: option,
          on: chosen.includes(option),
        })),
      );
    }
    case 'scale':
      return scaleGroup(field, question);
    case 'consent': {
      const legendId = fieldId(question.id, 'legend');
      return html`<fieldset class="${questionClass(field, question.type)}">
        <legend class="question-label" id="${legendId}">${labelText(question)}</legend>
        ${hintAndError(field)} ${consentText(question.text, fieldId(question.id, 'text'))}
        <label class="choice" for="${id}"
          ><input
            type="checkbox"
            id="${id}"
            name="${name}"
            value="yes"
            ${checked(field.answer === true)}${describe(field)}
          />
          <span>I agree</span></label
        >
      </fieldset>`;
    }
  }
}

interface Choice {
  id: string;
  value: string;
  label: string;
  on: boolean;
}

function choiceGroup(field: Field, type: 'radio' | 'checkbox', choices: Choice[]): Html {
  const { question } = field;
  const name = fieldName(question.id);
  return html`<fieldset class="${questionClass(field, question.type)}">
    <legend class="question-label">${labelText(question)}</legend>
    ${hintAndError(field)}
    <div class="choices">
      ${choices.map(
        (choice) =>
          html`<label class="choice" for="${choice.id}"
            ><input
              type="${type}"
              id="${choice.id}"
              name="${name}"
              value="${choice.value}"
              ${checked(choice.on)}${describe(field)}
            />
            <span>${choice.label}</span></label
          >`,
      )}
    </div>
  </fieldset>`;
}

/**
 * One fieldset per line with the options as pills that wrap: a PHQ-9 table
 * does not fit a phone. After an error the unanswered lines are flagged, so
 * the client need not hunt for the one they missed.
 */
function scaleGroup(field: Field, question: ScaleQuestion): Html {
  const picked: object = field.answer !== null && typeof field.answer === 'object' ? field.answer : {};
  const missing = question.items.filter((item) => !question.options.some((o) => own(picked, item.id) === o.value));
  const flagged = new Set((missing.length ? missing : question.items).map((item) => item.id));
  return html`<fieldset class="${questionClass(field, question.type)}">
    <legend class="question-label">${labelText(question)}</legend>
    ${hintAndError(field)}
    ${question.items.map((item) => {
      const invalid = field.errorId !== null && flagged.has(item.id);
      const name = fieldName(question.id, item.id);
      return html`<fieldset class="scale-item${invalid ? ' has-error' : ''}">
        <legend>
          ${item.label}${invalid && missing.length ? html` <span class="field-error-inline">(not answered)</span>` : ''}
        </legend>
        <div class="pills">
          ${question.options.map((option, index) => {
            const id = fieldId(question.id, item.id, index);
            const crisis = item.crisisAbove !== undefined && option.value > item.crisisAbove;
            return html`<label class="pill" for="${id}"
              ><input
                type="radio"
                id="${id}"
                name="${name}"
                value="${option.value}"
                ${crisis ? html` data-crisis` : ''}${checked(own(picked, item.id) === option.value)}${describe(
                  field,
                  invalid,
                )}
              />
              <span>${option.label}</span></label
            >`;
          })}
        </div>
        ${
          item.crisisAbove === undefined
            ? ''
            : crisisNote(field.crisisMessage, {
                shown: typeof own(picked, item.id) === 'number' && (own(picked, item.id) as number) > item.crisisAbove,
              })
        }
      </fieldset>`;
    })}
  </fieldset>`;
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

export function parseFormFields(definition: TFormDefinition, body: Record<string, unknown>): Record<string, unknown> {
  const given: object = body !== null && typeof body === 'object' ? body : {};
  const input: Record<string, unknown> = {};
  for (const question of questionsOf(definition)) {
    const value = parseQuestion(question, (itemId) => own(given, fieldName(question.id, itemId)));
    if (value !== undefined) define(input, question.id, value);
  }
  return input;
}

/** A single-valued field: a string, or nothing (an array means a tampered post). */
function single(raw: unknown): string | undefined {
  return typeof raw === 'string' && raw !== '' ? raw : undefined;
}

function parseQuestion(question: TQuestion, field: (itemId?: string) => unknown): AnswerValue | undefined {
  switch (question.type) {
    case 'short_text':
    case 'long_text':
    case 'date':
    case 'single_choice':
      return single(field());
    case 'yes_no': {
      const raw = single(field());
      return raw === 'yes' ? true : raw === 'no' ? false : undefined;
    }
    case 'consent':
      return single(field()) === 'yes' ? true : undefined;
    case 'multiple_choice': {
      const raw = field();
      if (typeof raw === 'string') return raw === '' ? undefined : [raw];
      if (!Array.isArray(raw)) return undefined;
      const chosen = raw.filter((choice): choice is string => typeof choice === 'string' && choice !== '');
      return chosen.length ? chosen : undefined;
    }
    case 'scale': {
      const picked: Record<string, number> = {};
      for (const item of question.items) {
        const raw = single(field(item.id));
        // Digits only: "1e1", " 2", "-0" or "0x1" are no answer; an out-of-range number is left for checkAnswers to refuse.
        if (raw !== undefined && /^[0-9]+$/.test(raw)) define(picked, item.id, Number(raw));
      }
      return Object.keys(picked).length ? picked : undefined;
    }
  }
}

export function fieldCount(definition: TFormDefinition): number {
  return (
    questionsOf(definition).reduce((count, question) => {
      if (question.type === 'multiple_choice') return count + question.options.length;
      if (question.type === 'scale') return count + question.items.length;
      return count + 1;
    }, 0) + SPARE_FIELDS
  );
}

// ---------------------------------------------------------------------------
// Read-only
// ---------------------------------------------------------------------------
