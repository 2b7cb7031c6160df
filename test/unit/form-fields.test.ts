import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { checkAnswers, checkSubmission, type FormAnswers } from '../../domain/form-answers';
import { ZFormDefinition, type TFormDefinition } from '../../domain/form-definition';
import { fieldCount, parseFormFields, renderFormFields } from '../../web/form-fields';
import { renderSubmittedAnswers } from '../../web/submitted-answers';
import { STANDARD_ASSESSMENTS } from '../../prisma/seed-data/standard-forms';

const definition = ZFormDefinition.parse({
  description: 'Please fill this in before your first appointment.',
  sections: [
    {
      title: 'About you',
      questions: [
        {
          id: 'preferred_name',
          type: 'short_text',
          label: 'Preferred name',
          required: true,
          help: 'What should we call you?',
        },
        { id: 'reason', type: 'long_text', label: 'What brings you here?' },
        { id: 'last_visit', type: 'date', label: 'Date of your last visit' },
        { id: 'medication', type: 'yes_no', label: 'Do you take medication?', required: true },
        {
          id: 'pronouns',
          type: 'single_choice',
          label: 'Pronouns',
          options: ['she/her', 'he/him', 'they/them', 'Other "quoted" & <b>'],
        },
        {
          id: 'contact',
          type: 'multiple_choice',
          label: 'How may we contact you?',
          options: ['Phone', 'Email', 'Text message'],
        },
      ],
    },
    {
      title: 'Mood',
      questions: [
        {
          id: 'phq',
          type: 'scale',
          label: 'Over the last 2 weeks, how often have you been bothered by:',
          required: true,
          items: [
            { id: 'interest', label: 'Little interest or pleasure in doing things' },
            { id: 'down', label: 'Feeling down, depressed, or hopeless' },
          ],
          options: [
            { label: 'Not at all', value: 0 },
            { label: 'Several days', value: 1 },
            { label: 'More than half the days', value: 2 },
            { label: 'Nearly every day', value: 3 },
          ],
          bands: [
            { min: 0, max: 2, label: 'Minimal depression' },
            { min: 3, max: 6, label: 'Severe depression' },
          ],
        },
      ],
    },
    {
      title: 'Consent',
      questions: [
        {
          id: 'treatment_consent',
          type: 'consent',
          label: 'Consent to treatment',
          required: true,
          text: 'I consent to treatment.\n\nI have read the privacy policy.',
        },
      ],
    },
  ],
});

const fullAnswers: FormAnswers = {
  preferred_name: 'Sam',
  reason: 'Trouble sleeping.\nWorried about work.',
  last_visit: '2024-03-01',
  medication: false,
  pronouns: 'Other "quoted" & <b>',
  contact: ['Phone', 'Text message'],
  phq: { interest: 1, down: 2 },
  treatment_consent: true,
};

// --- small HTML helpers (the output is ours and regular; a regex per tag is enough) ---

function unescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const match of tag.replace(/^<[a-z]+/, '').matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) {
    attrs[match[1]!] = unescape(match[2] ?? '');
  }
  return attrs;
}

/** Every <input> and <textarea> with its attributes (and a textarea's content as `value`). */
function controls(markup: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const match of markup.matchAll(/<input\b[^>]*>|<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    if (match[0].startsWith('<input')) found.push({ tag: 'input', ...attributes(match[0]) });
    // The HTML parser drops one newline right after <textarea>.
    else
      found.push({ tag: 'textarea', ...attributes(`<t${match[1]}>`), value: unescape(match[2]!.replace(/^\n/, '')) });
  }
  return found;
}

function control(markup: string, id: string): Record<string, string> {
  const found = controls(markup).filter((attrs) => attrs.id === id);
  if (found.length !== 1) throw new Error(`expected one control with id ${id}, found ${found.length}`);
  return found[0]!;
}

/** What a browser posts for the form: text fields always, radios and checkboxes when checked. */
function successfulControls(markup: string): [string, string][] {
  return controls(markup)
    .filter((attrs) => attrs.tag === 'textarea' || !['radio', 'checkbox'].includes(attrs.type!) || 'checked' in attrs)
    .map((attrs) => [attrs.name!, attrs.value ?? (attrs.type === 'checkbox' || attrs.type === 'radio' ? 'on' : '')]);
}

