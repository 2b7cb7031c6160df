import { z } from 'zod';
import { EmailLayout } from './components/email-layout';
import { InvitationLink } from './components/invitation-link';
import { Greeting, Paragraph } from './components/text';
import { formatDaysLeft } from './format';
import { emailBaseShape, invitationLinkShape } from './schemas';

export const ZInvitationReminderProps = z.strictObject({
  ...emailBaseShape,
  ...invitationLinkShape,
  /** Whole days until the link expires, rounded down. */
  daysLeft: z.int('must be a whole number').min(0, 'must be 0 or more'),
});

export type TInvitationReminderProps = z.infer<typeof ZInvitationReminderProps>;

export const invitationReminderPreviewProps: TInvitationReminderProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Ada',
  registerUrl: 'https://portal.riverbend.example/portal/register/rb_2f9c1d7e4a6b8f0c3e5d7a9b1c2d4e6f',
  expiresAt: '2026-12-01T17:00:00.000Z',
  daysLeft: 3,
};

export function invitationReminderSubject({ practiceName }: TInvitationReminderProps): string {
  return `Reminder: set up your client portal account with ${practiceName}`;
}

/** Sent while an invitation is still unused, on the days the practice chose. */
export function InvitationReminderEmail(props: TInvitationReminderProps) {
  const { practiceName, brandColor, daysLeft } = props;
  return (
    <EmailLayout
      practiceName={practiceName}
      brandColor={brandColor}
      preview={`Your invitation from ${practiceName} expires ${formatDaysLeft(daysLeft)}.`}
    >
      <Greeting name={props.recipientName} />
      <Paragraph>
        Just a friendly reminder: your invitation to set up your {practiceName} Client Portal account is still waiting
        for you, and the link expires {formatDaysLeft(daysLeft)}.
      </Paragraph>
      <InvitationLink {...props} />
    </EmailLayout>
  );
}

InvitationReminderEmail.PreviewProps = invitationReminderPreviewProps;

export default InvitationReminderEmail;
