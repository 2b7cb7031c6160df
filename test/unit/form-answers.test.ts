/**
 * The form definition schema and the checks on a client's answers: what a
 * draft may leave out, what a submission must have, how PHQ-9 scores, and
 * that an error never repeats what the client typed (answers are PHI).
 */
import {
  checkAnswers,
  checkSubmission,
  scoreAnswers,
  type AnswerCheck,
  type FormAnswers,
} from '../../domain/form-answers';
import { ZFormDefinition, type TFormDefinition } from '../../domain/form-definition';
import { STANDARD_ASSESSMENTS, STANDARD_FORMS } from '../../prisma/seed-data/standard-forms';
import { crisisAnswers } from '../../domain/crisis-answers';

const definition = ZFormDefinition.parse({
  sections: [
    {
      title: 'About you',
      questions: [
        { id: 'preferred_name', type: 'short_text', label: 'Preferred name', required: true },
        { id: 'history', type: 'long_text', label: 'Anything else?' },
        { id: 'started', type: 'date', label: 'When did it start?' },
        { id: 'seen_before', type: 'yes_no', label: 'Seen a therapist before?', required: true },
        { id: 'contact', type: 'single_choice', label: 'Contact by', options: ['Phone', 'Email'] },
        { id: 'concerns', type: 'multiple_choice', label: 'Concerns', options: ['Sleep', 'Mood', 'Work'] },
      ],
    },
    {
      title: 'Mood and agreement',
      questions: [
        {
          id: 'mood',
          type: 'scale',
          label: 'Mood',
          required: true,
          items: [
            { id: 'down', label: 'Feeling down' },
            { id: 'tired', label: 'Feeling tired' },
          ],
          options: [
            { label: 'Not at all', value: 0 },
            { label: 'Often', value: 1 },
          ],
        },
        { id: 'consent', type: 'consent', label: 'I agree', text: 'The terms.', required: true },
      ],
    },
  ],
});

const complete = {
  preferred_name: 'Sam',
  seen_before: false,
  mood: { down: 1, tired: 0 },
  consent: true,
};

function errorsOf(check: AnswerCheck) {
  if (check.ok) throw new Error(`expected errors, got answers ${JSON.stringify(check.answers)}`);
  return check.errors;
}

function answersOf(check: AnswerCheck) {
  if (!check.ok) throw new Error(`expected answers, got errors ${JSON.stringify(check.errors)}`);
  return check.answers;
}

const phq9Form = STANDARD_ASSESSMENTS.find((form) => form.key === 'phq-9')!;
const phq9 = ZFormDefinition.parse(phq9Form.definition);
const PHQ9_ITEMS = [
  'interest',
  'mood',
  'sleep',
  'energy',
  'appetite',
  'self_worth',
  'concentration',
  'psychomotor',
  'self_harm',
];

/** PHQ-9 answers: the given values in item order (fewer values leave the last lines unanswered). */
function phq9Answers(values: number[]): FormAnswers {
  return { phq9: Object.fromEntries(values.map((value, index) => [PHQ9_ITEMS[index]!, value])) };
}

