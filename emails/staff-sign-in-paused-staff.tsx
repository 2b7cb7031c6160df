import { z } from 'zod';
import { EmailLayout } from './components/email-layout';
import { LinkButton } from './components/link-button';
import { Greeting, Paragraph } from './components/text';
import { formatDateTime } from './format';
import { emailBaseShape, ZHttpUrl } from './schemas';

/**
 * Issue 14, item 3: repeated wrong passwords (or second-factor codes) paused
 * a staff member's sign-in. The practice's admins hear of it, once per pause,
 * so a guessing attack on a colleague's account is noticed by a person and
 * not only by a metric. No PHI (nothing about any client), no address tried,
 * no password: the colleague's display name, the door and the pause's end.
 * Strict, so a caller that passes more is refused.
 */
export const ZStaffSignInPausedStaffProps = z.strictObject({
  ...emailBaseShape,
  /** The admin being told. */
  recipientName: emailBaseShape.recipientName,
  /** The paused colleague's display name as the practice set it (staff, never a client). */
  pausedStaffName: emailBaseShape.recipientName,
  /** What was guessed: the password, or the second factor's code after the right password. */
  door: z.enum(['password', 'second-factor']),
  /** When sign-in opens again (ISO 8601). */
  pausedUntil: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone offset' }),
  /** The team's security page on the staff dashboard (reset a lost second factor). */
  securityPageUrl: ZHttpUrl,
});

export type TStaffSignInPausedStaffProps = z.infer<typeof ZStaffSignInPausedStaffProps>;

export const staffSignInPausedStaffPreviewProps: TStaffSignInPausedStaffProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Dr. Morgan Lee',
  pausedStaffName: 'Sam Ortiz',
  door: 'password',
  pausedUntil: '2026-12-01T17:05:30.000Z',
  securityPageUrl: 'https://portal.riverbend.example/staff/riverbend/security/team',
};

export function staffSignInPausedStaffSubject({ pausedStaffName, practiceName }: TStaffSignInPausedStaffProps): string {
  return `Sign-in paused for ${pausedStaffName} at ${practiceName} after repeated wrong tries`;
}

/** Tells an admin that a colleague's sign-in was paused, and what to do if it was not them. */
export function StaffSignInPausedStaffEmail(props: TStaffSignInPausedStaffProps) {
  const { practiceName, brandColor, pausedStaffName, door, pausedUntil, timeZone, securityPageUrl } = props;
  const what = door === 'password' ? 'wrong passwords' : 'wrong second-factor codes after the right password';
  return (
    <EmailLayout
      practiceName={practiceName}
      brandColor={brandColor}
      preview={`${pausedStaffName}'s staff sign-in was paused after repeated ${what}.`}
    >
      <Greeting name={props.recipientName} />
      <Paragraph>
        Sign-in to the staff dashboard for {pausedStaffName} was paused after repeated {what}, until{' '}
        {formatDateTime(pausedUntil, timeZone)}. Each further run of wrong tries pauses it for longer.
      </Paragraph>
      <Paragraph>
        If {pausedStaffName} was not signing in just then, someone may be guessing at their account: ask them to choose
        a new password and to set up a second factor if they have none.
        {door === 'second-factor' ? ' Whoever tried knew their password.' : ''}
      </Paragraph>
      <LinkButton href={securityPageUrl} label="Open your team's security page" brandColor={brandColor} />
    </EmailLayout>
  );
}

StaffSignInPausedStaffEmail.PreviewProps = staffSignInPausedStaffPreviewProps;

export default StaffSignInPausedStaffEmail;
