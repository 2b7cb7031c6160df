import { z } from 'zod';
import { EmailLayout } from './components/email-layout';
import { LinkButton } from './components/link-button';
import { Greeting, Paragraph } from './components/text';
import { colors } from './components/theme';
import { emailBaseShape, ZHttpUrl } from './schemas';

// A form's title is the practice's wording; nobody's title legitimately holds a line break.
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

/** Titles of the forms an email lists, as the practice named them: 1 to 50 of them. */
export const ZFormTitles = z
  .array(
    z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .regex(NO_CONTROL_CHARACTERS, 'must not contain line breaks or control characters'),
  )
  .min(1, 'must list at least one form')
  .max(50, 'must list at most 50 forms');

/** "1 form", "3 forms". */
export function formCount(count: number): string {
  return count === 1 ? '1 form' : `${count} forms`;
}

/** The forms an email is about, one per line (a bulleted list in HTML, `* title` lines in the plain text). */
export function FormTitleList({ titles }: { titles: string[] }) {
  return (
    <ul style={{ color: colors.text, fontSize: '16px', lineHeight: '24px', margin: '0 0 16px', paddingLeft: '24px' }}>
      {titles.map((title, index) => (
        <li key={index}>{title}</li>
      ))}
    </ul>
  );
}

// Strict, so anything passed by mistake (answers, a date of birth) is refused rather than silently dropped.
export const ZFormsAssignedProps = z.strictObject({
  ...emailBaseShape,
  formTitles: ZFormTitles,
  /** The portal's My Documents page, where the forms wait. */
  documentsUrl: ZHttpUrl,
  /**
   * Whether the recipient has registered. The portal invitation is a separate
   * email: without an account, this one tells them to use that first.
   */
  accountReady: z.boolean('must be true or false'),
});

export type TFormsAssignedProps = z.infer<typeof ZFormsAssignedProps>;

export const formsAssignedPreviewProps: TFormsAssignedProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Ada',
  formTitles: ['Client Information', 'Consent to Treatment', 'Notice of Privacy Practices'],
  documentsUrl: 'https://portal.riverbend.example/portal/documents',
  accountReady: false,
};

export function formsAssignedSubject({ practiceName, formTitles }: TFormsAssignedProps): string {
  return `${practiceName} has ${formCount(formTitles.length)} for you to complete`;
}

/**
 * Tells the client (or guardian) which forms the practice assigned. Sent on
 * its own, apart from the portal invitation, which carries the registration link.
 */
export function FormsAssignedEmail(props: TFormsAssignedProps) {
  const { practiceName, brandColor, formTitles, documentsUrl, accountReady } = props;
  const count = formCount(formTitles.length);
  return (
    <EmailLayout
      practiceName={practiceName}
      brandColor={brandColor}
      preview={`${practiceName} has ${count} for you to complete.`}
    >
      <Greeting name={props.recipientName} />
      <Paragraph>
        {practiceName} has {count} for you to complete:
      </Paragraph>
      <FormTitleList titles={formTitles} />
      {accountReady ? (
        <Paragraph>
          Sign in to your Client Portal to complete {formTitles.length === 1 ? 'it' : 'them'}. You&apos;ll find{' '}
          {formTitles.length === 1 ? 'it' : 'them'} under My Documents.
        </Paragraph>
      ) : (
        <Paragraph>
          First, set up your Client Portal account using the invitation email {practiceName} sent you separately. Your
          forms will be waiting for you under My Documents once you sign in.
        </Paragraph>
      )}
      <LinkButton href={documentsUrl} label="Go to My Documents" brandColor={brandColor} />
      <Paragraph>If you weren&apos;t expecting this email, please contact {practiceName} directly.</Paragraph>
    </EmailLayout>
  );
}

FormsAssignedEmail.PreviewProps = formsAssignedPreviewProps;

export default FormsAssignedEmail;