describe('ZFormDefinition', () => {
  it.each([...STANDARD_FORMS, ...STANDARD_ASSESSMENTS].map((form) => [form.key, form.definition] as const))(
    'accepts the standard form %s',
    (_key, standard) => {
      expect(ZFormDefinition.safeParse(standard).success).toBe(true);
    },
  );

  function issuesOf(candidate: unknown) {
    const parsed = ZFormDefinition.safeParse(candidate);
    expect(parsed.success).toBe(false);
    return parsed.error!.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  }

  it('rejects a question id used twice, even across sections', () => {
    expect(
      issuesOf({
        sections: [
          { title: 'One', questions: [{ id: 'name', type: 'short_text', label: 'Name' }] },
          { title: 'Two', questions: [{ id: 'name', type: 'long_text', label: 'Name again' }] },
        ],
      }),
    ).toEqual([{ path: 'sections.1.questions.0.id', message: 'is used twice' }]);
  });

  it('rejects repeated item ids within a scale', () => {
    const scale = phq9.sections[0]!.questions[0]!;
    expect(scale.type).toBe('scale');
    if (scale.type !== 'scale') return;
    const repeated = { ...scale, items: [...scale.items, { id: 'mood', label: 'Mood again' }] };
    expect(issuesOf({ sections: [{ title: 'PHQ', questions: [repeated] }] })).toEqual([
      { path: 'sections.0.questions.0.items', message: 'item ids repeat' },
    ]);
  });

  it.each(['Name', 'first-name', '1st', '_name', '', 'a'.repeat(65)])('rejects the question id %j', (id) => {
    const issues = issuesOf({ sections: [{ title: 'One', questions: [{ id, type: 'short_text', label: 'Name' }] }] });
    expect(new Set(issues.map((issue) => issue.path))).toEqual(new Set(['sections.0.questions.0.id']));
  });

  it('rejects a choice question with fewer than two options', () => {
    for (const type of ['single_choice', 'multiple_choice']) {
      const issues = issuesOf({
        sections: [{ title: 'One', questions: [{ id: 'pick', type, label: 'Pick', options: ['Only'] }] }],
      });
      expect(issues.map((issue) => issue.path)).toEqual(['sections.0.questions.0.options']);
    }
  });

  it.each([
    ['a NUL character', 'Name\u0000'],
    ['a lone surrogate', 'Name \ud83d'],
  ])('rejects text PostgreSQL cannot store: %s', (_case, text) => {
    const question = { id: 'name', type: 'short_text', label: 'Name' };
    for (const candidate of [
      { sections: [{ title: 'One', questions: [{ ...question, label: text }] }] },
      { sections: [{ title: text, questions: [question] }] },
      { sections: [{ title: 'One', questions: [{ ...question, help: text }] }] },
      { sections: [{ title: 'One', questions: [{ id: 'ok', type: 'consent', label: 'OK', text }] }] },
      { description: text, sections: [{ title: 'One', questions: [question] }] },
    ]) {
      expect(issuesOf(candidate).map((issue) => issue.message)).toEqual([
        'must not contain a NUL character or an unpaired surrogate',
      ]);
    }
    // A whole emoji (a surrogate pair) is fine.
    expect(ZFormDefinition.safeParse({ sections: [{ title: 'One 🙂', questions: [question] }] }).success).toBe(true);
  });

  it('rejects an unknown question type, an empty label and an empty form', () => {
    expect(
      issuesOf({ sections: [{ title: 'One', questions: [{ id: 'x', type: 'slider', label: 'X' }] }] }).map(
        (issue) => issue.path,
      ),
    ).toEqual(['sections.0.questions.0.type']);
    expect(issuesOf({ sections: [{ title: 'One', questions: [{ id: 'x', type: 'yes_no', label: '   ' }] }] })).toEqual([
      { path: 'sections.0.questions.0.label', message: 'must not be empty' },
    ]);
    expect(issuesOf({ sections: [] }).map((issue) => issue.path)).toEqual(['sections']);
  });

  it('fills in defaults: not required, no bands', () => {
    const parsed = ZFormDefinition.parse({
      sections: [
        {
          title: 'One',
          questions: [
            {
              id: 'scale',
              type: 'scale',
              label: 'Scale',
              items: [{ id: 'a', label: 'A' }],
              options: [
                { label: 'No', value: 0 },
                { label: 'Yes', value: 1 },
              ],
            },
          ],
        },
      ],
    });
    expect(parsed.sections[0]!.questions[0]).toMatchObject({ required: false, bands: [] });
  });
});

