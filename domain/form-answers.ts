/**
 * A client's answers to one form, checked against its definition. A draft may
 * leave anything blank; a submission must answer every required question and
 * tick every consent. Answers are PHI: they are never logged, and errors name
 * the question, never the value.
 */
import { isStorableText, questionsOf, type TFormDefinition, type TQuestion } from './form-definition';

export type AnswerValue = string | string[] | boolean | Record<string, number>;
/** By question id. Blank answers are left out, not stored as "". */
export type FormAnswers = Record<string, AnswerValue>;

export interface AnswerError {
  questionId: string;
  message: string;
}

export type AnswerCheck = { ok: true; answers: FormAnswers } | { ok: false; errors: AnswerError[] };

const MAX_LENGTH: Partial<Record<TQuestion['type'], number>> = { short_text: 500, long_text: 10_000 };

/**
 * Returns the answers with unknown keys dropped and text trimmed, or every
 * problem found. `mode: 'draft'` checks only the answers given.
 */
export function checkAnswers(definition: TFormDefinition, input: unknown, mode: 'draft' | 'submit'): AnswerCheck {
  const given = input !== null && typeof input === 'object' && !Array.isArray(input) ? input : {};
  const answers: FormAnswers = {};
  const errors: AnswerError[] = [];
  for (const question of questionsOf(definition)) {
    const raw = Object.hasOwn(given, question.id) ? (given as Record<string, unknown>)[question.id] : undefined;
    const result = checkOne(question, raw);
    if (result.error) errors.push({ questionId: question.id, message: result.error });
    else if (result.value !== undefined) answers[question.id] = result.value;
    else if (mode === 'submit' && question.required) {
      errors.push({ questionId: question.id, message: requiredMessage(question) });
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, answers };
}

function requiredMessage(question: TQuestion): string {
  if (question.type === 'consent') return 'Please tick the box to agree.';
  if (question.type === 'scale') return 'Please answer every line.';
  return 'Please answer this question.';
}

function checkOne(question: TQuestion, raw: unknown): { value?: AnswerValue; error?: string } {
  if (raw === undefined || raw === null || raw === '') return {};
  switch (question.type) {
    case 'short_text':
    case 'long_text': {
      if (typeof raw !== 'string') return { error: 'Must be text.' };
      const text = raw.trim();
      const max = MAX_LENGTH[question.type]!;
      if (text.length > max) return { error: `Must be at most ${max} characters.` };
      if (!isStorableText(text)) return { error: 'Contains a character that cannot be saved.' };
      return text ? { value: text } : {};
    }
    case 'date': {
      if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw)) return { error: 'Must be a date.' };
      const date = new Date(`${raw}T00:00:00Z`);
      if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== raw) return { error: 'Must be a date.' };
      return { value: raw };
    }
    case 'yes_no':
    case 'consent': {
      if (typeof raw !== 'boolean')
        return { error: question.type === 'consent' ? 'Must be ticked.' : 'Must be yes or no.' };
      // An unticked consent is no answer at all, so "required" catches it.
      if (question.type === 'consent' && !raw) return {};
      return { value: raw };
    }
    case 'single_choice':
      if (typeof raw !== 'string' || !question.options.includes(raw)) return { error: 'Choose one of the options.' };
      return { value: raw };
    case 'multiple_choice': {
      if (
        !Array.isArray(raw) ||
        raw.some((choice) => typeof choice !== 'string' || !question.options.includes(choice))
      ) {
        return { error: 'Choose from the options.' };
      }
      const chosen = question.options.filter((option) => raw.includes(option));
      return chosen.length ? { value: chosen } : {};
    }
    case 'scale': {
      if (typeof raw !== 'object' || Array.isArray(raw)) return { error: 'Choose one answer on each line.' };
      const values = new Set(question.options.map((option) => option.value));
      const picked: Record<string, number> = {};
      for (const item of question.items) {
        const value = answerOf(raw, item.id);
        if (value === undefined || value === null || value === '') continue;
        if (typeof value !== 'number' || !values.has(value)) return { error: 'Choose one answer on each line.' };
        picked[item.id] = value;
      }
      const answered = Object.keys(picked).length;
      if (answered === 0) return {};
      // A half-answered scale is fine in a draft; checkAnswers reports it on submit via `incompleteScales`.
      return { value: picked };
    }
  }
}

/** Own keys only: a question id such as "constructor" must not find Object.prototype's. */
function answerOf(record: object, key: string): unknown {
  return Object.hasOwn(record, key) ? (record as Record<string, unknown>)[key] : undefined;
}

/** Scales with some lines unanswered: a submission must answer all of them (the score would be wrong). */
export function incompleteScales(definition: TFormDefinition, answers: FormAnswers): AnswerError[] {
  return questionsOf(definition)
    .filter((question) => question.type === 'scale')
    .filter((question) => {
      const value = answerOf(answers, question.id) as Record<string, number> | undefined;
      return value !== undefined && question.items.some((item) => answerOf(value, item.id) === undefined);
    })
    .map((question) => ({ questionId: question.id, message: 'Please answer every line.' }));
}

/** Checks a submission: required answers, consents, and complete scales. */
export function checkSubmission(definition: TFormDefinition, input: unknown): AnswerCheck {
  const checked = checkAnswers(definition, input, 'submit');
  if (!checked.ok) return checked;
  const incomplete = incompleteScales(definition, checked.answers);
  return incomplete.length ? { ok: false, errors: incomplete } : checked;
}

export interface ScaleScore {
  questionId: string;
  label: string;
  score: number;
  maxScore: number;
  band: string | null;
}

/** The total and severity band of each answered scale (PHQ-9, GAD-7…), for staff. */
export function scoreAnswers(definition: TFormDefinition, answers: FormAnswers): ScaleScore[] {
  return questionsOf(definition).flatMap((question) => {
    if (question.type !== 'scale') return [];
    const value = answerOf(answers, question.id) as Record<string, number> | undefined;
    if (!value) return [];
    const score = question.items.reduce(
      (sum, item) => sum + ((answerOf(value, item.id) as number | undefined) ?? 0),
      0,
    );
    const top = Math.max(...question.options.map((option) => option.value));
    const band = question.bands.find((candidate) => score >= candidate.min && score <= candidate.max);
    return [
      {
        questionId: question.id,
        label: question.label,
        score,
        maxScore: top * question.items.length,
        band: band?.label ?? null,
      },
    ];
  });
}
