/**
 * Portal users of a client (issue 15, seed 004): the people who may use the
 * client's portal, what they are to the client and what they may use there.
 */
import { z } from 'zod';
import { PORTAL_PERMISSIONS, PORTAL_RELATIONSHIPS } from '../use-cases/portal-access-policy';
import { ZOnboardingParams } from './onboarding';

export const ZPortalUserParams = ZOnboardingParams.extend({
  portalUserId: z.uuid('must be a portal user id (UUID)'),
});

const ZPermissions = z
  .array(z.enum(PORTAL_PERMISSIONS))
  .min(1, 'must grant at least one permission')
  .max(PORTAL_PERMISSIONS.length)
  .refine((permissions) => new Set(permissions).size === permissions.length, 'must not repeat a permission');

/** A contact of the client: the client themself is the primary user their invitation makes. */
const ZContactRelationship = z.enum(PORTAL_RELATIONSHIPS.filter((relationship) => relationship !== 'CLIENT'));

const ZName = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

export const ZAddPortalUserRequest = z.strictObject({
  name: ZName,
  email: z
    .email('must be a valid email address')
    .max(254, 'must be at most 254 characters')
    .transform((email) => email.toLowerCase()),
  relationship: ZContactRelationship,
  permissions: ZPermissions,
});
export type TAddPortalUserRequest = z.infer<typeof ZAddPortalUserRequest>;

export const ZUpdatePortalUserRequest = z
  .strictObject({ relationship: ZContactRelationship.optional(), permissions: ZPermissions.optional() })
  .refine((body) => body.relationship !== undefined || body.permissions !== undefined, {
    message: 'must change relationship or permissions',
  });
export type TUpdatePortalUserRequest = z.infer<typeof ZUpdatePortalUserRequest>;

export const ZPortalUser = z.object({
  portalUserId: z.uuid(),
  /** Null for a client using their own portal: the chart's name is theirs. */
  name: z.string().nullable(),
  email: z.string(),
  relationship: z.enum(PORTAL_RELATIONSHIPS),
  isPrimary: z.boolean(),
  permissions: z.array(z.enum(PORTAL_PERMISSIONS)),
  /** INVITED until they register, ACTIVE, or REVOKED. */
  status: z.enum(['INVITED', 'ACTIVE', 'REVOKED']),
  /**
   * Their newest invitation (the client's own for the primary user); older ones were superseded.
   * Null when none was sent yet. No token: only its hash is kept.
   */
  invitation: z
    .object({
      sequence: z.number().int(),
      state: z.enum(['PENDING', 'USED', 'EXPIRED', 'REVOKED', 'SUPERSEDED', 'LOCKED']),
      expiresAt: z.iso.datetime(),
    })
    .nullable(),
});
export type TPortalUser = z.infer<typeof ZPortalUser>;

export const ZPortalUsersResponse = z.object({ onboardingId: z.uuid(), portalUsers: z.array(ZPortalUser) });
export type TPortalUsersResponse = z.infer<typeof ZPortalUsersResponse>;
