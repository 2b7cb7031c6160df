import { z } from 'zod';
import { EmailLayout } from './components/email-layout';
import { LinkButton } from './components/link-button';
import { Greeting, Paragraph } from './components/text';
import { formatDateTime } from './format';
import { emailBaseShape, invitationLinkShape } from './schemas';

export const ZStaffInvitationProps = z.strictObject({
  ...emailBaseShape,
  ...invitationLinkShape,
  /** How the practice will know them: Administrator, Therapist, Operations. */
  roleLabel: z.string().trim().min(1, 'is required').max(40, 'must be at most 40 characters'),
  /** The one reminder, sent while the link is still unused. */
  reminder: z.boolean().default(false),
});

export type TStaffInvitationProps = z.infer<typeof ZStaffInvitationProps>;

export const staffInvitationPreviewProps: TStaffInvitationProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Sam Rivera',
  registerUrl:
    'https://portal.riverbend.example/staff/riverbend/invitation/2f9c1d7e4a6b8f0c3e5d7a9b1c2d4e6f0a1b2c3d4e5',
  expiresAt: '2026-12-08T17:00:00.000Z',
  roleLabel: 'Therapist',
  reminder: false,
};

export function staffInvitationSubject({ practiceName, reminder }: TStaffInvitationProps): string {
  return reminder
    ? `Reminder: your ${practiceName} staff account is waiting`
    : `You're invited to join ${practiceName}'s staff dashboard`;
}

/**
 * A colleague's invitation to the staff dashboard (issue 19): no client is
 * named in it, only the practice, the role and the link.
 */
export function StaffInvitationEmail(props: TStaffInvitationProps) {
  const { practiceName, brandColor, registerUrl, expiresAt, timeZone, roleLabel, reminder } = props;
  return (
    <EmailLayout
      practiceName={practiceName}
      brandColor={brandColor}
      preview={`Set up your ${practiceName} staff account (${roleLabel}).`}
    >
      <Greeting name={props.recipientName} />
      <Paragraph>
        {reminder ? 'A reminder: an' : 'An'} administrator of {practiceName} has invited you to its staff dashboard as{' '}
        {roleLabel}.
      </Paragraph>
      <Paragraph>Open the link to choose your password. The link works once.</Paragraph>
      <LinkButton href={registerUrl} label="Set up my staff account" brandColor={brandColor} />
      <Paragraph>This link expires on {formatDateTime(expiresAt, timeZone)}.</Paragraph>
      <Paragraph>If you weren&apos;t expecting this email, you can safely ignore it.</Paragraph>
    </EmailLayout>
  );
}

StaffInvitationEmail.PreviewProps = staffInvitationPreviewProps;

export default StaffInvitationEmail;