describe('checkAnswers in draft mode', () => {
  it('accepts an empty draft and blank answers, and leaves blanks out', () => {
    expect(checkAnswers(definition, {}, 'draft')).toEqual({ ok: true, answers: {} });
    expect(
      checkAnswers(
        definition,
        { preferred_name: '   ', history: '', started: null, concerns: [], mood: {}, consent: false },
        'draft',
      ),
    ).toEqual({ ok: true, answers: {} });
  });

  it.each([null, 'text', 42, ['preferred_name']])('treats a non-object body %j as no answers', (input) => {
    expect(checkAnswers(definition, input, 'draft')).toEqual({ ok: true, answers: {} });
  });

  it('accepts a half-answered scale in a draft', () => {
    expect(answersOf(checkAnswers(definition, { mood: { down: 1 } }, 'draft'))).toEqual({ mood: { down: 1 } });
  });

  it('trims text, drops unknown keys and keeps options in the form’s order', () => {
    const answers = answersOf(
      checkAnswers(
        definition,
        {
          preferred_name: '  Sam  ',
          history: '\n line one\nline two \n',
          started: '2024-02-29',
          seen_before: true,
          contact: 'Email',
          concerns: ['Work', 'Sleep', 'Work'],
          mood: { down: 0, tired: 1, extra: 1 },
          consent: true,
          not_a_question: 'dropped',
        },
        'draft',
      ),
    );
    expect(answers).toEqual({
      preferred_name: 'Sam',
      history: 'line one\nline two',
      started: '2024-02-29',
      seen_before: true,
      contact: 'Email',
      concerns: ['Sleep', 'Work'],
      mood: { down: 0, tired: 1 },
      consent: true,
    });
  });

  it('drops a "__proto__" key from a JSON body without polluting anything', () => {
    const body: unknown = JSON.parse('{"__proto__": {"polluted": true}, "preferred_name": "Sam"}');
    const answers = answersOf(checkAnswers(definition, body, 'draft'));
    expect(answers).toEqual({ preferred_name: 'Sam' });
    expect(Object.getPrototypeOf(answers)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['text for yes/no', 'seen_before', 'yes', 'Must be yes or no.'],
    ['a number for yes/no', 'seen_before', 1, 'Must be yes or no.'],
    ['a number for text', 'preferred_name', 42, 'Must be text.'],
    ['501 characters of short text', 'preferred_name', 'x'.repeat(501), 'Must be at most 500 characters.'],
    ['10,001 characters of long text', 'history', 'x'.repeat(10_001), 'Must be at most 10000 characters.'],
    ['30 February', 'started', '2025-02-30', 'Must be a date.'],
    ['month 13', 'started', '2025-13-01', 'Must be a date.'],
    ['a date in another format', 'started', '1/2/2025', 'Must be a date.'],
    ['a timestamp for a date', 'started', '2025-01-01T00:00:00Z', 'Must be a date.'],
    ['an unknown option', 'contact', 'Carrier pigeon', 'Choose one of the options.'],
    ['a list for a single choice', 'contact', ['Email'], 'Choose one of the options.'],
    ['an unknown option among known ones', 'concerns', ['Sleep', 'Boredom'], 'Choose from the options.'],
    ['a string for a multiple choice', 'concerns', 'Sleep', 'Choose from the options.'],
    ['a value off the scale', 'mood', { down: 2 }, 'Choose one answer on each line.'],
    ['a string on a scale', 'mood', { down: '1' }, 'Choose one answer on each line.'],
    ['a list for a scale', 'mood', [0, 1], 'Choose one answer on each line.'],
    ['text for a consent', 'consent', 'yes', 'Must be ticked.'],
    // PostgreSQL cannot store these: saving the draft failed with a 500.
    ['a NUL character in text', 'preferred_name', 'Sam\u0000', 'Contains a character that cannot be saved.'],
    ['a lone surrogate in text', 'history', 'a \udc00 b', 'Contains a character that cannot be saved.'],
  ])('rejects %s', (_case, questionId, value, message) => {
    expect(errorsOf(checkAnswers(definition, { [questionId]: value }, 'draft'))).toEqual([{ questionId, message }]);
  });

  it('accepts emoji and other text outside the Basic Multilingual Plane', () => {
    expect(answersOf(checkAnswers(definition, { preferred_name: 'Zoë 🙂 𝒜' }, 'draft'))).toEqual({
      preferred_name: 'Zoë 🙂 𝒜',
    });
  });

  it('accepts text exactly at the limit, counted after trimming', () => {
    const atLimit = `  ${'x'.repeat(500)}  `;
    expect(answersOf(checkAnswers(definition, { preferred_name: atLimit }, 'draft'))).toEqual({
      preferred_name: 'x'.repeat(500),
    });
  });

  it('reports every wrong answer at once', () => {
    const errors = errorsOf(checkAnswers(definition, { seen_before: 'no', started: '2025-02-30' }, 'draft'));
    expect(errors.map((error) => error.questionId)).toEqual(['started', 'seen_before']);
  });
});

describe('checkSubmission', () => {
  it('accepts a complete submission', () => {
    expect(answersOf(checkSubmission(definition, complete))).toEqual(complete);
  });

  it('requires every required question, naming each', () => {
    expect(errorsOf(checkSubmission(definition, {}))).toEqual([
      { questionId: 'preferred_name', message: 'Please answer this question.' },
      { questionId: 'seen_before', message: 'Please answer this question.' },
      { questionId: 'mood', message: 'Please answer every line.' },
      { questionId: 'consent', message: 'Please tick the box to agree.' },
    ]);
  });

  it('counts "no" as an answer but blank text as none', () => {
    expect(checkSubmission(definition, { ...complete, seen_before: false }).ok).toBe(true);
    expect(errorsOf(checkSubmission(definition, { ...complete, preferred_name: '  ' }))).toEqual([
      { questionId: 'preferred_name', message: 'Please answer this question.' },
    ]);
  });

  it('treats an unticked consent as an error', () => {
    expect(errorsOf(checkSubmission(definition, { ...complete, consent: false }))).toEqual([
      { questionId: 'consent', message: 'Please tick the box to agree.' },
    ]);
  });

  it('treats a half-answered scale as an error', () => {
    expect(errorsOf(checkSubmission(definition, { ...complete, mood: { down: 1 } }))).toEqual([
      { questionId: 'mood', message: 'Please answer every line.' },
    ]);
    const partPhq9 = phq9Answers([1, 1, 1, 1, 1, 1, 1, 1]); // the ninth line left out
    expect(errorsOf(checkSubmission(phq9, partPhq9))).toEqual([
      { questionId: 'phq9', message: 'Please answer every line.' },
    ]);
  });

  it('checks the standard intake questionnaire', () => {
    const intake = ZFormDefinition.parse(STANDARD_FORMS[0]!.definition);
    expect(errorsOf(checkSubmission(intake, { preferred_name: 'Sam' })).map((error) => error.questionId)).toEqual([
      'contact_preference',
      'emergency_contact',
      'reason',
      'previous_therapy',
    ]);
  });
});

describe('errors never contain the submitted value', () => {
  const secret = 'Zanzibar-7731';
  const wrong: Record<string, unknown> = {
    preferred_name: `${secret} ${'x'.repeat(600)}`,
    history: { text: secret },
    started: secret,
    seen_before: secret,
    contact: secret,
    concerns: [secret],
    mood: { down: secret },
    consent: secret,
  };

  it.each(Object.keys(wrong))('for %s', (questionId) => {
    for (const mode of ['draft', 'submit'] as const) {
      const errors = errorsOf(checkAnswers(definition, { ...complete, [questionId]: wrong[questionId] }, mode));
      expect(errors.map((error) => error.questionId)).toEqual([questionId]);
      expect(JSON.stringify(errors)).not.toContain('Zanzibar');
    }
  });
});

describe('scoreAnswers for PHQ-9', () => {
  it('scores all zeros as 0, Minimal, out of 27', () => {
    expect(scoreAnswers(phq9, phq9Answers([0, 0, 0, 0, 0, 0, 0, 0, 0]))).toEqual([
      { questionId: 'phq9', label: 'PHQ-9', score: 0, maxScore: 27, band: 'Minimal' },
    ]);
  });

  it.each([
    [[1, 0, 0, 1, 0, 0, 1, 0, 1], 4, 'Minimal'],
    [[1, 1, 1, 1, 1, 0, 0, 0, 0], 5, 'Mild'],
    [[2, 2, 1, 1, 1, 1, 1, 1, 0], 10, 'Moderate'],
    [[3, 2, 2, 1, 1, 1, 1, 1, 0], 12, 'Moderate'],
    [[2, 2, 2, 2, 2, 2, 1, 1, 1], 15, 'Moderately severe'],
    [[3, 3, 3, 3, 2, 2, 2, 1, 1], 20, 'Severe'],
    [[3, 3, 3, 3, 3, 3, 3, 3, 3], 27, 'Severe'],
  ])('scores %j as %i, %s', (values, score, band) => {
    expect(scoreAnswers(phq9, phq9Answers(values))).toEqual([
      { questionId: 'phq9', label: 'PHQ-9', score, maxScore: 27, band },
    ]);
  });

  it('scores the answers checkSubmission returns', () => {
    const answers = answersOf(checkSubmission(phq9, phq9Answers([3, 2, 2, 1, 1, 1, 1, 1, 0])));
    expect(scoreAnswers(phq9, answers)[0]).toMatchObject({ score: 12, band: 'Moderate' });
  });

  it('leaves out a scale that was not answered', () => {
    expect(scoreAnswers(phq9, {})).toEqual([]);
  });

  it('scores GAD-7 out of 21 with its own bands', () => {
    const gad7 = ZFormDefinition.parse(STANDARD_ASSESSMENTS.find((form) => form.key === 'gad-7')!.definition);
    const items = ['nervous', 'control_worry', 'worry_too_much', 'relaxing', 'restless', 'irritable', 'afraid'];
    const answers = { gad7: Object.fromEntries(items.map((item) => [item, 3])) };
    expect(scoreAnswers(gad7, answers)).toEqual([
      { questionId: 'gad7', label: 'GAD-7', score: 21, maxScore: 21, band: 'Severe anxiety' },
    ]);
  });
});

describe('crisisAnswers', () => {
  it('flags PHQ-9 item 9 (thoughts of self-harm) answered above "Not at all", and nothing else', () => {
    expect(crisisAnswers(phq9, phq9Answers([3, 3, 3, 3, 3, 3, 3, 3, 0]))).toEqual([]);
    for (const value of [1, 2, 3]) {
      expect(crisisAnswers(phq9, phq9Answers([0, 0, 0, 0, 0, 0, 0, 0, value]))).toEqual([
        { questionId: 'phq9', itemId: 'self_harm' },
      ]);
    }
  });

  it('flags nothing for an unanswered line, a form without crisis lines, or answers of the wrong shape', () => {
    expect(crisisAnswers(phq9, phq9Answers([1, 1, 1]))).toEqual([]);
    expect(crisisAnswers(phq9, {})).toEqual([]);
    expect(crisisAnswers(phq9, { phq9: 'nonsense' })).toEqual([]);
    const gad7 = ZFormDefinition.parse(STANDARD_ASSESSMENTS.find((form) => form.key === 'gad-7')!.definition);
    expect(crisisAnswers(gad7, { gad7: { nervous: 3, afraid: 3 } })).toEqual([]);
  });
});

describe('ids that are also names on Object.prototype', () => {
  // Regression: answers were once looked up with `in`/plain indexing, so a
  // question or item called "constructor" found Object.prototype.constructor.
  const prototypeNamed: TFormDefinition = ZFormDefinition.parse({
    sections: [
      {
        title: 'One',
        questions: [
          { id: 'constructor', type: 'short_text', label: 'Constructor', required: true },
          {
            id: 'to_string',
            type: 'scale',
            label: 'Scale',
            required: true,
            items: [
              { id: 'constructor', label: 'Constructor' },
              { id: 'valueof', label: 'Value' },
            ],
            options: [
              { label: 'No', value: 0 },
              { label: 'Yes', value: 1 },
            ],
            bands: [{ min: 0, max: 2, label: 'Any' }],
          },
        ],
      },
    ],
  });

  it('a question called "constructor" is unanswered when not given', () => {
    expect(checkAnswers(prototypeNamed, {}, 'draft')).toEqual({ ok: true, answers: {} });
    expect(errorsOf(checkSubmission(prototypeNamed, {})).map((error) => error.questionId)).toEqual([
      'constructor',
      'to_string',
    ]);
  });

  it('a scale item called "constructor" is unanswered when not given', () => {
    expect(answersOf(checkAnswers(prototypeNamed, { to_string: { valueof: 1 } }, 'draft'))).toEqual({
      to_string: { valueof: 1 },
    });
    expect(errorsOf(checkSubmission(prototypeNamed, { constructor: 'x', to_string: { valueof: 1 } }))).toEqual([
      { questionId: 'to_string', message: 'Please answer every line.' },
    ]);
  });

  it('scores a scale item called "constructor" from the answer, never from the prototype', () => {
    expect(scoreAnswers(prototypeNamed, { to_string: { valueof: 1 } })).toEqual([
      { questionId: 'to_string', label: 'Scale', score: 1, maxScore: 2, band: 'Any' },
    ]);
    expect(scoreAnswers(prototypeNamed, { to_string: { constructor: 1, valueof: 1 } })[0]!.score).toBe(2);
  });

  it('a scale answered with an inherited-only object is no answer', () => {
    const inherited = Object.create({ constructor: 1, valueof: 1 }) as object;
    expect(checkAnswers(prototypeNamed, { to_string: inherited }, 'draft')).toEqual({ ok: true, answers: {} });
  });
});
