/**
 * Contacts the EHR names for a client (issue 15): parents, guardians, a
 * spouse, who become portal users of the client with their own invitation.
 * Sent in `chart.created` (optional) and, later, in full in
 * `client.contacts_updated`. PHI: validated here, stored only as the client's
 * chart is, never in workflow ids, search attributes or logs.
 */
import { z } from 'zod';
import { ZExternalChartId } from '../domain/chart';
import { PORTAL_PERMISSIONS, type PortalPermission } from '../use-cases/portal-access-policy';

/** What a contact may use when the EHR names none: the portal home and the client's forms (to fill in and sign). */
export const DEFAULT_CONTACT_PERMISSIONS: readonly PortalPermission[] = ['BASIC', 'FORMS'];

export const MAX_EHR_CONTACTS = 10;

export const ZEhrContact = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  email: z
    .email('must be a valid email address')
    .max(254, 'must be at most 254 characters')
    .transform((email) => email.toLowerCase()),
  relationship: z.enum(['PARENT', 'GUARDIAN', 'SPOUSE', 'OTHER'], {
    error: 'must be PARENT, GUARDIAN, SPOUSE or OTHER',
  }),
  /** Omitted: basic and forms. */
  permissions: z
    .array(z.enum(PORTAL_PERMISSIONS))
    .min(1, 'must grant at least one permission')
    .max(PORTAL_PERMISSIONS.length)
    .refine((permissions) => new Set(permissions).size === permissions.length, 'must not repeat a permission')
    .optional(),
});
export type TEhrContact = z.infer<typeof ZEhrContact>;

/** One email is one person: the same address twice in one list is a mistake, refused whole. */
export const ZEhrContacts = z
  .array(ZEhrContact)
  .max(MAX_EHR_CONTACTS, `must name at most ${MAX_EHR_CONTACTS} contacts`)
  .superRefine((contacts, ctx) => {
    const seen = new Set<string>();
    contacts.forEach((contact, index) => {
      if (seen.has(contact.email)) {
        ctx.addIssue({ code: 'custom', path: [index, 'email'], message: 'names the same person twice' });
      }
      seen.add(contact.email);
    });
  });

/**
 * The EHR's full list of a client's contacts, after the chart was created:
 * contacts new to the list are added and invited, those in it updated (name
 * kept as first given, relationship and permissions as sent), and contacts
 * the EHR named before but not now removed. Contacts staff added stay.
 */
export const ZContactsUpdatedWebhook = z
  .object({
    type: z.literal('client.contacts_updated', { error: 'must be "client.contacts_updated"' }),
    timestamp: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
    data: z.object({ externalChartId: ZExternalChartId, contacts: ZEhrContacts }),
  })
  .describe('ContactsUpdatedWebhook');
export type TContactsUpdatedWebhook = z.infer<typeof ZContactsUpdatedWebhook>;

export const ZContactsAccepted = z.object({
  onboardingId: z.uuid(),
  added: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  /** True when this webhook-id was received before: nothing changed. */
  duplicate: z.boolean(),
});
export type TContactsAccepted = z.infer<typeof ZContactsAccepted>;
