import { ZFormsCompletedStaffProps } from '../../emails/forms-completed-staff';
import { renderEmail, type EmailProps } from '../../emails/registry';
import { HTML_TAG, propsErrorOf, unique } from '../support/emails';

function titles(count: number): string[] {
  const suffix = unique();
  return Array.from({ length: count }, (_, index) => `Intake Form ${index + 1} ${suffix}`);
}

function formsAssignedProps(overrides: Partial<EmailProps<'forms-assigned'>> = {}): EmailProps<'forms-assigned'> {
  const suffix = unique();
  return {
    practiceName: `Harbour Light Therapy ${suffix}`,
    recipientName: `Sam${suffix}`,
    formTitles: titles(3),
    documentsUrl: `https://portal.example.test/portal/documents?o=${suffix}`,
    accountReady: true,
    ...overrides,
  };
}

function formsReminderProps(overrides: Partial<EmailProps<'forms-reminder'>> = {}): EmailProps<'forms-reminder'> {
  const suffix = unique();
  return {
    practiceName: `Cedar Grove Counseling ${suffix}`,
    recipientName: `Kim${suffix}`,
    outstandingTitles: titles(2),
    documentsUrl: `https://portal.example.test/portal/documents?o=${suffix}`,
    reminderNumber: 1,
    ...overrides,
  };
}

function formsCompletedProps(
  overrides: Partial<EmailProps<'forms-completed-staff'>> = {},
): EmailProps<'forms-completed-staff'> {
  const suffix = unique();
  return {
    practiceName: `Oakview Family Therapy ${suffix}`,
    recipientName: `Dr. Rivera ${suffix}`,
    externalChartId: `CH-${suffix}`,
    formTitles: titles(3),
    completedAt: '2026-12-03T15:42:00.000Z',
    reviewUrl: `https://portal.example.test/staff/onboardings/${suffix}/documents`,
    ...overrides,
  };
}

/** The link as a button, as the copy-this-link fallback, and written out in the plain text. */
function expectLink(rendered: { html: string; text: string }, url: string) {
  expect(rendered.html).toContain(`href="${url.replaceAll('&', '&amp;')}"`);
  expect(rendered.html).toContain('Copy this link into your browser');
  expect(rendered.text).toContain(url);
  expect(rendered.text).not.toMatch(HTML_TAG);
}

const NOT_READY_SENTENCE = 'First, set up your Client Portal account using the invitation email';

