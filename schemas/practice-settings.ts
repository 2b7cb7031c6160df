import { z } from 'zod';
import { isStorableText, UNSTORABLE_TEXT } from '../domain/form-definition';
import { MAX_PAYMENT_CENTS } from '../domain/money';
import { isTimeZone } from '../domain/time-zone';

const ZReminderDays = (max: number) =>
  z
    .array(z.int().min(1).max(max))
    .max(10)
    .refine((days) => new Set(days).size === days.length, 'must not repeat a day')
    .transform((days) => [...days].sort((a, b) => a - b));

/**
 * How clients reach the practice: the portal's footer and every page that
 * ends a client's way (an expired link, an error) name it. Null: not given.
 */
export const ZPracticeContact = z.object({
  /** Digits with the usual separators, e.g. "(555) 010-0199" or "+1 555 010 0199"; 7 to 15 digits. */
  contactPhone: z
    .string()
    .trim()
    .regex(/^\+?\(?[0-9](?:[ ().-]{0,2}[0-9]){6,14}$/, 'must be a phone number such as (555) 010-0199')
    .nullable(),
  contactEmail: z.email('must be an email address such as frontdesk@example.com').max(254).nullable(),
  /** Postal address, lines separated by newlines. */
  contactAddress: z.string().trim().min(1).max(300).refine(isStorableText, UNSTORABLE_TEXT).nullable(),
  contactWebsite: z
    .string()
    .trim()
    .max(200)
    .regex(
      /^https?:\/\/[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]{1,5})?(\/[^\s]*)?$/,
      'must be a web address such as https://example.com',
    )
    .nullable(),
});
export type TPracticeContact = z.infer<typeof ZPracticeContact>;

/**
 * A practice's own settings (seed 003: "Client Portal Features can be
 * controlled from the Client Portal Settings tab … by the Organization
 * Administrator"): invitations, form reminders, branding, payments. What the
 * GET answers, and every field the PATCH may change.
 */
export const ZPracticeSettings = z.object({
  /** IANA zone the practice's emails and pages show times in. */
  timeZone: z
    .string()
    .trim()
    .min(1, 'must be an IANA time zone such as America/New_York')
    .refine(isTimeZone, 'must be an IANA time zone such as America/New_York'),
  /** How long an invitation link lives, in hours; null: 7 days (temporal.config.ts). */
  invitationTtlHours: z
    .int()
    .min(1)
    .max(24 * 60)
    .nullable(),
  /** Days after sending on which an unregistered client is reminded; empty: none. */
  invitationReminderDays: ZReminderDays(60),
  /** How many times an expired invitation is re-sent by itself; 0: staff resend. */
  autoReinviteMax: z.int().min(0).max(5),
  /** The practice's own words at the top of the invitation email. */
  invitationIntroText: z.string().trim().max(1000).refine(isStorableText, UNSTORABLE_TEXT).nullable(),
  /** #rrggbb of the practice's brand, for emails and portal pages. */
  brandColor: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour such as #2f6f6a')
    .nullable(),
  /** Days after forms are sent on which a client with forms outstanding is reminded; empty: none. */
  formReminderDays: ZReminderDays(90),
  /** Card payments in the portal (My Account's Pay Now and cards on file). */
  paymentsEnabled: z.boolean(),
  /** After registering, ask new clients for a card on file, or an intake deposit. */
  onboardingPaymentStep: z.enum(['NONE', 'CARD_ON_FILE', 'DEPOSIT']),
  /** The deposit, in cents, when onboardingPaymentStep is DEPOSIT. */
  intakeDepositCents: z.int().min(50).max(MAX_PAYMENT_CENTS).nullable(),
  /**
   * Shown to a client, under "If you are in crisis, call or text 988 …", when
   * an answer suggests a crisis (PHQ-9 item 9 above "Not at all"): e.g. the
   * practice's on-call line or hours. Null: the 988 message alone.
   */
  crisisMessage: z.string().trim().max(1000).refine(isStorableText, UNSTORABLE_TEXT).nullable(),
  ...ZPracticeContact.shape,
  requireSecondFactor: z
    .boolean()
    .describe(
      'Admins and therapists must sign in to the staff dashboard with a second factor (an authenticator app code, RFC 6238 TOTP); one who has none is asked to set it up right after their password. Off by default. Staff API keys are not affected.',
    ),
  deliveryDelayWindowHours: z
    .int()
    .min(1)
    .max(7 * 24)
    .describe(
      'When the email provider reports an invitation delayed (a soft bounce or "delivery delayed"), it keeps retrying; if the invitation is still not delivered this many hours after the first report, the onboarding shows "Invitation bounced" and the admins and the assigned clinician are emailed. Default 24.',
    ),
  clientLinkRequests: z
    .boolean()
    .describe(
      'A client who opens an expired or superseded invitation link (or asks on the portal\'s "Forgot your password?" page before registering) may have a new invitation emailed to the address on file, at most 3 times in 7 days. On by default; a link staff revoked never offers it.',
    ),
  superbillDiagnosisCodes: z
    .boolean()
    .describe(
      'Print the ICD-10 codes the EHR sends with an invoice (invoice.diagnosisCodes) on its superbill. Off by default: clients see no clinical information in the portal unless the practice chooses.',
    ),
});
export type TPracticeSettings = z.infer<typeof ZPracticeSettings>;

/** Only what is sent changes; unknown fields are refused, so a typo is a 400 rather than silently ignored. */
export const ZPracticeSettingsPatch = ZPracticeSettings.partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'must change at least one setting')
  .describe('PracticeSettingsPatch');
export type TPracticeSettingsPatch = z.infer<typeof ZPracticeSettingsPatch>;

export const ZPracticeSettingsResponse = ZPracticeSettings.extend({
  organizationId: z.uuid(),
  slug: z.string(),
  name: z.string(),
});
export type TPracticeSettingsResponse = z.infer<typeof ZPracticeSettingsResponse>;
