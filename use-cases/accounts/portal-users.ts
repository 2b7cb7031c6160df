/**
 * Staff manage who uses a client's portal (issue 15, seed 004's "Add New
 * User" and permission check boxes): list, add a contact, change a user's
 * relationship or permissions, remove a contact.
 *
 * One email is one person per practice: adding a contact whose email already
 * has a portal user (a parent of another client, or a client themself) gives
 * that person access to this client too, instead of refusing or creating a
 * second login (seed 003's unique email stays true: per person).
 *
 * The primary user is the one the onboarding invites (the client, or the
 * guardian Change Ownership named). They are changed through that flow, so
 * here they can be narrowed in permissions but not removed. Every contact
 * added gets their own invitation (portal-user-invitations.ts).
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../db/client';
import type {
  TAddPortalUserRequest,
  TPortalUser,
  TPortalUsersResponse,
  TUpdatePortalUserRequest,
} from '../../schemas/portal-users';
import { AppError } from '../app-error';
import { accessibleOnboarding } from '../client-access-policy';
import { assertMayManageInvitations, assertMayReadAnswers, type StaffPrincipal } from '../staff-principal';
import {
  endPortalUserInvitation,
  resendContactInvitation,
  revokeContactInvitation,
  startPortalUserInvitation,
  type PortalUserInvitationDeps,
} from './portal-user-invitations';

type Tx = Prisma.TransactionClient;

const USER_SELECT = {
  portalUserId: true,
  invitations: {
    orderBy: { sequence: 'desc' },
    take: 1,
    select: { sequence: true, status: true, expiresAt: true },
  },
  relationship: true,
  isPrimary: true,
  permissions: true,
  status: true,
  portalUser: { select: { name: true, email: true } },
} as const;

type AccessRow = Prisma.ClientPortalAccessGetPayload<{ select: typeof USER_SELECT }>;

function toPortalUser(row: AccessRow): TPortalUser {
  return {
    portalUserId: row.portalUserId,
    name: row.portalUser.name,
    email: row.portalUser.email,
    relationship: row.relationship,
    isPrimary: row.isPrimary,
    permissions: row.permissions,
    status: row.status,
    invitation: invitationOf(row.invitations[0]),
  };
}

function invitationOf(row: { sequence: number; status: string; expiresAt: Date } | undefined) {
  if (!row) return null;
  return {
    sequence: row.sequence,
    state: row.status as NonNullable<TPortalUser['invitation']>['state'],
    expiresAt: row.expiresAt.toISOString(),
  };
}

/** The onboarding's client, within the caller's reach; a 409 before the chart exists. */
async function clientOf(db: Db, staff: StaffPrincipal, onboardingId: string) {
  const onboarding = await accessibleOnboarding(db, staff, onboardingId, { clientId: true, organizationId: true });
  if (!onboarding.clientId) {
    throw new AppError('CONFLICT', 'no chart yet', {
      publicMessage: 'The client’s chart has not been created yet; portal users can be added once it is.',
    });
  }
  return { clientId: onboarding.clientId, organizationId: onboarding.organizationId };
}

/** Timeline entries are keyed by their count, so a retried request adds one line, not two. */
async function recordEvent(tx: Tx, onboardingId: string, type: string, detail: Record<string, string>): Promise<void> {
  const earlier = await tx.onboardingEvent.count({ where: { onboardingId, type } });
  await tx.onboardingEvent.create({ data: { onboardingId, key: `${type}:${earlier + 1}`, type, detail } });
  await tx.onboarding.update({ where: { id: onboardingId }, data: { updatedAt: new Date() } });
}

/** Primary user first, then contacts in the order they were added. */
export async function listPortalUsers(
  db: Db,
  staff: StaffPrincipal,
  onboardingId: string,
): Promise<TPortalUsersResponse> {
  assertMayReadAnswers(staff);
  const { clientId } = await clientOf(db, staff, onboardingId);
  const rows = await db.clientPortalAccess.findMany({
    where: { clientId },
    orderBy: [{ isPrimary: 'desc' }, { createdAt: 'asc' }],
    select: USER_SELECT,
  });
  // The primary user's invitation is the onboarding's own (activities/invitations.ts).
  const clientInvitation = await db.invitation.findFirst({
    where: { onboardingId },
    orderBy: { sequence: 'desc' },
    select: { sequence: true, status: true, expiresAt: true },
  });
  return {
    onboardingId,
    portalUsers: rows.map((row) => {
      const user = toPortalUser(row);
      return row.isPrimary ? { ...user, invitation: invitationOf(clientInvitation ?? undefined) } : user;
    }),
  };
}

/**
 * Adds the contact and starts their invitation. If Temporal cannot take it
 * right now the contact stays added (a 503 says so) and Resend invitation
 * sends their first link later.
 */
