import { formatDateTime, formatDaysLeft } from '../../emails/format';
import {
  EMAIL_TEMPLATE_IDS,
  EMAIL_TEMPLATES,
  EmailPropsError,
  renderEmail,
  type EmailProps,
  type EmailTemplateId,
} from '../../emails/registry';
import { HTML_TAG, renderUnchecked, unique } from '../support/emails';

/** Realistic invitation props with a unique practice, name and link, so no two tests share data. */
function invitationProps(overrides: Partial<EmailProps<'portal-invitation'>> = {}): EmailProps<'portal-invitation'> {
  const suffix = unique();
  return {
    practiceName: `Harbour Light Therapy ${suffix}`,
    recipientName: `Sam${suffix}`,
    registerUrl: `https://portal.example.test/portal/register/tok_${suffix}`,
    expiresAt: '2026-12-01T17:00:00.000Z',
    ...overrides,
  };
}

/** The prop holding each template's button link: a new template must say which it is. */
const LINK_FIELD = {
  'portal-invitation': 'registerUrl',
  'invitation-reminder': 'registerUrl',
  'invitation-resent': 'registerUrl',
  'registration-confirmed': 'signInUrl',
  'password-reset': 'resetUrl',
  'forms-assigned': 'documentsUrl',
  'forms-reminder': 'documentsUrl',
  'forms-completed-staff': 'reviewUrl',
  'form-needs-review-staff': 'reviewUrl',
  'invitation-bounced-staff': 'clientPageUrl',
  'staff-sign-in-paused-staff': 'securityPageUrl',
  'payment-receipt': 'receiptUrl',
  'payment-received-staff': 'dashboardUrl',
  'staff-invitation': 'registerUrl',
} as const satisfies Record<EmailTemplateId, string>;

function buttonUrlOf(id: EmailTemplateId): string {
  const url: unknown = (EMAIL_TEMPLATES[id].previewProps as Record<string, unknown>)[LINK_FIELD[id]];
  if (typeof url !== 'string') throw new Error(`preview props of ${id} have no ${LINK_FIELD[id]}`);
  return url;
}

