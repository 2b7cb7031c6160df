import { z } from 'zod';
import { ZExternalChartId } from '../domain/chart';
import { EmailLayout } from './components/email-layout';
import { LinkButton } from './components/link-button';
import { Greeting, Paragraph } from './components/text';
import { formatDateTime } from './format';
import { FormTitleList, ZFormTitles } from './forms-assigned';
import { emailBaseShape, ZHttpUrl } from './schemas';

/**
 * Email is no place for PHI, so this one names the client by the EHR's chart
 * id only: no name, date of birth, address, answers or scores. Strict, so a
 * caller that passes any of those by mistake is refused rather than trusted
 * to have it dropped.
 */
export const ZFormsCompletedStaffProps = z.strictObject({
  ...emailBaseShape,
  /** The staff member's display name (an admin or the assigned clinician), not the client's. */
  recipientName: emailBaseShape.recipientName,
  /** The EHR's id for the client's chart: the only way this email identifies the client. */
  externalChartId: ZExternalChartId,
  /** The forms the client submitted. */
  formTitles: ZFormTitles,
  /** When the last form was submitted (ISO 8601 with a Z or an offset). */
  completedAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone offset' }),
  /** Where staff, once signed in, read the submitted documents. */
  reviewUrl: ZHttpUrl,
});

export type TFormsCompletedStaffProps = z.infer<typeof ZFormsCompletedStaffProps>;

export const formsCompletedStaffPreviewProps: TFormsCompletedStaffProps = {
  practiceName: 'Riverbend Counseling',
  brandColor: '#0f766e',
  timeZone: 'America/New_York',
  recipientName: 'Dr. Morgan Lee',
  externalChartId: 'CH-104822',
  formTitles: ['Client Information', 'Consent to Treatment', 'Notice of Privacy Practices'],
  completedAt: '2026-12-03T15:42:00.000Z',
  reviewUrl: 'https://portal.riverbend.example/staff/onboardings/5b0c6a3e-2f4d-4b8a-9c1e-7d3f5a9b2c4e/documents',
};

export function formsCompletedStaffSubject({ externalChartId, practiceName }: TFormsCompletedStaffProps): string {
  return `Intake forms completed for chart ${externalChartId} at ${practiceName}`;
}

/** Tells the practice's staff that a client has submitted every assigned intake form. */
export function FormsCompletedStaffEmail(props: TFormsCompletedStaffProps) {
  const { practiceName, brandColor, externalChartId, formTitles, completedAt, timeZone, reviewUrl } = props;
  return (
    <EmailLayout
      practiceName={practiceName}
      brandColor={brandColor}
      preview={`The client with chart ${externalChartId} has completed their intake forms.`}
    >
      <Greeting name={props.recipientName} />
      <Paragraph>
        The client with chart {externalChartId} completed their intake forms on {formatDateTime(completedAt, timeZone)}:
      </Paragraph>
      <FormTitleList titles={formTitles} />
      <Paragraph>Sign in to review the submitted documents.</Paragraph>
      <LinkButton href={reviewUrl} label="Review documents" brandColor={brandColor} />
      <Paragraph>
        For the client&apos;s privacy, this email leaves out their details and answers: you&apos;ll find them after
        signing in.
      </Paragraph>
    </EmailLayout>
  );
}

FormsCompletedStaffEmail.PreviewProps = formsCompletedStaffPreviewProps;

export default FormsCompletedStaffEmail;
