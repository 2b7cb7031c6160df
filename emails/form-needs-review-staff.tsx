import { z } from 'zod';
import { EmailLayout } from './components/email-layout';
import { LinkButton } from './components/link-button';
import { Greeting, Paragraph } from './components/text';
import { emailBaseShape, ZHttpUrl } from './schemas';

/**
 * A form was signed with an answer that needs the practice's review today
 * (PHQ-9 item 9). Email is no place for PHI, and this one least of all: no
 * client name, chart, form, answer or score, only a short reference to the
 * onboarding and a link that needs a staff sign-in. Strict, so a caller that
 * passes more is refused rather than trusted to have it dropped.
 */
export const ZFormNeedsReviewStaffProps = z.strictObject({
  ...emailBaseShape,
  /** The staff member's display name (an admin or the assigned clinician), not the client's. */
  recipientName: emailBaseShape.recipientName,
  /** The first characters of the onboarding's id: enough to find it, nothing about the client. */
  onboardingReference: z.string().regex(/^[0-9a-f]{8}$/, 'must be the first 8 hex digits of the onboarding id'),
  /** The client's page on the staff dashboard. */
  reviewUrl: ZHttpUrl,
});

export type TFormNeedsReviewStaffProps = z.infer<typeof ZFormNeedsReviewStaffProps>;

export const formNeedsReviewStaffPreviewProps: TFormNeedsReviewStaffProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Dr. Morgan Lee',
  onboardingReference: '5b0c6a3e',
  reviewUrl: 'https://portal.riverbend.example/staff/riverbend/onboardings/5b0c6a3e-2f4d-4b8a-9c1e-7d3f5a9b2c4e',
};

export function formNeedsReviewStaffSubject({ onboardingReference, practiceName }: TFormNeedsReviewStaffProps): string {
  return `Needs review today: a form submitted for onboarding ${onboardingReference} at ${practiceName}`;
}

/** Asks the practice's admins and the assigned clinician to review a signed form today. */
export function FormNeedsReviewStaffEmail(props: TFormNeedsReviewStaffProps) {
  const { practiceName, brandColor, onboardingReference, reviewUrl } = props;
  return (
    <EmailLayout
      practiceName={practiceName}
      brandColor={brandColor}
      preview={`A form submitted for onboarding ${onboardingReference} needs review today.`}
    >
      <Greeting name={props.recipientName} />
      <Paragraph>
        A form submitted for onboarding {onboardingReference} needs review today: one of its answers may mean the client
        is at risk.
      </Paragraph>
      <LinkButton href={reviewUrl} label="Open the client's page" brandColor={brandColor} />
      <Paragraph>
        For the client&apos;s privacy, this email leaves out who they are and what they answered: you&apos;ll find both
        after signing in.
      </Paragraph>
    </EmailLayout>
  );
}

FormNeedsReviewStaffEmail.PreviewProps = formNeedsReviewStaffPreviewProps;

export default FormNeedsReviewStaffEmail;
