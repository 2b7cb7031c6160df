import { z } from 'zod';
import { ZChartDetails } from '../domain/chart';
import { ZEhrContacts } from './ehr-contacts';

/**
 * The EHR's "chart created" event, in the Standard Webhooks envelope
 * ({ type, timestamp, data }). Unknown fields are dropped, never stored.
 */
export const ZChartCreatedWebhook = z
  .object({
    type: z.literal('chart.created', { error: 'must be "chart.created"' }),
    timestamp: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
    data: ZChartDetails.extend({
      portal: z
        .object({
          /** "Send client an email to set up their portal account" (seed 000). */
          invite: z.boolean().default(false),
        })
        .default({ invite: false }),
      /** Key of a configured Form & Assessment Package; omitted or null for none. */
      formPackageKey: z
        .string()
        .trim()
        .min(1)
        .max(64)
        .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a package key such as "default-intake"')
        .nullish(),
      /** Email of the client's clinician on staff; notified with the admins when the forms are signed. */
      clinicianEmail: z
        .email("must be a staff member's email address")
        .max(254)
        .transform((email) => email.toLowerCase())
        .nullish(),
      /**
       * Parents, guardians or others who become portal users of the client, each invited after the client
       * (when portal.invite is set) with their own link. Omitted: none.
       */
      contacts: ZEhrContacts.optional(),
    }).superRefine((data, ctx) => {
      // Seed 000: "The client email address is required when sending a portal invitation."
      if (data.portal.invite && !data.client.email) {
        ctx.addIssue({ code: 'custom', path: ['client', 'email'], message: 'is required to send a portal invitation' });
      }
      // Seed 003: one email is one portal user; the client's own address is the client's.
      const clientEmail = data.client.email?.toLowerCase();
      data.contacts?.forEach((contact, index) => {
        if (clientEmail && contact.email === clientEmail) {
          ctx.addIssue({ code: 'custom', path: ['contacts', index, 'email'], message: 'is the client’s own email' });
        }
      });
    }),
  })
  .describe('ChartCreatedWebhook');
export type TChartCreatedWebhook = z.infer<typeof ZChartCreatedWebhook>;

export const ZWebhookAccepted = z.object({
  onboardingId: z.uuid(),
  status: z.string(),
  /** True when this chart was already onboarding: nothing new was started. */
  duplicate: z.boolean(),
  links: z.object({ self: z.string() }),
});
export type TWebhookAccepted = z.infer<typeof ZWebhookAccepted>;