// --- express.urlencoded as the portal route uses it, so bodies have the real shape ---

let server: Server;
let baseUrl: string;
let lastBody: unknown;

beforeAll(async () => {
  const app = express();
  app.post('/form/:limit', (req, res, next) => {
    express.urlencoded({ extended: false, limit: '200kb', parameterLimit: Number(req.params.limit) })(req, res, next);
  });
  app.post('/form/:limit', (req, res) => {
    lastBody = req.body;
    res.sendStatus(204);
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function post(
  fields: [string, string][] | string,
  parameterLimit = 1000,
): Promise<{ status: number; body: Record<string, unknown> }> {
  lastBody = undefined;
  const response = await fetch(`${baseUrl}/form/${parameterLimit}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
  });
  return { status: response.status, body: lastBody as Record<string, unknown> };
}

describe('renderFormFields', () => {
  const empty = renderFormFields(definition, {}, []).value;

  it('renders each section with its title', () => {
    expect(empty.match(/<section class="form-section">\s*<h2>([^<]*)<\/h2>/g)?.length).toBe(3);
    expect(empty).toMatch(/<h2>About you<\/h2>/);
    expect(empty).toMatch(/<h2>Mood<\/h2>/);
    expect(empty).toMatch(/<h2>Consent<\/h2>/);
  });

  it('gives each question the input its type asks for, named q.<id>', () => {
    expect(control(empty, 'q-preferred_name')).toMatchObject({
      tag: 'input',
      type: 'text',
      name: 'q.preferred_name',
      maxlength: '500',
      value: '',
    });
    expect(control(empty, 'q-reason')).toMatchObject({
      tag: 'textarea',
      name: 'q.reason',
      maxlength: '10000',
      value: '',
    });
    expect(control(empty, 'q-last_visit')).toMatchObject({ tag: 'input', type: 'date', name: 'q.last_visit' });
    expect(control(empty, 'q-medication-yes')).toMatchObject({ type: 'radio', name: 'q.medication', value: 'yes' });
    expect(control(empty, 'q-medication-no')).toMatchObject({ type: 'radio', name: 'q.medication', value: 'no' });
    expect(controls(empty).filter((attrs) => attrs.name === 'q.pronouns')).toEqual(
      ['she/her', 'he/him', 'they/them', 'Other "quoted" & <b>'].map((value, index): unknown =>
        expect.objectContaining({ type: 'radio', id: `q-pronouns-${index}`, value }),
      ),
    );
    expect(controls(empty).filter((attrs) => attrs.name === 'q.contact')).toEqual(
      ['Phone', 'Email', 'Text message'].map((value, index): unknown =>
        expect.objectContaining({ type: 'checkbox', id: `q-contact-${index}`, value }),
      ),
    );
    for (const item of ['interest', 'down']) {
      expect(controls(empty).filter((attrs) => attrs.name === `q.phq.${item}`)).toEqual(
        [0, 1, 2, 3].map((value): unknown =>
          expect.objectContaining({ type: 'radio', id: `q-phq-${item}-${value}`, value: String(value) }),
        ),
      );
    }
    expect(control(empty, 'q-treatment_consent')).toMatchObject({
      type: 'checkbox',
      name: 'q.treatment_consent',
      value: 'yes',
    });
    // Nothing else: every control belongs to a question.
    expect(controls(empty)).toHaveLength(1 + 1 + 1 + 2 + 4 + 3 + 2 * 4 + 1);
  });

  it('labels every input, with unique ids', () => {
    const ids = [...empty.matchAll(/\bid="([^"]*)"/g)].map((match) => match[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const attrs of controls(empty)) {
      expect(attrs.id).toBeTruthy();
      expect(empty).toMatch(new RegExp(`<label[^>]*\\bfor="${attrs.id}"`));
    }
  });

  it('shows the label texts, with the option labels next to their inputs', () => {
    expect(empty).toMatch(/<label for="q-preferred_name">Preferred name <span class="required">\(required\)<\/span>/);
    expect(empty).toMatch(/<label for="q-reason">What brings you here\?<\/label>/);
    expect(empty).toMatch(/<label class="choice" for="q-medication-yes"[\s\S]*?<span>Yes<\/span><\/label/);
    expect(empty).toMatch(
      /<label class="pill" for="q-phq-down-2"[\s\S]*?<span>More than half the days<\/span><\/label/,
    );
    expect(empty).toMatch(/<label class="choice" for="q-treatment_consent"[\s\S]*?<span>I agree<\/span><\/label/);
  });

  it('says "(required)" in words for required questions only', () => {
    const legend = (text: string) =>
      new RegExp(`<legend class="question-label"[^>]*>${text}([^<]*<span[^>]*>[^<]*</span>)?`);
    expect(empty.match(legend('Do you take medication\\?'))?.[1]).toContain('(required)');
    expect(empty.match(legend('Consent to treatment'))?.[1]).toContain('(required)');
    expect(empty.match(legend('Over the last 2 weeks, how often have you been bothered by:'))?.[1]).toContain(
      '(required)',
    );
    expect(empty.match(legend('Pronouns'))?.[1]).toBeUndefined();
    expect(empty.match(/\(required\)/g)).toHaveLength(4);
  });

  it('shows help as a hint that describes the input', () => {
    expect(empty).toMatch(/<p class="hint" id="q-preferred_name-hint">What should we call you\?<\/p>/);
    expect(control(empty, 'q-preferred_name')['aria-describedby']).toBe('q-preferred_name-hint');
    expect(empty).toMatch(/<p class="hint" id="q-contact-hint">Select all that apply.<\/p>/);
    expect(control(empty, 'q-reason')['aria-describedby']).toBeUndefined();
  });

  it('puts each scale line in its own fieldset and the consent text in full in the flow of the page', () => {
    expect(empty).toMatch(
      /<fieldset class="scale-item">\s*<legend>\s*Little interest or pleasure in doing things\s*<\/legend>\s*<div class="pills">/,
    );
    expect(empty).toMatch(
      /<fieldset class="scale-item">\s*<legend>\s*Feeling down, depressed, or hopeless\s*<\/legend>\s*<div class="pills">/,
    );
    expect(empty).toMatch(
      /<div\s+class="consent-text"\s+id="q-treatment_consent-text"\s*>\s*<p>\s*I consent to treatment.\s*<\/p>\s*<p>\s*I have read the privacy policy.\s*<\/p>\s*<\/div>/,
    );
    // Not a box of its own to scroll or tab into: the page scrolls, once.
    expect(empty).not.toMatch(/tabindex|role="region"/);
  });

  it('keeps the headings of a long consent text, such as a privacy notice', () => {
    const notice = ZFormDefinition.parse({
      sections: [
        {
          title: 'Acknowledgement',
          questions: [
            {
              id: 'acknowledgement',
              type: 'consent',
              label: 'I acknowledge that I received the notice',
              text: 'How we use your information.\n\n## Your rights\n\nYou may ask for a copy.\nIn writing.',
            },
          ],
        },
      ],
    });
    const rendered = renderFormFields(notice, {}, []).value;
    expect(rendered).toMatch(
      /<p>\s*How we use your information.\s*<\/p>\s*<h3>Your rights<\/h3>\s*<p>\s*You may ask for a copy.<br \/>In writing.\s*<\/p>/,
    );
    expect(renderSubmittedAnswers(notice, { acknowledgement: true }).value).toContain('<h3>Your rights</h3>');
  });

  it('puts the crisis message beside PHQ-9 item 9, shown by CSS once an answer above "Not at all" is picked', () => {
    const phq9 = ZFormDefinition.parse(STANDARD_ASSESSMENTS.find((form) => form.key === 'phq-9')!.definition);
    const crisisMessage = 'Call our on-call line: 555-0199 <any time>.';
    const blank = renderFormFields(phq9, {}, [], { crisisMessage }).value;
    // Only item 9's answers above 0 trigger it.
    expect(
      controls(blank)
        .filter((attrs) => 'data-crisis' in attrs)
        .map((attrs) => attrs.id),
    ).toEqual(['q-phq9-self_harm-1', 'q-phq9-self_harm-2', 'q-phq9-self_harm-3']);
    const notes = blank.match(/<div class="crisis-note[^"]*"[\s\S]*?<\/div>/g) ?? [];
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^<div class="crisis-note" aria-live="polite">/);
    const text = notes[0]!
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    expect(text).toBe(
      'If you are in crisis, call or text 988 (Suicide &amp; Crisis Lifeline, US) or 911. ' +
        'Call our on-call line: 555-0199 &lt;any time&gt;.',
    );
    expect(notes[0]).toContain('href="tel:988"');

    // An answer above 0 already given (a draft, a page shown again with errors): visible from the server.
    const given = { phq9: { self_harm: 2 } };
    expect(renderFormFields(phq9, given, [], { crisisMessage }).value).toContain('class="crisis-note shown"');
    expect(renderFormFields(phq9, { phq9: { self_harm: 0 } }, []).value).not.toContain('crisis-note shown');
    // Without a practice message, the 988 line alone.
    expect(renderFormFields(phq9, {}, []).value).not.toContain('on-call');
  });

  it('leaves everything unticked and empty without a draft', () => {
    expect(empty).not.toMatch(/\bchecked\b/);
    expect(controls(empty).every((attrs) => !attrs.value || ['radio', 'checkbox'].includes(attrs.type!))).toBe(true);
    expect(empty).not.toMatch(/aria-invalid/);
    expect(empty).not.toMatch(/field-error/);
  });

  it('pre-fills a draft', () => {
    const filled = renderFormFields(definition, fullAnswers, []).value;
    expect(control(filled, 'q-preferred_name').value).toBe('Sam');
    expect(control(filled, 'q-reason').value).toBe('Trouble sleeping.\nWorried about work.');
    expect(control(filled, 'q-last_visit').value).toBe('2024-03-01');
    const ticked = controls(filled)
      .filter((attrs) => 'checked' in attrs)
      .map((attrs) => attrs.id);
    expect(ticked).toEqual([
      'q-medication-no',
      'q-pronouns-3',
      'q-contact-0',
      'q-contact-2',
      'q-phq-interest-1',
      'q-phq-down-2',
      'q-treatment_consent',
    ]);
  });

  it('ticks "Yes" for true and nothing for a missing yes/no', () => {
    const yes = renderFormFields(definition, { medication: true }, []).value;
    expect('checked' in control(yes, 'q-medication-yes')).toBe(true);
    expect('checked' in control(yes, 'q-medication-no')).toBe(false);
  });

  it('survives a draft of the wrong shape (values of another type, a question id found on Object.prototype)', () => {
    const odd = ZFormDefinition.parse({
      sections: [
        {
          title: 'Odd',
          questions: [
            { id: 'constructor', type: 'short_text', label: 'Constructor' },
            {
              id: 'to_string',
              type: 'scale',
              label: 'S',
              items: [{ id: 'constructor', label: 'I' }],
              options: [
                { label: 'A', value: 0 },
                { label: 'B', value: 1 },
              ],
            },
          ],
        },
      ],
    });
    const answers = { to_string: 'not an object' } as unknown as FormAnswers;
    const rendered = renderFormFields(odd, answers, []).value;
    expect(control(rendered, 'q-constructor').value).toBe('');
    expect(rendered).not.toMatch(/\bchecked\b/);
    const wrongTypes = {
      preferred_name: ['a'],
      reason: 5,
      medication: 'yes',
      contact: 'Phone',
      phq: ['1'],
      treatment_consent: 'yes',
    } as unknown as FormAnswers;
    const wrong = renderFormFields(definition, wrongTypes, []).value;
    expect(control(wrong, 'q-preferred_name').value).toBe('');
    expect(control(wrong, 'q-reason').value).toBe('');
    expect(wrong).not.toMatch(/\bchecked\b/);
  });

  describe('with errors', () => {
    const errors = [
      { questionId: 'preferred_name', message: 'Please answer this question.' },
      { questionId: 'pronouns', message: 'Choose one of the options.' },
      { questionId: 'phq', message: 'Please answer every line.' },
      { questionId: 'treatment_consent', message: 'Please tick the box to agree.' },
    ];
    const rendered = renderFormFields(definition, { phq: { interest: 1 } }, errors).value;

    it('shows each message next to its question', () => {
      expect(rendered).toMatch(
        /<label for="q-preferred_name">[\s\S]*?<\/label>\s*<p class="hint" id="q-preferred_name-hint">[^<]*<\/p><p class="field-error" id="q-preferred_name-error">\s*<span class="visually-hidden">Error:<\/span> Please answer this question.\s*<\/p>\s*<input/,
      );
      expect(rendered).toMatch(
        /<p class="field-error" id="q-pronouns-error">[\s\S]*?Choose one of the options.\s*<\/p>/,
      );
      expect(rendered).toMatch(/<p class="field-error" id="q-phq-error">[\s\S]*?Please answer every line.\s*<\/p>/);
      expect(rendered).toMatch(
        /<p class="field-error" id="q-treatment_consent-error">[\s\S]*?Please tick the box to agree.\s*<\/p>/,
      );
      expect(rendered.match(/class="field-error"/g)).toHaveLength(4);
      expect(rendered).toMatch(/<div class="question question-short_text has-error">/);
      expect(rendered).toMatch(/<div class="question question-long_text">/);
    });

    it('marks the inputs invalid and describes them with the message', () => {
      expect(control(rendered, 'q-preferred_name')).toMatchObject({
        'aria-invalid': 'true',
        'aria-describedby': 'q-preferred_name-hint q-preferred_name-error',
      });
      for (const index of [0, 1, 2, 3]) {
        expect(control(rendered, `q-pronouns-${index}`)).toMatchObject({
          'aria-invalid': 'true',
          'aria-describedby': 'q-pronouns-error',
        });
      }
      expect(control(rendered, 'q-treatment_consent')).toMatchObject({
        'aria-invalid': 'true',
        'aria-describedby': 'q-treatment_consent-error',
      });
      // Questions without an error stay as they were.
      expect(control(rendered, 'q-reason')['aria-invalid']).toBeUndefined();
      expect(control(rendered, 'q-medication-yes')['aria-invalid']).toBeUndefined();
      expect(control(rendered, 'q-medication-yes')['aria-describedby']).toBeUndefined();
    });

    it('flags the scale lines left unanswered, not the answered ones', () => {
      for (const value of [0, 1, 2, 3]) {
        expect(control(rendered, `q-phq-down-${value}`)['aria-invalid']).toBe('true');
        expect(control(rendered, `q-phq-interest-${value}`)['aria-invalid']).toBeUndefined();
        expect(control(rendered, `q-phq-interest-${value}`)['aria-describedby']).toBe('q-phq-error');
      }
      expect(rendered).toMatch(
        /<legend>\s*Feeling down, depressed, or hopeless <span class="field-error-inline">\(not answered\)<\/span>/,
      );
      expect(rendered).not.toMatch(/Little interest or pleasure in doing things <span/);
      expect('checked' in control(rendered, 'q-phq-interest-1')).toBe(true);
    });

    it('flags every line when all are answered but the scale still has an error', () => {
      const all = renderFormFields(definition, { phq: { interest: 1, down: 0 } }, [errors[2]!]).value;
      expect(control(all, 'q-phq-down-0')['aria-invalid']).toBe('true');
      expect(control(all, 'q-phq-interest-3')['aria-invalid']).toBe('true');
      expect(all).not.toContain('(not answered)');
    });
  });

  it('escapes everything from the definition, the draft and the errors', () => {
    const evil = ZFormDefinition.parse({
      sections: [
        {
          title: '<script>alert("title")</script>',
          questions: [
            {
              id: 'name',
              type: 'short_text',
              label: '<script>alert(1)</script>',
              help: '<img src=x onerror=alert(2)>',
            },
            { id: 'story', type: 'long_text', label: 'Story' },
            { id: 'pick', type: 'single_choice', label: 'Pick', options: ['"><script>alert(3)</script>', 'b'] },
            {
              id: 'scale',
              type: 'scale',
              label: 'S',
              items: [{ id: 'one', label: '<script>alert(4)</script>' }],
              options: [
                { label: '<script>alert(5)</script>', value: 0 },
                { label: 'b', value: 1 },
              ],
            },
            { id: 'agree', type: 'consent', label: 'Agree', text: '</div><script>alert(6)</script>' },
          ],
        },
      ],
    });
    const rendered = renderFormFields(
      evil,
      { name: '"><script>alert(7)</script>', story: '</textarea><script>alert(8)</script>' },
      [{ questionId: 'name', message: '<script>alert(9)</script>' }],
    ).value;
    expect(rendered).not.toMatch(/<script|<img|<\/textarea><|<\/div><script/i);
    expect(rendered).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(rendered).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(rendered).toContain('value="&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"');
    expect(control(rendered, 'q-name').value).toBe('"><script>alert(7)</script>');
    expect(control(rendered, 'q-story').value).toBe('</textarea><script>alert(8)</script>');
    expect(rendered).toContain('&lt;script&gt;alert(9)&lt;/script&gt;');
  });
});

describe('parseFormFields', () => {
  it('turns what a browser posts for a pre-filled form back into the same answers', async () => {
    const rendered = renderFormFields(definition, fullAnswers, []).value;
    const fields: [string, string][] = [['_csrf', 'token'], ...successfulControls(rendered), ['_action', 'submit']];
    const { status, body } = await post(fields);
    expect(status).toBe(204);
    expect(checkSubmission(definition, parseFormFields(definition, body))).toEqual({ ok: true, answers: fullAnswers });
  });

  it('reads a body express.urlencoded produced', async () => {
    const { body } = await post([
      ['_csrf', 'token'],
      ['q.preferred_name', '  Sam  '],
      ['q.reason', ''],
      ['q.last_visit', '2024-03-01'],
      ['q.medication', 'yes'],
      ['q.pronouns', 'they/them'],
      ['q.contact', 'Email'],
      ['q.phq.interest', '0'],
      ['q.phq.down', '3'],
      ['q.treatment_consent', 'yes'],
      ['signerName', 'Sam Client'],
      ['_action', 'submit'],
    ]);
    const input = parseFormFields(definition, body);
    expect(input).toEqual({
      preferred_name: '  Sam  ',
      last_visit: '2024-03-01',
      medication: true,
      pronouns: 'they/them',
      contact: ['Email'],
      phq: { interest: 0, down: 3 },
      treatment_consent: true,
    });
    expect(checkSubmission(definition, input)).toEqual({
      ok: true,
      answers: {
        preferred_name: 'Sam',
        last_visit: '2024-03-01',
        medication: true,
        pronouns: 'they/them',
        contact: ['Email'],
        phq: { interest: 0, down: 3 },
        treatment_consent: true,
      },
    });
  });

  it('leaves out what was not answered, so a submission reports the required questions', async () => {
    const { body } = await post([
      ['_csrf', 'token'],
      ['q.preferred_name', ''],
      ['q.reason', ''],
      ['q.last_visit', ''],
      ['q.phq.interest', '2'],
    ]);
    const input = parseFormFields(definition, body);
    expect(input).toEqual({ phq: { interest: 2 } });
    expect(checkAnswers(definition, input, 'draft')).toEqual({ ok: true, answers: { phq: { interest: 2 } } });
    const submitted = checkSubmission(definition, input);
    expect(submitted.ok).toBe(false);
    expect(!submitted.ok && submitted.errors.map((error) => error.questionId)).toEqual([
      'preferred_name',
      'medication',
      'treatment_consent',
    ]);
  });

  it('maps yes/no and consent strictly', () => {
    const parse = (medication: unknown, consent: unknown) =>
      parseFormFields(definition, { 'q.medication': medication, 'q.treatment_consent': consent });
    expect(parse('no', 'yes')).toEqual({ medication: false, treatment_consent: true });
    expect(parse('yes', 'on')).toEqual({ medication: true });
    expect(parse('YES', 'no')).toEqual({});
    expect(parse(['yes', 'no'], ['yes'])).toEqual({});
  });

  it('ignores unknown fields, _csrf, _action and signerName', () => {
    expect(
      parseFormFields(definition, {
        _csrf: 'x',
        _action: 'submit',
        signerName: 'Sam',
        preferred_name: 'no prefix',
        'q.unknown': 'x',
        'q.phq': '3',
        'q.phq.other': '1',
      }),
    ).toEqual({});
  });

  it('never throws on hostile bodies, and what it returns is refused or ignored by checkAnswers', async () => {
    // Repeated single-valued fields arrive as arrays: treated as blank.
    const repeated = await post([
      ['q.preferred_name', 'a'],
      ['q.preferred_name', 'b'],
      ['q.pronouns', 'she/her'],
      ['q.pronouns', 'he/him'],
      ['q.last_visit', '2024-01-01'],
      ['q.last_visit', '2024-01-02'],
      ['q.phq.interest', '1'],
      ['q.phq.interest', '2'],
      ['q.phq.down', '1'],
    ]);
    expect(repeated.body['q.preferred_name']).toEqual(['a', 'b']);
    const fromRepeated = parseFormFields(definition, repeated.body);
    expect(fromRepeated).toEqual({ phq: { down: 1 } });

    // A value not among the options, and out-of-range or non-numeric scale values.
    const tampered = parseFormFields(definition, {
      'q.pronouns': 'admin',
      'q.contact': ['Phone', 'Carrier pigeon'],
      'q.phq.interest': '7',
      'q.phq.down': '1e1',
      'q.last_visit': '2024-02-30',
    });
    expect(tampered).toEqual({
      pronouns: 'admin',
      contact: ['Phone', 'Carrier pigeon'],
      phq: { interest: 7 },
      last_visit: '2024-02-30',
    });
    const checked = checkAnswers(definition, tampered, 'draft');
    expect(!checked.ok && checked.errors.map((error) => error.questionId)).toEqual([
      'last_visit',
      'pronouns',
      'contact',
      'phq',
    ]);
    for (const value of ['abc', '-1', ' 1', '1.5', '0x1', '', '１']) {
      expect(parseFormFields(definition, { 'q.phq.interest': value })).toEqual({});
    }
    expect(parseFormFields(definition, { 'q.phq.interest': '9'.repeat(400) })).toEqual({
      phq: { interest: Infinity },
    });
    expect(checkAnswers(definition, { phq: { interest: Infinity } }, 'draft').ok).toBe(false);

    // Huge strings pass through to be refused by length, not truncated silently.
    const huge = parseFormFields(definition, { 'q.preferred_name': 'x'.repeat(100_000) });
    expect(huge.preferred_name).toHaveLength(100_000);
    expect(checkAnswers(definition, huge, 'draft')).toEqual({
      ok: false,
      errors: [{ questionId: 'preferred_name', message: 'Must be at most 500 characters.' }],
    });

    // __proto__ keys (an own property, as JSON.parse makes one) and prototype-looking fields.
    const proto = JSON.parse(
      '{"__proto__": {"polluted": true}, "q.__proto__": "x", "q.preferred_name": {"__proto__": 1}, "q.phq.__proto__": "1", "q.contact": ["Phone", {"a": 1}]}',
    ) as Record<string, unknown>;
    const fromProto = parseFormFields(definition, proto);
    expect(fromProto).toEqual({ contact: ['Phone'] });
    expect(Object.getPrototypeOf(fromProto)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // Not an object at all.
    for (const body of [null, undefined, 'q.preferred_name=x', ['q.preferred_name', 'x'], 42]) {
      expect(parseFormFields(definition, body as unknown as Record<string, unknown>)).toEqual({});
    }
  });

  it('reads only own fields, even for question ids that exist on Object.prototype', () => {
    const odd = ZFormDefinition.parse({
      sections: [
        {
          title: 'Odd',
          questions: [
            { id: 'constructor', type: 'short_text', label: 'C' },
            { id: 'value_of', type: 'multiple_choice', label: 'V', options: ['a', 'b'] },
          ],
        },
      ],
    });
    const body = Object.create({ 'q.constructor': 'inherited', 'q.value_of': 'a' }) as Record<string, unknown>;
    expect(parseFormFields(odd, body)).toEqual({});
    const parsed = parseFormFields(odd, { 'q.constructor': 'mine' });
    expect(Object.hasOwn(parsed, 'constructor')).toBe(true);
    expect(parsed.constructor).toBe('mine');
  });
  it('never sets a prototype, even for a definition (built without zod) whose ids are __proto__', () => {
    const unchecked: TFormDefinition = {
      sections: [
        {
          title: 'Unchecked',
          questions: [
            { id: '__proto__', type: 'short_text', label: 'P', required: false },
            {
              id: 'scale',
              type: 'scale',
              label: 'S',
              required: false,
              items: [{ id: '__proto__', label: 'I' }],
              options: [
                { label: 'A', value: 0 },
                { label: 'B', value: 1 },
              ],
              bands: [],
            },
          ],
        },
      ],
    };
    const parsed = parseFormFields(
      unchecked,
      JSON.parse('{"q.__proto__": "x", "q.scale.__proto__": "1"}') as Record<string, unknown>,
    );
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toBe('x');
    const scale = parsed.scale as Record<string, unknown>;
    expect(Object.getPrototypeOf(scale)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(scale, '__proto__')?.value).toBe(1);
  });
});

describe('renderSubmittedAnswers', () => {
  const rendered = renderSubmittedAnswers(definition, fullAnswers).value;

  it('shows each question with the answer in words, and no inputs', () => {
    expect(rendered).not.toMatch(/<input|<textarea|<select|<form/);
    const answer = (label: string) =>
      rendered
        .match(new RegExp(`<dt>${label}</dt>\\s*<dd>([\\s\\S]*?)</dd>`))?.[1]
        ?.replace(/\s+/g, ' ')
        .trim();
    expect(answer('Preferred name')).toBe('Sam');
    expect(answer('What brings you here\\?')).toBe('<p> Trouble sleeping.<br />Worried about work. </p>');
    expect(answer('Date of your last visit')).toBe('March 1, 2024');
    expect(answer('Do you take medication\\?')).toBe('No');
    expect(answer('Pronouns')).toBe('Other &quot;quoted&quot; &amp; &lt;b&gt;');
    expect(answer('How may we contact you\\?')).toBe('<ul> <li>Phone</li><li>Text message</li> </ul>');
    expect(answer('Consent to treatment')).toMatch(/I consent to treatment[\s\S]*You agreed\./);
  });

  it('shows each scale line with the chosen option label, and no score or severity', () => {
    expect(rendered).toMatch(
      /Little interest or pleasure in doing things<\/span>\s*<span class="scale-item-answer">Several days<\/span>/,
    );
    expect(rendered).toMatch(
      /Feeling down, depressed, or hopeless<\/span>\s*<span class="scale-item-answer">More than half the days<\/span>/,
    );
    expect(rendered).not.toMatch(/depression|score|total/i);
    // The total (1 + 2) appears nowhere as a number of its own.
    expect(rendered.replace(/2024/g, '').replace(/Over the last 2 weeks/g, '')).not.toMatch(/\b3\b/);
  });

  it('says "Not answered" for blank questions and lines', () => {
    const partial = renderSubmittedAnswers(definition, { phq: { down: 0 } }).value;
    expect(partial.match(/Not answered/g)).toHaveLength(
      /* short, long, date, yes/no, single, multiple */ 6 + /* one scale line */ 1 + /* consent */ 1,
    );
    expect(partial).toMatch(
      /Feeling down, depressed, or hopeless<\/span>\s*<span class="scale-item-answer">Not at all</,
    );
    expect(partial).not.toContain('You agreed.');
  });

  it('escapes the answers', () => {
    const evil = renderSubmittedAnswers(definition, {
      preferred_name: '<script>alert(1)</script>',
      reason: '<img src=x onerror=alert(2)>',
    }).value;
    expect(evil).not.toMatch(/<script|<img/);
    expect(evil).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('fieldCount', () => {
  it('counts one field per question, one per checkbox and scale line, plus spare', () => {
    // short, long, date, yes/no, single: 5; checkboxes: 3; scale lines: 2; consent: 1; spare: 10.
    expect(fieldCount(definition)).toBe(5 + 3 + 2 + 1 + 10);
    const small: TFormDefinition = ZFormDefinition.parse({
      sections: [{ title: 'T', questions: [{ id: 'a', type: 'short_text', label: 'A' }] }],
    });
    expect(fieldCount(small)).toBe(11);
  });

  it('is enough for express.urlencoded to accept the fullest form a browser can post', async () => {
    const fields: [string, string][] = [
      ...successfulControls(
        renderFormFields(definition, { ...fullAnswers, contact: ['Phone', 'Email', 'Text message'] }, []).value,
      ),
      ['_csrf', 'token'],
      ['_action', 'submit'],
      ['signerName', 'Sam Client'],
    ];
    expect(fields).toHaveLength(fieldCount(definition) - 10 + 3);
    expect((await post(fields, fieldCount(definition))).status).toBe(204);
    const tooMany = [...fields, ...Array.from({ length: 8 }, (_, i): [string, string] => [`x${i}`, 'y'])];
    expect((await post(tooMany, fieldCount(definition))).status).toBe(413);
  });
});
