/**
 * What a form is: sections of questions, stored as JSON in a versioned
 * FormDefinition row. This schema is the one place the shape is defined: the
 * admin API validates new versions with it, the portal renders from it, the
 * answers are checked against it (form-answers.ts) and the PDF prints it.
 */
import { z } from 'zod';

const ZId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, 'must be lower_snake_case, starting with a letter');
/**
 * PostgreSQL cannot store a NUL character (in text or jsonb) or an unpaired
 * surrogate (in jsonb), so such text is refused here rather than failing the
 * write with a 500.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !/\p{Cs}/u.test(text);
}
export const UNSTORABLE_TEXT = 'must not contain a NUL character or an unpaired surrogate';

const ZLabel = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(500, 'must be at most 500 characters')
  .refine(isStorableText, UNSTORABLE_TEXT);

const base = {
  id: ZId,
  label: ZLabel,
  required: z.boolean().default(false),
  /** Shown under the label. */
  help: z.string().max(1000).refine(isStorableText, UNSTORABLE_TEXT).optional(),
};

export const ZShortTextQuestion = z.object({ ...base, type: z.literal('short_text') });
export const ZLongTextQuestion = z.object({ ...base, type: z.literal('long_text') });
export const ZDateQuestion = z.object({ ...base, type: z.literal('date') });
export const ZYesNoQuestion = z.object({ ...base, type: z.literal('yes_no') });
export const ZSingleChoiceQuestion = z.object({
  ...base,
  type: z.literal('single_choice'),
  options: z.array(ZLabel).min(2).max(50),
});
export const ZMultipleChoiceQuestion = z.object({
  ...base,
  type: z.literal('multiple_choice'),
  options: z.array(ZLabel).min(2).max(50),
});

/**
 * A scored questionnaire such as PHQ-9 or GAD-7: items answered on one shared
 * scale; the score is the sum of the chosen values and falls in a band.
 */
export const ZScaleQuestion = z.object({
  ...base,
  type: z.literal('scale'),
  items: z
    .array(
      z.object({
        id: ZId,
        label: ZLabel,
        /**
         * An answer worth more than this is a possible crisis (PHQ-9 item 9,
         * thoughts of self-harm): the client is shown where to get help at
         * once, and the practice is alerted to review the form the same day.
         */
        crisisAbove: z.number().int().min(0).max(100).optional(),
      }),
    )
    .min(1)
    .max(50),
  options: z
    .array(z.object({ label: ZLabel, value: z.number().int().min(0).max(100) }))
    .min(2)
    .max(10),
  /** Severity bands by total score, e.g. PHQ-9: 0–4 minimal … 20–27 severe. */
  bands: z
    .array(z.object({ min: z.number().int(), max: z.number().int(), label: ZLabel }))
    .max(10)
    .default([]),
});

/** A consent text the client must read and tick ("I agree"). */
export const ZConsentQuestion = z.object({
  ...base,
  type: z.literal('consent'),
  text: z.string().trim().min(1).max(20_000).refine(isStorableText, UNSTORABLE_TEXT),
});

export const ZQuestion = z.discriminatedUnion('type', [
  ZShortTextQuestion,
  ZLongTextQuestion,
  ZDateQuestion,
  ZYesNoQuestion,
  ZSingleChoiceQuestion,
  ZMultipleChoiceQuestion,
  ZScaleQuestion,
  ZConsentQuestion,
]);
export type TQuestion = z.infer<typeof ZQuestion>;
export type QuestionType = TQuestion['type'];

export const ZFormDefinition = z
  .object({
    /** Shown at the top of the form. */
    description: z.string().max(5000).refine(isStorableText, UNSTORABLE_TEXT).optional(),
    sections: z
      .array(z.object({ title: ZLabel, questions: z.array(ZQuestion).min(1).max(100) }))
      .min(1)
      .max(30),
  })
  .superRefine((definition, ctx) => {
    const seen = new Set<string>();
    definition.sections.forEach((section, s) =>
      section.questions.forEach((question, q) => {
        if (seen.has(question.id)) {
          ctx.addIssue({ code: 'custom', path: ['sections', s, 'questions', q, 'id'], message: 'is used twice' });
        }
        seen.add(question.id);
        if (
          question.type === 'scale' &&
          new Set(question.items.map((item) => item.id)).size !== question.items.length
        ) {
          ctx.addIssue({ code: 'custom', path: ['sections', s, 'questions', q, 'items'], message: 'item ids repeat' });
        }
      }),
    );
  });
export type TFormDefinition = z.infer<typeof ZFormDefinition>;

export function questionsOf(definition: TFormDefinition): TQuestion[] {
  return definition.sections.flatMap((section) => section.questions);
}
