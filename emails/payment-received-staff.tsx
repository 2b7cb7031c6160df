import { z } from 'zod';
import { ZExternalChartId } from '../domain/chart';
import { formatMoney } from '../domain/money';
import { EmailLayout } from './components/email-layout';
import { LinkButton } from './components/link-button';
import { Greeting, Paragraph } from './components/text';
import { formatDateTime } from './format';
import { DetailLines, paymentShape } from './payment-receipt';
import { emailBaseShape, ZHttpUrl } from './schemas';

/**
 * Sent to the practice's administrators and to the client's assigned
 * therapist. Email is no place for PHI, so it names the client by the EHR's
 * chart id only: no name, date of birth, email address or card. Strict, so a
 * caller that passes any of those by mistake is refused rather than trusted
 * to have it dropped.
 */
export const ZPaymentReceivedStaffProps = z.strictObject({
  ...emailBaseShape,
  /** The staff member's display name (an admin or the assigned therapist), not the client's. */
  recipientName: emailBaseShape.recipientName,
  /** The EHR's id for the client's chart: the only way this email identifies the client. */
  externalChartId: ZExternalChartId,
  ...paymentShape,
  /** Where staff, once signed in, see the payment. */
  dashboardUrl: ZHttpUrl,
});

export type TPaymentReceivedStaffProps = z.infer<typeof ZPaymentReceivedStaffProps>;

export const paymentReceivedStaffPreviewProps: TPaymentReceivedStaffProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Dr. Morgan Lee',
  externalChartId: 'CH-104822',
  amountCents: 4500,
  currency: 'usd',
  paidAt: '2026-12-03T15:42:00.000Z',
  receiptNumber: 'R-2026-000123',
  dashboardUrl: 'https://portal.riverbend.example/staff/payments',
};

export function paymentReceivedStaffSubject({
  amountCents,
  currency,
  externalChartId,
  practiceName,
}: TPaymentReceivedStaffProps): string {
  return `Payment of ${formatMoney(amountCents, currency)} received for chart ${externalChartId} at ${practiceName}`;
}

/** Tells staff that a client paid through the portal. */
export function PaymentReceivedStaffEmail(props: TPaymentReceivedStaffProps) {
  const { practiceName, brandColor, timeZone, externalChartId, amountCents, currency, paidAt, receiptNumber } = props;
  const amount = formatMoney(amountCents, currency);
  return (
    <EmailLayout
      practiceName={practiceName}
      brandColor={brandColor}
      preview={`The client with chart ${externalChartId} paid ${amount} through the Client Portal.`}
    >
      <Greeting name={props.recipientName} />
      <Paragraph>The client with chart {externalChartId} made a payment through the Client Portal:</Paragraph>
      <DetailLines
        details={[
          ['Amount', amount],
          ['Date', formatDateTime(paidAt, timeZone)],
          ['Receipt number', receiptNumber],
        ]}
      />
      <Paragraph>Sign in to see the payment and the invoices it was applied to.</Paragraph>
      <LinkButton href={props.dashboardUrl} label="View payment" brandColor={brandColor} />
      <Paragraph>
        For the client&apos;s privacy, this email leaves out their details: you&apos;ll find them after signing in.
      </Paragraph>
    </EmailLayout>
  );
}

PaymentReceivedStaffEmail.PreviewProps = paymentReceivedStaffPreviewProps;

export default PaymentReceivedStaffEmail;