describe('forms-assigned email', () => {
  it('tells the client how many forms the practice has for them, and which', async () => {
    const props = formsAssignedProps();
    const rendered = await renderEmail('forms-assigned', props);

    expect(rendered.subject).toBe(`${props.practiceName} has 3 forms for you to complete`);
    for (const title of props.formTitles) {
      expect(rendered.html).toContain(`<li>${title}</li>`);
      expect(rendered.text).toContain(`* ${title}`);
    }
    expectLink(rendered, props.documentsUrl);
    expect(rendered.text).toContain(`Hi ${props.recipientName},`);
    expect(rendered.text).toContain(`automated message from ${props.practiceName} via the Client Portal`);
  });

  it('says "1 form" for a single form', async () => {
    const props = formsAssignedProps({ formTitles: titles(1) });
    const { subject, text } = await renderEmail('forms-assigned', props);
    expect(subject).toBe(`${props.practiceName} has 1 form for you to complete`);
    expect(text).toContain('Sign in to your Client Portal to complete it.');
  });

  it('asks a client who has an account to sign in, without mentioning the invitation', async () => {
    const { text, html } = await renderEmail('forms-assigned', formsAssignedProps({ accountReady: true }));
    expect(text).toContain('Sign in to your Client Portal to complete them.');
    expect(text).toContain('under My Documents');
    expect(text).not.toContain(NOT_READY_SENTENCE);
    expect(html).not.toContain(NOT_READY_SENTENCE);
  });

  it('sends a client without an account to the separate invitation email first', async () => {
    const props = formsAssignedProps({ accountReady: false });
    const { text } = await renderEmail('forms-assigned', props);
    expect(text).toContain(
      `${NOT_READY_SENTENCE} ${props.practiceName} sent you separately. ` +
        'Your forms will be waiting for you under My Documents once you sign in.',
    );
    expect(text).not.toContain('Sign in to your Client Portal to complete them.');
  });

  it('paints the button in the practice’s colour', async () => {
    const { html } = await renderEmail('forms-assigned', formsAssignedProps({ brandColor: '#1e3a8a' }));
    expect(html).toMatch(/background-color:#1e3a8a;[^"]*color:#ffffff/);
  });

  it('escapes markup in a form title', async () => {
    const { html } = await renderEmail('forms-assigned', formsAssignedProps({ formTitles: ['<img src=x>Consent'] }));
    expect(html).not.toContain('<img src=x>');
    expect(html).toContain('&lt;img src=x&gt;Consent');
  });

  it.each([
    ['no forms', { formTitles: [] }, 'formTitles'],
    ['more than 50 forms', { formTitles: titles(51) }, 'formTitles'],
    ['a blank form title', { formTitles: ['Consent', '   '] }, 'formTitles.1'],
    ['a form title with a line break', { formTitles: ['Consent\r\nBcc: someone'] }, 'formTitles.0'],
    ['a javascript: link', { documentsUrl: 'javascript:alert(1)' }, 'documentsUrl'],
    ['accountReady that is not a boolean', { accountReady: 'yes' }, 'accountReady'],
    ['no accountReady', { accountReady: undefined }, 'accountReady'],
    ['an unknown prop', { dateOfBirth: '1990-01-01' }, 'dateOfBirth'],
  ])('refuses %s', async (_case, overrides, field) => {
    const error = await propsErrorOf('forms-assigned', { ...formsAssignedProps(), ...overrides });
    expect(error.templateId).toBe('forms-assigned');
    expect(error.message).toContain(field);
  });
});

describe('forms-reminder email', () => {
  it('reminds the client which forms are still waiting, with the link written out', async () => {
    const props = formsReminderProps();
    const rendered = await renderEmail('forms-reminder', props);

    expect(rendered.subject).toBe(`Reminder: 2 forms from ${props.practiceName} still to complete`);
    expect(rendered.text).toContain(
      `Just a friendly reminder: ${props.practiceName} is still waiting for these 2 forms:`,
    );
    for (const title of props.outstandingTitles) {
      expect(rendered.html).toContain(`<li>${title}</li>`);
      expect(rendered.text).toContain(`* ${title}`);
    }
    expectLink(rendered, props.documentsUrl);
  });

  it('words later reminders differently and a single form in the singular', async () => {
    const props = formsReminderProps({ outstandingTitles: titles(1), reminderNumber: 3 });
    const { subject, text } = await renderEmail('forms-reminder', props);
    expect(subject).toBe(`Reminder: 1 form from ${props.practiceName} still to complete`);
    expect(text).toContain(`Another friendly reminder: ${props.practiceName} is still waiting for this form:`);
    expect(text).toContain('Sign in to your Client Portal to complete it.');
  });

  it.each([
    ['reminder number 0', { reminderNumber: 0 }, 'reminderNumber'],
    ['a fractional reminder number', { reminderNumber: 1.5 }, 'reminderNumber'],
    ['no outstanding forms', { outstandingTitles: [] }, 'outstandingTitles'],
    ['more than 50 outstanding forms', { outstandingTitles: titles(51) }, 'outstandingTitles'],
    ['a data: link', { documentsUrl: 'data:text/html,hi' }, 'documentsUrl'],
  ])('refuses %s', async (_case, overrides, field) => {
    const error = await propsErrorOf('forms-reminder', { ...formsReminderProps(), ...overrides });
    expect(error.message).toContain(field);
  });
});

describe('forms-completed-staff email', () => {
  it('tells staff which chart completed which forms, and where to review them', async () => {
    const props = formsCompletedProps();
    const rendered = await renderEmail('forms-completed-staff', props);

    expect(rendered.subject).toBe(`Intake forms completed for chart ${props.externalChartId} at ${props.practiceName}`);
    expect(rendered.text).toContain(`Hi ${props.recipientName},`);
    expect(rendered.text).toContain(`The client with chart ${props.externalChartId} completed their intake forms`);
    for (const title of props.formTitles) {
      expect(rendered.html).toContain(`<li>${title}</li>`);
      expect(rendered.text).toContain(`* ${title}`);
    }
    expectLink(rendered, props.reviewUrl);
  });

  it('shows when the forms were completed in the practice’s time zone, New York time by default', async () => {
    const props = formsCompletedProps({ completedAt: '2026-12-03T15:42:00.000Z' });
    const byDefault = await renderEmail('forms-completed-staff', props);
    expect(byDefault.text).toContain('completed their intake forms on Thursday, 3 December 2026 at 10:42 AM EST:');
    const tokyo = await renderEmail('forms-completed-staff', { ...props, timeZone: 'Asia/Tokyo' });
    expect(tokyo.text).toContain('completed their intake forms on Friday, 4 December 2026 at 12:42 AM GMT+9:');
  });

  it.each([
    ['clientName', (secret: string) => `Jordan Whitfield ${secret}`],
    ['clientFirstName', (secret: string) => `Jordan${secret}`],
    ['dateOfBirth', (secret: string) => `1987-04-12 ${secret}`],
    ['clientEmail', (secret: string) => `jordan.${secret}@example.test`],
    ['answers', (secret: string) => ({ phq9_1: `not at all ${secret}` })],
    ['scores', (secret: string) => ({ [`phq9_${secret}`]: 17 })],
  ])('refuses client details passed as %s, so they never reach the email', async (key, valueOf) => {
    const secret = unique();
    const props = { ...formsCompletedProps(), [key]: valueOf(secret) };

    expect(ZFormsCompletedStaffProps.safeParse(props).success).toBe(false);
    const error = await propsErrorOf('forms-completed-staff', props);
    expect(error.message).toContain(key);
    expect(error.message).not.toContain(secret);
  });

  it('carries nothing but the props it knows: no client name can slip in', async () => {
    const props = formsCompletedProps();
    const parsed = ZFormsCompletedStaffProps.parse(props);
    expect(Object.keys(parsed).sort()).toEqual(
      ['completedAt', 'externalChartId', 'formTitles', 'practiceName', 'recipientName', 'reviewUrl', 'timeZone'].sort(),
    );
  });

  it.each([
    ['an empty chart id', { externalChartId: '' }, 'externalChartId'],
    ['a chart id over 128 characters', { externalChartId: 'C'.repeat(129) }, 'externalChartId'],
    ['a chart id with a line break', { externalChartId: 'CH-1\r\nBcc: someone' }, 'externalChartId'],
    ['a completion time without a time zone offset', { completedAt: '2026-12-03T15:42:00' }, 'completedAt'],
    ['a javascript: link', { reviewUrl: 'javascript:alert(1)' }, 'reviewUrl'],
    ['no forms', { formTitles: [] }, 'formTitles'],
  ])('refuses %s', async (_case, overrides, field) => {
    const error = await propsErrorOf('forms-completed-staff', { ...formsCompletedProps(), ...overrides });
    expect(error.message).toContain(field);
  });

  it('names an invalid chart id without repeating it, even when it is a client’s name', async () => {
    const secret = `Jordan Whitfield ${unique()}`;
    const error = await propsErrorOf('forms-completed-staff', { ...formsCompletedProps(), externalChartId: secret });
    expect(error.issues).toEqual([
      { path: 'externalChartId', message: 'may contain only letters, digits and . _ : -' },
    ]);
    expect(error.message).toContain('externalChartId');
    expect(error.message).not.toContain(secret);
  });

  it('accepts a chart id of exactly 128 characters', async () => {
    const externalChartId = `CH-${'9'.repeat(125)}`;
    const { subject } = await renderEmail('forms-completed-staff', formsCompletedProps({ externalChartId }));
    expect(subject).toContain(externalChartId);
  });
});

describe('form email errors', () => {
  it.each([
    ['forms-assigned', { ...formsAssignedProps(), documentsUrl: `not-a-url-${unique()}` }, 'documentsUrl'],
    ['forms-reminder', { ...formsReminderProps(), documentsUrl: `not-a-url-${unique()}` }, 'documentsUrl'],
    ['forms-completed-staff', { ...formsCompletedProps(), reviewUrl: `not-a-url-${unique()}` }, 'reviewUrl'],
  ] as const)('%s names the invalid field without repeating its value', async (id, props, field) => {
    const error = await propsErrorOf(id, props);
    expect(error.issues).toEqual([{ path: field, message: 'must be an http(s) URL' }]);
    expect(error.message).not.toContain((props as Record<string, unknown>)[field]);
  });
});
