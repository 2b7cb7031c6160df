import { formatDateTime } from '../format';
import { LinkButton } from './link-button';
import { Paragraph } from './text';

export interface InvitationLinkProps {
  registerUrl: string;
  expiresAt: string;
  timeZone: string;
  brandColor?: string | undefined;
}

/** What every invitation email ends with: the steps, the button, when the link dies, and what to do if unexpected. */
export function InvitationLink({ registerUrl, expiresAt, timeZone, brandColor }: InvitationLinkProps) {
  return (
    <>
      <Paragraph>
        You&apos;ll confirm your last name and date of birth, then choose a password. It only takes a few minutes.
      </Paragraph>
      <LinkButton href={registerUrl} label="Set up my portal account" brandColor={brandColor} />
      <Paragraph>This link expires on {formatDateTime(expiresAt, timeZone)}.</Paragraph>
      <Paragraph>If you weren&apos;t expecting this email, you can safely ignore it.</Paragraph>
    </>
  );
}
