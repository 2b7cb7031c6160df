import { z } from 'zod';
import { STAFF_ROLES } from './staff';

export const ZStaffInvitationId = z.object({ invitationId: z.uuid('must be an invitation id (UUID)') });

/** An admin invites a colleague: the account is made when they accept the emailed link. */
export const ZStaffInvitationRequest = z.strictObject({
  email: z
    .email('must be an email address')
    .max(254, 'must be at most 254 characters')
    .transform((email) => email.trim().toLowerCase()),
  displayName: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(200, 'must be at most 200 characters')
    .regex(/^[^\p{Cc}]*$/u, 'must not contain line breaks or control characters'),
  role: z.enum(STAFF_ROLES, { message: 'must be one of ADMIN, THERAPIST, OPS' }),
  /** Seed 003: a therapist may send client invitations and forms (admins always may; ops never). */
  canInvite: z.boolean().default(false),
});
export type TStaffInvitationRequest = z.infer<typeof ZStaffInvitationRequest>;

export const STAFF_INVITATION_STATUSES = ['PENDING', 'USED', 'EXPIRED', 'REVOKED'] as const;

export const ZStaffInvitation = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(STAFF_ROLES),
  canInvite: z.boolean(),
  /** PENDING until accepted (USED), expired after 7 days, or revoked by an admin. */
  status: z.enum(STAFF_INVITATION_STATUSES),
  /** How many links were sent (1 + resends). */
  sequence: z.number().int(),
  expiresAt: z.iso.datetime(),
  /** The account made on acceptance. */
  staffUserId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
});
export type TStaffInvitation = z.infer<typeof ZStaffInvitation>;

export const ZStaffInvitationList = z.object({ invitations: z.array(ZStaffInvitation) });
export type TStaffInvitationList = z.infer<typeof ZStaffInvitationList>;
