import { z } from 'zod';
import { EmailLayout } from './components/email-layout';
import { LinkButton } from './components/link-button';
import { Greeting, Paragraph } from './components/text';
import { emailBaseShape, ZHttpUrl } from './schemas';

export const ZPasswordResetProps = z.strictObject({
  ...emailBaseShape,
  resetUrl: ZHttpUrl,
  /** How long the link works, for the sentence that says so. */
  validMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
});

export type TPasswordResetProps = z.infer<typeof ZPasswordResetProps>;

export const passwordResetPreviewProps: TPasswordResetProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Ada',
  resetUrl: 'https://portal.riverbend.example/portal/riverbend/password/reset/abc',
  validMinutes: 60,
};

export function passwordResetSubject({ practiceName }: TPasswordResetProps): string {
  return `Reset your ${practiceName} Client Portal password`;
}

/** The link to choose a new password. It says nothing about the client's care, only how to get back in. */
export function PasswordResetEmail(props: TPasswordResetProps) {
  const { practiceName, brandColor, resetUrl, validMinutes } = props;
  return (
    <EmailLayout practiceName={practiceName} brandColor={brandColor} preview="Choose a new password for your portal.">
      <Greeting name={props.recipientName} />
      <Paragraph>Someone asked to reset the password of your {practiceName} Client Portal account.</Paragraph>
      <LinkButton href={resetUrl} label="Choose a new password" brandColor={brandColor} />
      <Paragraph>
        The link works once, for {validMinutes} minutes. If you didn&apos;t ask for it, ignore this email: your password
        stays as it is.
      </Paragraph>
    </EmailLayout>
  );
}

PasswordResetEmail.PreviewProps = passwordResetPreviewProps;

export default PasswordResetEmail;
