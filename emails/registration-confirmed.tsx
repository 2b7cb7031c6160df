import { z } from 'zod';
import { EmailLayout } from './components/email-layout';
import { LinkButton } from './components/link-button';
import { Greeting, Paragraph } from './components/text';
import { emailBaseShape, ZHttpUrl } from './schemas';

// Strict, so a password (or anything else) passed by mistake is refused rather than silently dropped.
export const ZRegistrationConfirmedProps = z.strictObject({
  ...emailBaseShape,
  signInUrl: ZHttpUrl,
});

export type TRegistrationConfirmedProps = z.infer<typeof ZRegistrationConfirmedProps>;

export const registrationConfirmedPreviewProps: TRegistrationConfirmedProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Ada',
  signInUrl: 'https://portal.riverbend.example/portal/login',
};

export function registrationConfirmedSubject({ practiceName }: TRegistrationConfirmedProps): string {
  return `Your client portal account with ${practiceName} is ready`;
}

/** Confirms a registration. Never carries the password: the client chose it and is the only one who knows it. */
export function RegistrationConfirmedEmail(props: TRegistrationConfirmedProps) {
  const { practiceName, brandColor, signInUrl } = props;
  return (
    <EmailLayout
      practiceName={practiceName}
      brandColor={brandColor}
      preview={`Your ${practiceName} Client Portal account is ready.`}
    >
      <Greeting name={props.recipientName} />
      <Paragraph>You&apos;re all set: your {practiceName} Client Portal account is ready.</Paragraph>
      <Paragraph>Sign in any time with your email address and the password you chose.</Paragraph>
      <LinkButton href={signInUrl} label="Sign in" brandColor={brandColor} />
      <Paragraph>If you didn&apos;t set up this account, please contact {practiceName} directly.</Paragraph>
    </EmailLayout>
  );
}

RegistrationConfirmedEmail.PreviewProps = registrationConfirmedPreviewProps;

export default RegistrationConfirmedEmail;
