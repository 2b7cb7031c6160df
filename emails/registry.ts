import { createElement, type ReactElement } from 'react';
import { render, toPlainText } from '@react-email/render';
import type { z } from 'zod';
import {
  FormsAssignedEmail,
  formsAssignedPreviewProps,
  formsAssignedSubject,
  ZFormsAssignedProps,
} from './forms-assigned';
import {
  FormsCompletedStaffEmail,
  formsCompletedStaffPreviewProps,
  formsCompletedStaffSubject,
  ZFormsCompletedStaffProps,
} from './forms-completed-staff';
import {
  FormNeedsReviewStaffEmail,
  formNeedsReviewStaffPreviewProps,
  formNeedsReviewStaffSubject,
  ZFormNeedsReviewStaffProps,
} from './form-needs-review-staff';
import {
  InvitationBouncedStaffEmail,
  invitationBouncedStaffPreviewProps,
  invitationBouncedStaffSubject,
  ZInvitationBouncedStaffProps,
} from './invitation-bounced-staff';
import {
  StaffSignInPausedStaffEmail,
  staffSignInPausedStaffPreviewProps,
  staffSignInPausedStaffSubject,
  ZStaffSignInPausedStaffProps,
} from './staff-sign-in-paused-staff';
import {
  FormsReminderEmail,
  formsReminderPreviewProps,
  formsReminderSubject,
  ZFormsReminderProps,
} from './forms-reminder';
import {
  InvitationReminderEmail,
  invitationReminderPreviewProps,
  invitationReminderSubject,
  ZInvitationReminderProps,
} from './invitation-reminder';
import {
  InvitationResentEmail,
  invitationResentPreviewProps,
  invitationResentSubject,
  ZInvitationResentProps,
} from './invitation-resent';
import {
  PortalInvitationEmail,
  portalInvitationPreviewProps,
  portalInvitationSubject,
  ZPortalInvitationProps,
} from './portal-invitation';
import {
  PasswordResetEmail,
  passwordResetPreviewProps,
  passwordResetSubject,
  ZPasswordResetProps,
} from './password-reset';
import {
  PaymentReceiptEmail,
  paymentReceiptPreviewProps,
  paymentReceiptSubject,
  ZPaymentReceiptProps,
} from './payment-receipt';
import {
  PaymentReceivedStaffEmail,
  paymentReceivedStaffPreviewProps,
  paymentReceivedStaffSubject,
  ZPaymentReceivedStaffProps,
} from './payment-received-staff';
import {
  RegistrationConfirmedEmail,
  registrationConfirmedPreviewProps,
  registrationConfirmedSubject,
  ZRegistrationConfirmedProps,
} from './registration-confirmed';
import {
  StaffInvitationEmail,
  staffInvitationPreviewProps,
  staffInvitationSubject,
  ZStaffInvitationProps,
} from './staff-invitation';

export const EMAIL_TEMPLATE_IDS = [
  'portal-invitation',
  'invitation-reminder',
  'invitation-resent',
  'registration-confirmed',
  'forms-assigned',
  'forms-reminder',
  'forms-completed-staff',
  'form-needs-review-staff',
  'invitation-bounced-staff',
  'staff-sign-in-paused-staff',
  'password-reset',
  'payment-receipt',
  'payment-received-staff',
  'staff-invitation',
] as const;

export type EmailTemplateId = (typeof EMAIL_TEMPLATE_IDS)[number];

/** Every template's props are an object: the schema's output is what the component receives. */
type PropsSchema = z.ZodType<object>;

export interface EmailTemplate<TSchema extends PropsSchema> {
  schema: TSchema;
  subject: (props: z.output<TSchema>) => string;
  component: (props: z.output<TSchema>) => ReactElement;
  previewProps: z.output<TSchema>;
  /** Validates props and builds the subject and the element to render. */
  prepare: (props: unknown) => { subject: string; element: ReactElement };
}

export interface RenderedEmail {
  subject: string;
  html: string;
  /** The plain-text part: links written out, no markup. */
  text: string;
}

/**
 * Props that failed a template's schema. The message lists each field and
 * the rule it broke, never the value, so it is safe in logs and in Temporal
 * failures. A retry cannot fix it: callers should treat it as non-retryable.
 */
export class EmailPropsError extends Error {
  override readonly name = 'EmailPropsError';

  constructor(
    readonly templateId: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(
      `invalid props for email template "${templateId}": ` +
        issues.map(({ path, message }) => (path ? `${path} ${message}` : message)).join('; '),
    );
  }
}

function defineTemplate<TSchema extends PropsSchema>(
  id: EmailTemplateId,
  template: Omit<EmailTemplate<TSchema>, 'prepare'>,
): EmailTemplate<TSchema> {
  return {
    ...template,
    prepare(props) {
      const parsed = template.schema.safeParse(props);
      if (!parsed.success) {
        throw new EmailPropsError(
          id,
          parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        );
      }
      return {
        subject: template.subject(parsed.data),
        element: createElement<z.output<TSchema>>(template.component, parsed.data),
      };
    },
  };
}

