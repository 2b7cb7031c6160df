/**
 * What a portal user may use in the portal of the client they are signed in
 * to (issue 15, seed 004's permission check boxes): one rule, read by every
 * portal page and action through web/portal/portal-session.ts, and by the
 * portal's navigation so it offers only what the user may open.
 *
 * - basic: the portal home (banner, upcoming appointments);
 * - forms: My Documents, filling in and signing;
 * - billing: My Account, Pay Now, cards, bills and receipts;
 * - messages, appointments: kept per user now, for the pages to come.
 *
 * A page the user may not use answers like a page that does not exist (404),
 * as the staff policy does for clients out of reach.
 */
import type { Db } from '../db/client';
import { AppError } from './app-error';

export const PORTAL_PERMISSIONS = ['BASIC', 'FORMS', 'BILLING', 'MESSAGES', 'APPOINTMENTS'] as const;
export type PortalPermission = (typeof PORTAL_PERMISSIONS)[number];

export const PORTAL_RELATIONSHIPS = ['CLIENT', 'PARENT', 'GUARDIAN', 'SPOUSE', 'OTHER'] as const;
export type PortalRelationship = (typeof PORTAL_RELATIONSHIPS)[number];

/** The signed-in person's access to the client whose portal is open. */
export interface PortalClientAccess {
  accessId: string;
  clientId: string;
  portalUserId: string;
  relationship: PortalRelationship;
  isPrimary: boolean;
  permissions: ReadonlySet<PortalPermission>;
}

/**
 * The access behind a portal session's account, or null when there is none
 * or it is not active (revoked, still invited): such a session opens nothing.
 */
export async function portalAccessOf(db: Db, user: { portalAccountId: string }): Promise<PortalClientAccess | null> {
  const access = await db.clientPortalAccess.findUnique({
    where: { portalAccountId: user.portalAccountId },
    select: {
      id: true,
      clientId: true,
      portalUserId: true,
      relationship: true,
      isPrimary: true,
      permissions: true,
      status: true,
    },
  });
  if (!access || access.status !== 'ACTIVE') return null;
  return {
    accessId: access.id,
    clientId: access.clientId,
    portalUserId: access.portalUserId,
    relationship: access.relationship,
    isPrimary: access.isPrimary,
    permissions: new Set(access.permissions),
  };
}

export function mayUse(access: PortalClientAccess | null, permission: PortalPermission): boolean {
  return access?.permissions.has(permission) ?? false;
}

/** Throws NOT_FOUND unless the access includes the permission. */
export function assertMayUse(
  access: PortalClientAccess | null,
  permission: PortalPermission,
): asserts access is PortalClientAccess {
  if (!mayUse(access, permission)) {
    throw new AppError('NOT_FOUND', `portal permission ${permission} not granted`);
  }
}

/**
 * The permission a portal path needs, by its area: `/portal/<practice>/…`.
 * Unknown areas need basic, so a page added later is never open to a user
 * with no permission at all.
 */
export function permissionForPortalPath(path: string): PortalPermission {
  const area = path.split('/')[3] ?? '';
  if (area === 'documents') return 'FORMS';
  if (area === 'account') return 'BILLING';
  return 'BASIC';
}
