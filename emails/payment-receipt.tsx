import { Text } from '@react-email/components';
import { z } from 'zod';
import { formatMoney, MAX_PAYMENT_CENTS } from '../domain/money';
import { EmailLayout } from './components/email-layout';
import { LinkButton } from './components/link-button';
import { Greeting, Paragraph } from './components/text';
import { colors } from './components/theme';
import { formatDateTime } from './format';
import { emailBaseShape, ZHttpUrl } from './schemas';

/** What a payment email says about the payment itself; the staff notification uses the same fields. */
export const paymentShape = {
  /** Whole cents, never a float: 4500 is $45.00. */
  amountCents: z
    .int('must be a whole number of cents')
    .min(1, 'must be at least 1 cent')
    .max(MAX_PAYMENT_CENTS, `must be at most ${MAX_PAYMENT_CENTS} cents`),
  currency: z.literal('usd', 'must be "usd"'),
  /** When the provider confirmed the payment (ISO 8601 with a Z or an offset). */
  paidAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone offset' }),
  /** The portal's number for the payment, e.g. "R-2026-000123": what the client quotes when they call. */
  receiptNumber: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be 1 to 64 letters, digits and . _ : -'),
};

/** Card networks as the provider names them (Stripe's `card.brand`), as a person writes them. */
const CARD_BRAND_NAMES: Record<string, string> = {
  amex: 'American Express',
  american_express: 'American Express',
  cartes_bancaires: 'Cartes Bancaires',
  diners: 'Diners Club',
  discover: 'Discover',
  eftpos_au: 'eftpos',
  jcb: 'JCB',
  mastercard: 'Mastercard',
  unionpay: 'UnionPay',
  visa: 'Visa',
};

/**
 * "Visa •••• 4242" (or "Card •••• 4242", or "Visa"), or null when nothing is
 * known about the card. Never more than the brand and the last four digits.
 * The receipt and invoice PDFs print the same string (• is in WinAnsi).
 */
export function formatCard(brand: string | null | undefined, last4: string | null | undefined): string | null {
  const key = brand?.trim().toLowerCase() ?? '';
  const name =
    key && key !== 'unknown'
      ? (CARD_BRAND_NAMES[key] ?? key.replace(/[_-]+/g, ' ').replace(/^./, (first) => first.toUpperCase()))
      : null;
  if (last4) return `${name ?? 'Card'} •••• ${last4}`;
  return name;
}

// Strict, so anything passed by mistake (a diagnosis, the full card number) is refused rather than silently dropped.
export const ZPaymentReceiptProps = z.strictObject({
  ...emailBaseShape,
  ...paymentShape,
  /** The provider's brand of the card ('visa', 'mastercard'…), null when it was not a card or is not known. */
  cardBrand: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_ -]{1,32}$/, 'must be a card brand such as visa')
    .nullable(),
  /** The card's last four digits: never more of the number. */
  cardLast4: z
    .string()
    .regex(/^\d{4}$/, 'must be the last 4 digits of the card')
    .nullable(),
  /** The portal's page of this receipt, where the client can print it or download the PDF. */
  receiptUrl: ZHttpUrl,
  /** The client asked to keep the card for future payments. */
  savedCard: z.boolean('must be true or false'),
});

export type TPaymentReceiptProps = z.infer<typeof ZPaymentReceiptProps>;

export const paymentReceiptPreviewProps: TPaymentReceiptProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Ada',
  amountCents: 4500,
  currency: 'usd',
  paidAt: '2026-12-03T15:42:00.000Z',
  receiptNumber: 'R-2026-000123',
  cardBrand: 'visa',
  cardLast4: '4242',
  receiptUrl: 'https://portal.riverbend.example/portal/account/receipts/R-2026-000123',
  savedCard: true,
};

export function paymentReceiptSubject({ amountCents, currency, practiceName }: TPaymentReceiptProps): string {
  return `Your payment of ${formatMoney(amountCents, currency)} to ${practiceName}`;
}

/**
 * "Label: value" lines, one per detail: a <br> between them keeps the
 * plain-text part a readable list too.
 */
export function DetailLines({ details }: { details: [label: string, value: string][] }) {
  return (
    <Text style={{ color: colors.text, fontSize: '16px', lineHeight: '26px', margin: '0 0 16px' }}>
      {details.map(([label, value], index) => (
        <span key={label}>
          {index > 0 && <br />}
          <strong>{label}:</strong> {value}
        </span>
      ))}
    </Text>
  );
}

/**
 * The client's receipt for a payment made in the portal: amount, date,
 * receipt number and the card's last four digits. About money only: no
 * service, appointment or anything clinical.
 */
export function PaymentReceiptEmail(props: TPaymentReceiptProps) {
  const { practiceName, brandColor, timeZone, amountCents, currency, paidAt, receiptNumber, receiptUrl } = props;
  const amount = formatMoney(amountCents, currency);
  const card = formatCard(props.cardBrand, props.cardLast4);
  const details: [string, string][] = [
    ['Amount', amount],
    ['Date', formatDateTime(paidAt, timeZone)],
    ['Receipt number', receiptNumber],
  ];
  if (card) details.push(['Paid with', card]);
  return (
    <EmailLayout
      practiceName={practiceName}
      brandColor={brandColor}
      preview={`We received your payment of ${amount}. Receipt ${receiptNumber}.`}
    >
      <Greeting name={props.recipientName} />
      <Paragraph>
        Thank you: {practiceName} received your payment of {amount}.
      </Paragraph>
      <DetailLines details={details} />
      {props.savedCard && (
        <Paragraph>
          {props.cardLast4
            ? `Your card ending ${props.cardLast4} is saved for future payments.`
            : 'Your card is saved for future payments.'}{' '}
          You can remove it any time under My Account.
        </Paragraph>
      )}
      <Paragraph>Your receipt is in your Client Portal, where you can print it or save it as a PDF.</Paragraph>
      <LinkButton href={receiptUrl} label="View receipt" brandColor={brandColor} />
      <Paragraph>Questions about your bill? Please contact {practiceName} directly.</Paragraph>
    </EmailLayout>
  );
}

PaymentReceiptEmail.PreviewProps = paymentReceiptPreviewProps;

export default PaymentReceiptEmail;
