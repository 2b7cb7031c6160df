/**
 * Answers that suggest a client may be in crisis: a scale line whose
 * definition sets `crisisAbove` (PHQ-9 item 9, thoughts of self-harm),
 * answered above it. The client is shown where to get help at once; the
 * practice is alerted to review the form the same day.
 */
import { questionsOf, type TFormDefinition } from './form-definition';
import type { FormAnswers } from './form-answers';

export interface CrisisAnswer {
  questionId: string;
  itemId: string;
}

/** The US crisis line, shown before the practice's own words (its crisisMessage setting). */
export const CRISIS_LINE_MESSAGE = 'If you are in crisis, call or text 988 (Suicide & Crisis Lifeline, US) or 911.';

export function crisisAnswers(definition: TFormDefinition, answers: FormAnswers): CrisisAnswer[] {
  return questionsOf(definition).flatMap((question) => {
    if (question.type !== 'scale') return [];
    const raw = Object.hasOwn(answers, question.id) ? answers[question.id] : undefined;
    const picked = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
    return question.items
      .filter((item) => item.crisisAbove !== undefined)
      .filter((item) => {
        const value = Object.hasOwn(picked, item.id) ? picked[item.id] : undefined;
        return typeof value === 'number' && value > item.crisisAbove!;
      })
      .map((item) => ({ questionId: question.id, itemId: item.id }));
  });
}
