import { formatCard, ZPaymentReceiptProps } from '../../emails/payment-receipt';
import { paymentReceivedStaffPreviewProps, ZPaymentReceivedStaffProps } from '../../emails/payment-received-staff';
import { EMAIL_TEMPLATE_IDS, EMAIL_TEMPLATES, renderEmail, type EmailProps } from '../../emails/registry';
import { HTML_TAG, propsErrorOf, unique } from '../support/emails';

function receiptProps(overrides: Partial<EmailProps<'payment-receipt'>> = {}): EmailProps<'payment-receipt'> {
  const suffix = unique();
  return {
    practiceName: `Harbour Light Therapy ${suffix}`,
    recipientName: `Sam${suffix}`,
    amountCents: 4500,
    currency: 'usd',
    paidAt: '2026-12-03T15:42:00.000Z',
    receiptNumber: `R-2026-${suffix}`,
    cardBrand: 'visa',
    cardLast4: '4242',
    receiptUrl: `https://portal.example.test/portal/account/receipts/${suffix}`,
    savedCard: false,
    ...overrides,
  };
}

function staffProps(
  overrides: Partial<EmailProps<'payment-received-staff'>> = {},
): EmailProps<'payment-received-staff'> {
  const suffix = unique();
  return {
    practiceName: `Oakview Family Therapy ${suffix}`,
    recipientName: `Dr. Rivera ${suffix}`,
    externalChartId: `CH-${suffix}`,
    amountCents: 123450,
    currency: 'usd',
    paidAt: '2026-12-03T15:42:00.000Z',
    receiptNumber: `R-2026-${suffix}`,
    dashboardUrl: `https://portal.example.test/staff/payments?c=${suffix}`,
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

describe('payment email registry', () => {
  it('lists both payment emails, so /dev/emails previews them', () => {
    expect(EMAIL_TEMPLATE_IDS).toEqual(expect.arrayContaining(['payment-receipt', 'payment-received-staff']));
    expect(EMAIL_TEMPLATES['payment-receipt'].schema).toBe(ZPaymentReceiptProps);
    expect(EMAIL_TEMPLATES['payment-received-staff'].schema).toBe(ZPaymentReceivedStaffProps);
  });

  it.each(['payment-receipt', 'payment-received-staff'] as const)('%s renders from its preview props', async (id) => {
    const { subject, html, text } = await renderEmail(id, EMAIL_TEMPLATES[id].previewProps);
    expect(subject).toContain('$45.00');
    expect(html).toContain('R-2026-000123');
    expect(text).toContain('R-2026-000123');
  });
});

describe('payment-receipt email', () => {
  it('gives the amount, the date, the receipt number and the card, with a link to the receipt', async () => {
    const props = receiptProps();
    const rendered = await renderEmail('payment-receipt', props);

    expect(rendered.subject).toBe(`Your payment of $45.00 to ${props.practiceName}`);
    expect(rendered.text).toContain(`Hi ${props.recipientName},`);
    expect(rendered.text).toContain(`Thank you: ${props.practiceName} received your payment of $45.00.`);
    expect(rendered.text).toContain('Amount: $45.00');
    expect(rendered.text).toContain('Date: Thursday, 3 December 2026 at 10:42 AM EST');
    expect(rendered.text).toContain(`Receipt number: ${props.receiptNumber}`);
    expect(rendered.text).toContain('Paid with: Visa •••• 4242');
    expect(rendered.html).toContain(props.receiptNumber);
    expect(rendered.html).toContain('4242');
    expect(rendered.html).toContain('$45.00');
    expectLink(rendered, props.receiptUrl);
    expect(rendered.text).toContain(`automated message from ${props.practiceName} via the Client Portal`);
  });

  it('formats amounts in dollars with thousands separators', async () => {
    const props = receiptProps({ amountCents: 123456 });
    const { subject, text } = await renderEmail('payment-receipt', props);
    expect(subject).toBe(`Your payment of $1,234.56 to ${props.practiceName}`);
    expect(text).toContain('Amount: $1,234.56');
  });

  it('says the card is saved only when the client asked for it', async () => {
    const saved = await renderEmail('payment-receipt', receiptProps({ savedCard: true }));
    expect(saved.text).toContain('Your card ending 4242 is saved for future payments.');
    const notSaved = await renderEmail('payment-receipt', receiptProps({ savedCard: false }));
    expect(notSaved.text).not.toContain('saved for future payments');
  });

  it('leaves the card out when the provider told us nothing about it', async () => {
    const { text } = await renderEmail(
      'payment-receipt',
      receiptProps({ cardBrand: null, cardLast4: null, savedCard: true }),
    );
    expect(text).not.toContain('Paid with');
    expect(text).toContain('Your card is saved for future payments.');
  });

  it('shows the payment time in the practice’s time zone', async () => {
    const { text } = await renderEmail('payment-receipt', receiptProps({ timeZone: 'Asia/Tokyo' }));
    expect(text).toContain('Date: Friday, 4 December 2026 at 12:42 AM GMT+9');
  });

  it.each([
    ['a fractional amount', { amountCents: 45.5 }, 'amountCents'],
    ['a zero amount', { amountCents: 0 }, 'amountCents'],
    ['an amount over the payment limit', { amountCents: 10_000_001 }, 'amountCents'],
    ['an amount in dollars as text', { amountCents: '45.00' }, 'amountCents'],
    ['another currency', { currency: 'eur' }, 'currency'],
    ['a payment time without an offset', { paidAt: '2026-12-03T15:42:00' }, 'paidAt'],
    ['a receipt number with a line break', { receiptNumber: 'R-1\r\nBcc: someone' }, 'receiptNumber'],
    ['more than the last 4 digits', { cardLast4: '4242424242424242' }, 'cardLast4'],
    ['no cardLast4 at all', { cardLast4: undefined }, 'cardLast4'],
    ['a javascript: link', { receiptUrl: 'javascript:alert(1)' }, 'receiptUrl'],
    ['savedCard that is not a boolean', { savedCard: 'yes' }, 'savedCard'],
    ['a diagnosis', { diagnosis: 'F41.1' }, 'diagnosis'],
    ['a full card number', { cardNumber: '4242424242424242' }, 'cardNumber'],
  ])('refuses %s', async (_case, overrides, field) => {
    const error = await propsErrorOf('payment-receipt', { ...receiptProps(), ...overrides });
    expect(error.templateId).toBe('payment-receipt');
    expect(error.message).toContain(field);
  });

  it('escapes markup in the practice name', async () => {
    const { html } = await renderEmail('payment-receipt', receiptProps({ practiceName: '<b>Harbour</b> Light' }));
    expect(html).not.toContain('<b>Harbour</b>');
    expect(html).toContain('&lt;b&gt;Harbour&lt;/b&gt; Light');
  });
});

describe('formatCard', () => {
  it('writes the brand as people do and never more than the last four digits', () => {
    expect(formatCard('visa', '4242')).toBe('Visa •••• 4242');
    expect(formatCard('amex', '0005')).toBe('American Express •••• 0005');
    expect(formatCard('unknown', '1881')).toBe('Card •••• 1881');
    expect(formatCard(null, '1881')).toBe('Card •••• 1881');
    expect(formatCard('mastercard', null)).toBe('Mastercard');
    expect(formatCard('some_new_brand', null)).toBe('Some new brand');
    expect(formatCard(null, null)).toBeNull();
  });
});

describe('payment-received-staff email', () => {
  it('tells staff which chart paid how much, with the receipt number and where to see it', async () => {
    const props = staffProps();
    const rendered = await renderEmail('payment-received-staff', props);

    expect(rendered.subject).toBe(
      `Payment of $1,234.50 received for chart ${props.externalChartId} at ${props.practiceName}`,
    );
    expect(rendered.text).toContain(`Hi ${props.recipientName},`);
    expect(rendered.text).toContain(`The client with chart ${props.externalChartId} made a payment`);
    expect(rendered.text).toContain('Amount: $1,234.50');
    expect(rendered.text).toContain('Date: Thursday, 3 December 2026 at 10:42 AM EST');
    expect(rendered.text).toContain(`Receipt number: ${props.receiptNumber}`);
    expect(rendered.html).toContain(props.receiptNumber);
    expectLink(rendered, props.dashboardUrl);
  });

  it('names no client: the preview’s client appears nowhere in it', async () => {
    // The receipt preview greets its client ("Ada"); the staff one must carry no client name at all.
    const clientName = EMAIL_TEMPLATES['payment-receipt'].previewProps.recipientName;
    const { subject, html, text } = await renderEmail('payment-received-staff', paymentReceivedStaffPreviewProps);
    for (const part of [subject, html, text]) {
      expect(part).not.toContain(clientName);
      expect(part).not.toMatch(/@/);
      expect(part).not.toContain('4242');
    }
    expect(text).toContain(paymentReceivedStaffPreviewProps.externalChartId);
  });

  it.each([
    ['clientName', (secret: string) => `Jordan Whitfield ${secret}`],
    ['clientFirstName', (secret: string) => `Jordan${secret}`],
    ['email', (secret: string) => `jordan.${secret}@example.test`],
    ['clientEmail', (secret: string) => `jordan.${secret}@example.test`],
    ['dateOfBirth', (secret: string) => `1987-04-12 ${secret}`],
    ['cardLast4', (secret: string) => `4242${secret}`],
  ])('refuses client details passed as %s, so they never reach the email', async (key, valueOf) => {
    const secret = unique();
    const props = { ...staffProps(), [key]: valueOf(secret) };

    expect(ZPaymentReceivedStaffProps.safeParse(props).success).toBe(false);
    const error = await propsErrorOf('payment-received-staff', props);
    expect(error.message).toContain(key);
    expect(error.message).not.toContain(secret);
  });

  it('carries nothing but the props it knows', () => {
    const parsed = ZPaymentReceivedStaffProps.parse(staffProps());
    expect(Object.keys(parsed).sort()).toEqual(
      [
        'amountCents',
        'currency',
        'dashboardUrl',
        'externalChartId',
        'paidAt',
        'practiceName',
        'receiptNumber',
        'recipientName',
        'timeZone',
      ].sort(),
    );
  });

  it.each([
    ['a chart id that is a client’s name', { externalChartId: 'Jordan Whitfield' }, 'externalChartId'],
    ['an empty chart id', { externalChartId: '' }, 'externalChartId'],
    ['a fractional amount', { amountCents: 1.5 }, 'amountCents'],
    ['a payment time without an offset', { paidAt: '2026-12-03T15:42:00' }, 'paidAt'],
    ['a javascript: link', { dashboardUrl: 'javascript:alert(1)' }, 'dashboardUrl'],
    ['no receipt number', { receiptNumber: undefined }, 'receiptNumber'],
  ])('refuses %s', async (_case, overrides, field) => {
    const error = await propsErrorOf('payment-received-staff', { ...staffProps(), ...overrides });
    expect(error.message).toContain(field);
  });

  it('names an invalid chart id without repeating it', async () => {
    const secret = `Jordan Whitfield ${unique()}`;
    const error = await propsErrorOf('payment-received-staff', { ...staffProps(), externalChartId: secret });
    expect(error.issues).toEqual([
      { path: 'externalChartId', message: 'may contain only letters, digits and . _ : -' },
    ]);
    expect(error.message).not.toContain(secret);
  });
});
