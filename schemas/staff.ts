import { z } from 'zod';

export const STAFF_ROLES = ['ADMIN', 'THERAPIST', 'OPS'] as const;

export const ZStaffUserId = z.object({ staffUserId: z.uuid('must be a staff member id (UUID)') });

export const ZStaffPatch = z
  .strictObject({
    role: z.enum(STAFF_ROLES, { message: 'must be one of ADMIN, THERAPIST, OPS' }).optional(),
    /** Seed 003: a therapist may be given the permission to send invitations and forms (admins always may). */
    canInvite: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'must change at least one field' });
export type TStaffPatch = z.infer<typeof ZStaffPatch>;

export const ZReassignClients = z.strictObject({
  /** An active admin or therapist of the same practice (ops never have clients). */
  toStaffUserId: z.uuid('must be a staff member id (UUID)'),
});
export type TReassignClients = z.infer<typeof ZReassignClients>;

/** A staff member as admins see them: no password, no second-factor secret, only whether they are set. */
export const ZStaffMember = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(STAFF_ROLES),
  canInvite: z.boolean(),
  active: z.boolean(),
  deactivatedAt: z.iso.datetime().nullable(),
  hasPassword: z.boolean(),
  secondFactor: z.boolean(),
  /** Onboardings assigned to them that are not finished (complete or cancelled). */
  openClients: z.number().int(),
  createdAt: z.iso.datetime(),
});
export type TStaffMember = z.infer<typeof ZStaffMember>;

export const ZStaffList = z.object({ staff: z.array(ZStaffMember) });
export type TStaffList = z.infer<typeof ZStaffList>;

/** Ids and statuses only: the names are on the dashboard, behind the audited client page. */
export const ZAssignedClient = z.object({ onboardingId: z.uuid(), status: z.string() });

export const ZStaffDeactivated = z.object({
  staffMember: ZStaffMember,
  sessionsEnded: z.number().int(),
  apiKeysRevoked: z.number().int(),
  /** Their unfinished onboardings, still assigned to them: reassign them (POST …/reassign-clients). */
  clientsToReassign: z.array(ZAssignedClient),
});
export type TStaffDeactivated = z.infer<typeof ZStaffDeactivated>;

export const ZClientsReassigned = z.object({ moved: z.number().int(), toStaffUserId: z.uuid() });
export type TClientsReassigned = z.infer<typeof ZClientsReassigned>;