describe('email templates', () => {
  it.each(EMAIL_TEMPLATE_IDS)(
    '%s renders from its preview props with a button, a copy-this-link fallback and a plain-text part',
    async (id) => {
      const url = buttonUrlOf(id);
      const { practiceName } = EMAIL_TEMPLATES[id].previewProps;
      const { subject, html, text } = await renderEmail(id, EMAIL_TEMPLATES[id].previewProps);

      expect(subject).toContain(practiceName);
      expect(html).toContain(`href="${url}"`);
      expect(html).toContain(`>${url}</a>`);
      expect(html).toContain('Copy this link into your browser');
      expect(text).toContain(url);
      expect(text).toContain(`automated message from ${practiceName} via the Client Portal`);
      expect(text).not.toMatch(HTML_TAG);
    },
  );

  it.each(EMAIL_TEMPLATE_IDS)('%s refuses props without its link', async (id) => {
    const field = LINK_FIELD[id];
    const { [field]: _link, ...withoutLink } = EMAIL_TEMPLATES[id].previewProps as Record<string, unknown>;
    const rendering = renderUnchecked(id, withoutLink);
    await expect(rendering).rejects.toThrow(EmailPropsError);
    await expect(rendering).rejects.toThrow(field);
  });

  it.each([
    ['a javascript: link', { registerUrl: 'javascript:alert(1)' }, 'registerUrl'],
    ['a brand colour that is not hex', { brandColor: 'teal' }, 'brandColor'],
    ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    ['an expiry without a time zone offset', { expiresAt: '2026-12-01T17:00:00' }, 'expiresAt'],
    ['a practice name with a line break', { practiceName: 'Harbour\r\nBcc: someone' }, 'practiceName'],
    ['an unknown prop', { password: 'correct horse battery staple' }, 'password'],
  ])('the invitation refuses %s', async (_case, overrides, field) => {
    const rendering = renderUnchecked('portal-invitation', { ...invitationProps(), ...overrides });
    await expect(rendering).rejects.toThrow(EmailPropsError);
    await expect(rendering).rejects.toThrow(field);
  });

  it('names the invalid field without repeating its value', async () => {
    const secret = `not-a-url-${unique()}`;
    const error: unknown = await renderUnchecked('portal-invitation', {
      ...invitationProps(),
      registerUrl: secret,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EmailPropsError);
    expect((error as EmailPropsError).issues).toEqual([{ path: 'registerUrl', message: 'must be an http(s) URL' }]);
    expect((error as EmailPropsError).message).not.toContain(secret);
  });

  it('refuses a reminder with a negative or fractional number of days left', async () => {
    const reminder = { ...EMAIL_TEMPLATES['invitation-reminder'].previewProps };
    await expect(renderUnchecked('invitation-reminder', { ...reminder, daysLeft: -1 })).rejects.toThrow(/daysLeft/);
    await expect(renderUnchecked('invitation-reminder', { ...reminder, daysLeft: 1.5 })).rejects.toThrow(/daysLeft/);
  });

  it('refuses a registration confirmation that is given a password', async () => {
    const props = { ...EMAIL_TEMPLATES['registration-confirmed'].previewProps, password: `pw-${unique()}` };
    await expect(renderUnchecked('registration-confirmed', props)).rejects.toThrow(EmailPropsError);
  });

  it('reminds the client to sign in with the password they chose once registered', async () => {
    const { text, subject } = await renderEmail('registration-confirmed', {
      ...EMAIL_TEMPLATES['registration-confirmed'].previewProps,
      practiceName: `Oakview Family Therapy ${unique()}`,
    });
    expect(subject).toMatch(/^Your client portal account with Oakview Family Therapy \w+ is ready$/);
    expect(text).toContain('Sign in any time with your email address and the password you chose.');
  });

  it('escapes markup in the practice’s intro text', async () => {
    const { html } = await renderEmail(
      'portal-invitation',
      invitationProps({ introText: '<script>alert(1)</script>' }),
    );
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('turns each line of the intro text into a paragraph of its own', async () => {
    const first = `Welcome to our practice ${unique()}.`;
    const second = `Please set up your account before we meet ${unique()}.`;
    const { html } = await renderEmail('portal-invitation', invitationProps({ introText: `${first}\n\n${second}\n` }));
    expect(html).toMatch(new RegExp(`<p[^>]*>${first}</p><p[^>]*>${second}</p>`));
  });

  it('introduces the portal in its own words when the practice wrote none', async () => {
    const props = invitationProps();
    const { text } = await renderEmail('portal-invitation', props);
    expect(text).toContain(`${props.practiceName} has invited you to set up your Client Portal account.`);
    expect(text).toContain('confirm your last name and date of birth, then choose a password');
    expect(text).toContain("If you weren't expecting this email, you can safely ignore it.");
  });

  it('greets the recipient by name, or with a plain hello when no name is known', async () => {
    const props = invitationProps();
    expect((await renderEmail('portal-invitation', props)).text).toContain(`Hi ${props.recipientName},`);
    expect((await renderEmail('portal-invitation', { ...props, recipientName: '' })).text).toMatch(/^Hello,$/m);
  });

  it('shows when the link expires in the practice’s time zone, New York time by default', async () => {
    const props = invitationProps({ expiresAt: '2026-12-01T17:00:00.000Z' });
    const auckland = await renderEmail('portal-invitation', { ...props, timeZone: 'Pacific/Auckland' });
    expect(auckland.text).toContain('This link expires on Wednesday, 2 December 2026 at 6:00 AM GMT+13.');
    const byDefault = await renderEmail('portal-invitation', props);
    expect(byDefault.text).toContain('This link expires on Tuesday, 1 December 2026 at 12:00 PM EST.');
  });

  it('tells a client with a resent link that earlier links no longer work', async () => {
    const { subject, text } = await renderEmail('invitation-resent', {
      ...invitationProps(),
      practiceName: `Cedar Grove Counseling ${unique()}`,
    });
    expect(subject).toMatch(/^Your new client portal link from Cedar Grove Counseling \w+$/);
    expect(text).toContain('Links in earlier emails no longer work');
  });

  it('tells a reminded client how long the link still works', async () => {
    const props = { ...invitationProps(), daysLeft: 4 };
    expect((await renderEmail('invitation-reminder', props)).text).toContain('the link expires in 4 days.');
    const lastDay = await renderEmail('invitation-reminder', { ...props, daysLeft: 0 });
    expect(lastDay.text).toContain('the link expires in less than a day.');
  });

  it('paints the button in the practice’s colour with a label that stays readable', async () => {
    const dark = await renderEmail('portal-invitation', invitationProps({ brandColor: '#1e3a8a' }));
    expect(dark.html).toMatch(/background-color:#1e3a8a;[^"]*color:#ffffff/);
    const pale = await renderEmail('portal-invitation', invitationProps({ brandColor: '#FDE68A' }));
    expect(pale.html).toMatch(/background-color:#FDE68A;[^"]*color:#111827/);
  });
});

describe('formatDateTime', () => {
  it('writes the weekday, date, time and zone as seen in the given time zone', () => {
    expect(formatDateTime('2026-12-01T17:00:00Z', 'America/New_York')).toBe('Tuesday, 1 December 2026 at 12:00 PM EST');
    expect(formatDateTime('2026-12-01T17:00:00Z', 'Asia/Tokyo')).toBe('Wednesday, 2 December 2026 at 2:00 AM GMT+9');
    expect(formatDateTime('2026-07-04T03:30:00Z', 'America/New_York')).toBe('Friday, 3 July 2026 at 11:30 PM EDT');
  });

  it('refuses a string that is not a date', () => {
    expect(() => formatDateTime('next Tuesday', 'America/New_York')).toThrow(RangeError);
  });
});

describe('formatDaysLeft', () => {
  it('says less than a day, one day or several days', () => {
    expect([0, 1, 6].map(formatDaysLeft)).toEqual(['in less than a day', 'in 1 day', 'in 6 days']);
  });
});