export const EMAIL_TEMPLATES = {
  'portal-invitation': defineTemplate('portal-invitation', {
    schema: ZPortalInvitationProps,
    subject: portalInvitationSubject,
    component: PortalInvitationEmail,
    previewProps: portalInvitationPreviewProps,
  }),
  'invitation-reminder': defineTemplate('invitation-reminder', {
    schema: ZInvitationReminderProps,
    subject: invitationReminderSubject,
    component: InvitationReminderEmail,
    previewProps: invitationReminderPreviewProps,
  }),
  'invitation-resent': defineTemplate('invitation-resent', {
    schema: ZInvitationResentProps,
    subject: invitationResentSubject,
    component: InvitationResentEmail,
    previewProps: invitationResentPreviewProps,
  }),
  'registration-confirmed': defineTemplate('registration-confirmed', {
    schema: ZRegistrationConfirmedProps,
    subject: registrationConfirmedSubject,
    component: RegistrationConfirmedEmail,
    previewProps: registrationConfirmedPreviewProps,
  }),
  'forms-assigned': defineTemplate('forms-assigned', {
    schema: ZFormsAssignedProps,
    subject: formsAssignedSubject,
    component: FormsAssignedEmail,
    previewProps: formsAssignedPreviewProps,
  }),
  'forms-reminder': defineTemplate('forms-reminder', {
    schema: ZFormsReminderProps,
    subject: formsReminderSubject,
    component: FormsReminderEmail,
    previewProps: formsReminderPreviewProps,
  }),
  'forms-completed-staff': defineTemplate('forms-completed-staff', {
    schema: ZFormsCompletedStaffProps,
    subject: formsCompletedStaffSubject,
    component: FormsCompletedStaffEmail,
    previewProps: formsCompletedStaffPreviewProps,
  }),
  'form-needs-review-staff': defineTemplate('form-needs-review-staff', {
    schema: ZFormNeedsReviewStaffProps,
    subject: formNeedsReviewStaffSubject,
    component: FormNeedsReviewStaffEmail,
    previewProps: formNeedsReviewStaffPreviewProps,
  }),
  'invitation-bounced-staff': defineTemplate('invitation-bounced-staff', {
    schema: ZInvitationBouncedStaffProps,
    subject: invitationBouncedStaffSubject,
    component: InvitationBouncedStaffEmail,
    previewProps: invitationBouncedStaffPreviewProps,
  }),
  'staff-sign-in-paused-staff': defineTemplate('staff-sign-in-paused-staff', {
    schema: ZStaffSignInPausedStaffProps,
    subject: staffSignInPausedStaffSubject,
    component: StaffSignInPausedStaffEmail,
    previewProps: staffSignInPausedStaffPreviewProps,
  }),
  'password-reset': defineTemplate('password-reset', {
    schema: ZPasswordResetProps,
    subject: passwordResetSubject,
    component: PasswordResetEmail,
    previewProps: passwordResetPreviewProps,
  }),
  'payment-receipt': defineTemplate('payment-receipt', {
    schema: ZPaymentReceiptProps,
    subject: paymentReceiptSubject,
    component: PaymentReceiptEmail,
    previewProps: paymentReceiptPreviewProps,
  }),
  'payment-received-staff': defineTemplate('payment-received-staff', {
    schema: ZPaymentReceivedStaffProps,
    subject: paymentReceivedStaffSubject,
    component: PaymentReceivedStaffEmail,
    previewProps: paymentReceivedStaffPreviewProps,
  }),
  'staff-invitation': defineTemplate('staff-invitation', {
    schema: ZStaffInvitationProps,
    subject: staffInvitationSubject,
    component: StaffInvitationEmail,
    previewProps: staffInvitationPreviewProps,
  }),
} as const satisfies { [Id in EmailTemplateId]: EmailTemplate<PropsSchema> };

/** What a caller passes for template `Id`: the schema's input, so defaults (the time zone) may be left out. */
export type EmailProps<Id extends EmailTemplateId> = z.input<(typeof EMAIL_TEMPLATES)[Id]['schema']>;

/**
 * Validates `props` against the template's schema (throws EmailPropsError)
 * and renders the subject, the HTML and the plain-text part.
 */
export async function renderEmail<Id extends EmailTemplateId>(id: Id, props: EmailProps<Id>): Promise<RenderedEmail> {
  // Ids can arrive from workflow histories written by older code: refuse unknown ones clearly.
  if (!Object.hasOwn(EMAIL_TEMPLATES, id)) throw new Error(`unknown email template "${String(id)}"`);
  const { subject, element } = EMAIL_TEMPLATES[id].prepare(props);
  // One render: the text part is derived from the HTML, as render(…, { plainText: true }) would do by rendering again.
  const html = await render(element);
  const text = toPlainText(html);
  return { subject, html, text };
}