export async function addPortalUser(
  deps: PortalUserInvitationDeps,
  staff: StaffPrincipal,
  onboardingId: string,
  input: TAddPortalUserRequest,
): Promise<TPortalUser> {
  const { db } = deps;
  assertMayManageInvitations(staff);
  const { clientId, organizationId } = await clientOf(db, staff, onboardingId);
  const { user, accessId } = await db.$transaction(async (tx) => {
    // The same person across clients: found by email, their name kept as they gave it first.
    const person = await tx.portalUser.upsert({
      where: { organizationId_email: { organizationId, email: input.email } },
      create: { organizationId, email: input.email, name: input.name },
      update: {},
      select: { id: true },
    });
    const existing = await tx.clientPortalAccess.findUnique({
      where: { clientId_portalUserId: { clientId, portalUserId: person.id } },
      select: { id: true },
    });
    if (existing) {
      throw new AppError('CONFLICT', 'already a portal user of this client', {
        publicMessage: 'This person is already a portal user of this client.',
      });
    }
    const row = await tx.clientPortalAccess.create({
      data: {
        organizationId,
        clientId,
        portalUserId: person.id,
        relationship: input.relationship,
        permissions: input.permissions,
        status: 'INVITED',
      },
      select: { ...USER_SELECT, id: true },
    });
    await recordEvent(tx, onboardingId, 'portal_user.added', {
      staffUserId: staff.staffUserId,
      portalUserId: person.id,
      relationship: input.relationship,
    });
    return { user: toPortalUser(row), accessId: row.id };
  });
  await startPortalUserInvitation(deps, { accessId, organizationId, requestedBy: staff.staffUserId });
  return user;
}

async function accessRowOf(tx: Tx, clientId: string, portalUserId: string) {
  const row = await tx.clientPortalAccess.findUnique({
    where: { clientId_portalUserId: { clientId, portalUserId } },
    select: { id: true, isPrimary: true },
  });
  if (!row) throw new AppError('NOT_FOUND', 'no such portal user of this client');
  return row;
}

export async function updatePortalUser(
  db: Db,
  staff: StaffPrincipal,
  onboardingId: string,
  portalUserId: string,
  change: TUpdatePortalUserRequest,
): Promise<TPortalUser> {
  assertMayManageInvitations(staff);
  const { clientId } = await clientOf(db, staff, onboardingId);
  return db.$transaction(async (tx) => {
    const { id } = await accessRowOf(tx, clientId, portalUserId);
    const row = await tx.clientPortalAccess.update({
      where: { id },
      data: {
        ...(change.relationship ? { relationship: change.relationship } : {}),
        ...(change.permissions ? { permissions: change.permissions } : {}),
      },
      select: USER_SELECT,
    });
    await recordEvent(tx, onboardingId, 'portal_user.updated', {
      staffUserId: staff.staffUserId,
      portalUserId,
      permissions: row.permissions.join(','),
    });
    return toPortalUser(row);
  });
}

/** A contact's access ends; the person stays if they use other clients' portals. */
export async function removePortalUser(
  deps: Pick<PortalUserInvitationDeps, 'db' | 'temporal' | 'logger'>,
  staff: StaffPrincipal,
  onboardingId: string,
  portalUserId: string,
): Promise<void> {
  const { db } = deps;
  assertMayManageInvitations(staff);
  const { clientId } = await clientOf(db, staff, onboardingId);
  const accessId = await db.$transaction(async (tx) => {
    const row = await accessRowOf(tx, clientId, portalUserId);
    if (row.isPrimary) {
      throw new AppError('CONFLICT', 'primary portal user', {
        publicMessage:
          'The primary portal user cannot be removed; use Change Ownership or Revoke Access for their login.',
      });
    }
    await tx.clientPortalAccess.delete({ where: { id: row.id } });
    await recordEvent(tx, onboardingId, 'portal_user.removed', { staffUserId: staff.staffUserId, portalUserId });
    return row.id;
  });
  await endPortalUserInvitation(deps, accessId);
}

async function portalUserOf(db: Db, clientId: string, portalUserId: string): Promise<TPortalUser> {
  const row = await db.clientPortalAccess.findUniqueOrThrow({
    where: { clientId_portalUserId: { clientId, portalUserId } },
    select: USER_SELECT,
  });
  return toPortalUser(row);
}

/** Resend invitation, per contact: a new link, the old one dead; the first one if none went out. */
export async function resendPortalUserInvitation(
  deps: PortalUserInvitationDeps,
  staff: StaffPrincipal,
  onboardingId: string,
  portalUserId: string,
): Promise<TPortalUser> {
  assertMayManageInvitations(staff);
  const { clientId } = await clientOf(deps.db, staff, onboardingId);
  await resendContactInvitation(deps, staff.staffUserId, { clientId, portalUserId });
  return portalUserOf(deps.db, clientId, portalUserId);
}

/** Revoke, per contact: their link stops working until staff resend. */
export async function revokePortalUserInvitation(
  deps: PortalUserInvitationDeps,
  staff: StaffPrincipal,
  onboardingId: string,
  portalUserId: string,
): Promise<TPortalUser> {
  assertMayManageInvitations(staff);
  const { clientId } = await clientOf(deps.db, staff, onboardingId);
  await revokeContactInvitation(deps, staff.staffUserId, { clientId, portalUserId });
  return portalUserOf(deps.db, clientId, portalUserId);
}
