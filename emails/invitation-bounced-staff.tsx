import { z } from 'zod';
import { EmailLayout } from './components/email-layout';
import { LinkButton } from './components/link-button';
import { Greeting, Paragraph } from './components/text';
import { emailBaseShape, ZHttpUrl } from './schemas';

/**
 * A client's portal invitation will never arrive: the address bounced for
 * good or its owner marked our mail as spam. No PHI: no name, chart or
 * address, only a short reference and a link that needs a staff sign-in.
 * Strict, so a caller that passes more is refused.
 */
export const ZInvitationBouncedStaffProps = z.strictObject({
  ...emailBaseShape,
  /** The staff member's display name (an admin or the assigned clinician), not the client's. */
  recipientName: emailBaseShape.recipientName,
  /** The first characters of the onboarding's id: enough to find it, nothing about the client. */
  onboardingReference: z.string().regex(/^[0-9a-f]{8}$/, 'must be the first 8 hex digits of the onboarding id'),
  /** The client's page on the staff dashboard. */
  clientPageUrl: ZHttpUrl,
  /**
   * 'bounced': a hard bounce or a spam complaint. 'not-delivered': the provider reported it delayed
   * and it was still not delivered when the practice's window ended.
   */
  reason: z.enum(['bounced', 'not-delivered']).default('bounced'),
});

export type TInvitationBouncedStaffProps = z.output<typeof ZInvitationBouncedStaffProps>;

export const invitationBouncedStaffPreviewProps: TInvitationBouncedStaffProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Dr. Morgan Lee',
  onboardingReference: '5b0c6a3e',
  clientPageUrl: 'https://portal.riverbend.example/staff/riverbend/onboardings/5b0c6a3e-2f4d-4b8a-9c1e-7d3f5a9b2c4e',
  reason: 'bounced',
};

export function invitationBouncedStaffSubject({
  onboardingReference,
  practiceName,
  reason,
}: TInvitationBouncedStaffProps): string {
  return reason === 'not-delivered'
    ? `Invitation not delivered: onboarding ${onboardingReference} at ${practiceName} needs its address checked`
    : `Invitation bounced: onboarding ${onboardingReference} at ${practiceName} needs a corrected address`;
}

/** Asks the practice's admins and the assigned clinician to correct a client's email address. */
export function InvitationBouncedStaffEmail(props: TInvitationBouncedStaffProps) {
  const { practiceName, brandColor, onboardingReference, clientPageUrl, reason } = props;
  return (
    <EmailLayout
      practiceName={practiceName}
      brandColor={brandColor}
      preview={`The portal invitation for onboarding ${onboardingReference} could not be delivered.`}
    >
      <Greeting name={props.recipientName} />
      {reason === 'not-delivered' ? (
        <Paragraph>
          The portal invitation for onboarding {onboardingReference} has still not been delivered: the email provider
          reported it delayed and kept retrying, and it has not landed within your practice&apos;s window. The client
          may be waiting for it.
        </Paragraph>
      ) : (
        <Paragraph>
          The portal invitation for onboarding {onboardingReference} could not be delivered: the email address does not
          take mail, or its owner marked the invitation as spam. No more email goes to that address.
        </Paragraph>
      )}
      <Paragraph>Check the address with the client, then correct it on the client&apos;s page.</Paragraph>
      <LinkButton href={clientPageUrl} label="Open the client's page" brandColor={brandColor} />
      <Paragraph>
        For the client&apos;s privacy, this email leaves out who they are: you&apos;ll see it after signing in.
      </Paragraph>
    </EmailLayout>
  );
}

InvitationBouncedStaffEmail.PreviewProps = invitationBouncedStaffPreviewProps;

export default InvitationBouncedStaffEmail;
