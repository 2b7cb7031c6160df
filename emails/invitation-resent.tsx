import { z } from 'zod';
import { EmailLayout } from './components/email-layout';
import { InvitationLink } from './components/invitation-link';
import { Greeting, Paragraph } from './components/text';
import { emailBaseShape, invitationLinkShape } from './schemas';

export const ZInvitationResentProps = z.strictObject({
  ...emailBaseShape,
  ...invitationLinkShape,
});

export type TInvitationResentProps = z.infer<typeof ZInvitationResentProps>;

export const invitationResentPreviewProps: TInvitationResentProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Ada',
  registerUrl: 'https://portal.riverbend.example/portal/register/rb_8d0e2f4a6c8e0b2d4f6a8c0e2b4d6f8a',
  expiresAt: '2026-12-08T17:00:00.000Z',
};

export function invitationResentSubject({ practiceName }: TInvitationResentProps): string {
  return `Your new client portal link from ${practiceName}`;
}

/**
 * A new link, issued at the practice's request. Saying that the old links are
 * dead matters: otherwise people dig out the first email and hit an error.
 */
export function InvitationResentEmail(props: TInvitationResentProps) {
  const { practiceName, brandColor } = props;
  return (
    <EmailLayout
      practiceName={practiceName}
      brandColor={brandColor}
      preview={`Here is your new link to set up your ${practiceName} Client Portal account.`}
    >
      <Greeting name={props.recipientName} />
      <Paragraph>
        {practiceName} asked us to send you a new link to set up your Client Portal account. Links in earlier emails no
        longer work, so please use this one.
      </Paragraph>
      <InvitationLink {...props} />
    </EmailLayout>
  );
}

InvitationResentEmail.PreviewProps = invitationResentPreviewProps;

export default InvitationResentEmail;
