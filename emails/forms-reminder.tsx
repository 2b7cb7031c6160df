import { z } from 'zod';
import { EmailLayout } from './components/email-layout';
import { LinkButton } from './components/link-button';
import { Greeting, Paragraph } from './components/text';
import { formCount, FormTitleList, ZFormTitles } from './forms-assigned';
import { emailBaseShape, ZHttpUrl } from './schemas';

export const ZFormsReminderProps = z.strictObject({
  ...emailBaseShape,
  /** The assigned forms the client has not submitted yet. */
  outstandingTitles: ZFormTitles,
  /** The portal's My Documents page, where the forms wait. */
  documentsUrl: ZHttpUrl,
  /** 1 for the first reminder, 2 for the second, and so on. */
  reminderNumber: z.int('must be a whole number').min(1, 'must be 1 or more'),
});

export type TFormsReminderProps = z.infer<typeof ZFormsReminderProps>;

export const formsReminderPreviewProps: TFormsReminderProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Ada',
  outstandingTitles: ['Consent to Treatment', 'Notice of Privacy Practices'],
  documentsUrl: 'https://portal.riverbend.example/portal/documents',
  reminderNumber: 1,
};

export function formsReminderSubject({ practiceName, outstandingTitles }: TFormsReminderProps): string {
  return `Reminder: ${formCount(outstandingTitles.length)} from ${practiceName} still to complete`;
}

/** Sent while assigned forms are still outstanding; `reminderNumber` counts the reminders so far. */
export function FormsReminderEmail(props: TFormsReminderProps) {
  const { practiceName, brandColor, outstandingTitles, documentsUrl, reminderNumber } = props;
  const count = formCount(outstandingTitles.length);
  const one = outstandingTitles.length === 1;
  return (
    <EmailLayout
      practiceName={practiceName}
      brandColor={brandColor}
      preview={`You still have ${count} to complete for ${practiceName}.`}
    >
      <Greeting name={props.recipientName} />
      <Paragraph>
        {reminderNumber === 1 ? 'Just a friendly reminder' : 'Another friendly reminder'}: {practiceName} is still
        waiting for {one ? 'this form' : `these ${count}`}:
      </Paragraph>
      <FormTitleList titles={outstandingTitles} />
      <Paragraph>
        Sign in to your Client Portal to complete {one ? 'it' : 'them'}. You&apos;ll find {one ? 'it' : 'them'} under My
        Documents.
      </Paragraph>
      <LinkButton href={documentsUrl} label="Complete my forms" brandColor={brandColor} />
      <Paragraph>
        If you have questions about {one ? 'this form' : 'these forms'}, please contact {practiceName}.
      </Paragraph>
    </EmailLayout>
  );
}

FormsReminderEmail.PreviewProps = formsReminderPreviewProps;

export default FormsReminderEmail;
