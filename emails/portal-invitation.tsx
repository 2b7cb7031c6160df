import { z } from 'zod';
import { EmailLayout } from './components/email-layout';
import { InvitationLink } from './components/invitation-link';
import { Greeting, Paragraph, PlainTextParagraphs } from './components/text';
import { emailBaseShape, invitationLinkShape } from './schemas';

export const ZPortalInvitationProps = z.strictObject({
  ...emailBaseShape,
  ...invitationLinkShape,
  /**
   * The practice's own words (its settings), plain text; each line becomes a
   * paragraph. Absent or blank: our default introduction.
   */
  introText: z.string().trim().max(2000, 'must be at most 2000 characters').optional(),
});

export type TPortalInvitationProps = z.infer<typeof ZPortalInvitationProps>;

export const portalInvitationPreviewProps: TPortalInvitationProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Ada',
  registerUrl: 'https://portal.riverbend.example/portal/register/rb_2f9c1d7e4a6b8f0c3e5d7a9b1c2d4e6f',
  expiresAt: '2026-12-01T17:00:00.000Z',
  introText:
    'We look forward to meeting you.\nYour portal is where you can complete your intake paperwork before your first appointment.',
};

export function portalInvitationSubject({ practiceName }: TPortalInvitationProps): string {
  return `Set up your client portal account with ${practiceName}`;
}

/** The first email a new client (or their guardian) receives: an invitation to register. */
export function PortalInvitationEmail(props: TPortalInvitationProps) {
  const { practiceName, brandColor, introText } = props;
  return (
    <EmailLayout
      practiceName={practiceName}
      brandColor={brandColor}
      preview={`${practiceName} has invited you to set up your Client Portal account.`}
    >
      <Greeting name={props.recipientName} />
      {introText ? (
        <PlainTextParagraphs text={introText} />
      ) : (
        <Paragraph>
          {practiceName} has invited you to set up your Client Portal account. It&apos;s a secure place to fill in your
          forms online, from your phone or computer.
        </Paragraph>
      )}
      <InvitationLink {...props} />
    </EmailLayout>
  );
}

PortalInvitationEmail.PreviewProps = portalInvitationPreviewProps;

export default PortalInvitationEmail;
