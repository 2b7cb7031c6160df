/**
 * Staff accounts without SQL (issue 19): admins list the practice's staff,
 * change a colleague's role and invite permission, deactivate an account
 * (its sessions end, its API keys are revoked, its unfinished clients are
 * listed for reassignment) and move a clinician's clients to another in one
 * step. The practice always keeps an active admin. Every change is audited as
 * staff.<verb>, with ids, roles and counts only.
 */
import type { Db } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import { FINISHED_ONBOARDING_STATUSES } from '../../domain/onboarding-status';
import type {
  TClientsReassigned,
  TReassignClients,
  TStaffDeactivated,
  TStaffList,
  TStaffMember,
  TStaffPatch,
} from '../../schemas/staff';
import { AppError } from '../app-error';
import type { StaffPrincipal } from '../staff-principal';
import { revokeKeysOf } from './manage-api-keys';

type Origin = AuditEntry['origin'];
type Tx = Prisma.TransactionClient;

const SELECT = {
  id: true,
  organizationId: true,
  email: true,
  displayName: true,
  role: true,
  canInvite: true,
  deactivatedAt: true,
  passwordHash: true,
  createdAt: true,
  secondFactor: { select: { confirmedAt: true } },
} as const satisfies Prisma.StaffUserSelect;

type Row = Prisma.StaffUserGetPayload<{ select: typeof SELECT }>;

const UNFINISHED: Prisma.OnboardingWhereInput = { status: { notIn: [...FINISHED_ONBOARDING_STATUSES] } };

/** Who may sign in and act for the practice is an admin's decision. */
export function assertMayManageStaff(staff: StaffPrincipal): void {
  if (staff.role !== 'ADMIN') {
    throw new AppError('FORBIDDEN', 'only admins manage staff', {
      publicMessage: 'Only organisation administrators manage staff accounts.',
    });
  }
}

function view(row: Row, openClients: number): TStaffMember {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    role: row.role,
    canInvite: row.canInvite,
    active: row.deactivatedAt === null,
    deactivatedAt: row.deactivatedAt?.toISOString() ?? null,
    hasPassword: row.passwordHash !== null,
    secondFactor: Boolean(row.secondFactor?.confirmedAt),
    openClients,
    createdAt: row.createdAt.toISOString(),
  };
}

async function openClientsOf(db: Db | Tx, staffUserId: string): Promise<number> {
  return db.onboarding.count({ where: { assignedStaffId: staffUserId, ...UNFINISHED } });
}

/** The staff member if they are of the caller's practice; another practice's is "not found". */
async function ownStaffMember(db: Db | Tx, staff: StaffPrincipal, id: string): Promise<Row> {
  const row = await db.staffUser.findUnique({ where: { id }, select: SELECT });
  if (!row || row.organizationId !== staff.organizationId) throw new AppError('NOT_FOUND', 'unknown staff member');
  return row;
}

/**
 * The practice's active admins, locked until the transaction ends: two admins
 * demoting each other at the same moment are done one after the other, so the
 * second sees the first's change and is refused.
 */
async function lockActiveAdmins(tx: Tx, organizationId: string): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM staff_user
    WHERE organization_id = ${organizationId}::uuid AND role = 'ADMIN' AND deactivated_at IS NULL
    ORDER BY id FOR UPDATE`;
  return rows.map((row) => row.id);
}

function assertNotLastAdmin(admins: string[], leaving: string): void {
  if (admins.length === 1 && admins[0] === leaving) {
    throw new AppError('CONFLICT', 'last admin', {
      publicMessage:
        'This is the practice’s only active administrator. Make someone else an administrator first, so the practice is never left without one.',
    });
  }
}

const audit = (
  db: Db | Tx,
  staff: StaffPrincipal,
  action: string,
  origin: Origin,
  detail: Record<string, string | number | boolean | null>,
) =>
  recordAudit(db, {
    organizationId: staff.organizationId,
    actor: { type: 'staff', id: staff.staffUserId },
    action,
    outcome: 'success',
    origin,
    detail,
  });

/** Active staff first, then by name. */
export async function listStaff(db: Db, staff: StaffPrincipal): Promise<TStaffList> {
  assertMayManageStaff(staff);
  const [rows, counts] = await Promise.all([
    db.staffUser.findMany({
      where: { organizationId: staff.organizationId },
      orderBy: [{ displayName: 'asc' }, { id: 'asc' }],
      select: SELECT,
    }),
    db.onboarding.groupBy({
      by: ['assignedStaffId'],
      where: { organizationId: staff.organizationId, assignedStaffId: { not: null }, ...UNFINISHED },
      _count: { _all: true },
    }),
  ]);
  const open = new Map(counts.map((count) => [count.assignedStaffId, count._count._all]));
  const members = rows.map((row) => view(row, open.get(row.id) ?? 0));
  return { staff: [...members.filter((m) => m.active), ...members.filter((m) => !m.active)] };
}

export async function getStaffMember(db: Db, staff: StaffPrincipal, id: string): Promise<TStaffMember> {
  assertMayManageStaff(staff);
  const row = await ownStaffMember(db, staff, id);
  return view(row, await openClientsOf(db, id));
}

/** Role and invite permission; demoting the only active admin is refused (409). */
export async function updateStaffMember(
  db: Db,
  staff: StaffPrincipal,
  id: string,
  patch: TStaffPatch,
  origin: Origin,
): Promise<TStaffMember> {
  assertMayManageStaff(staff);
  return db.$transaction(async (tx) => {
    const admins = await lockActiveAdmins(tx, staff.organizationId);
    const before = await ownStaffMember(tx, staff, id);
    if (before.deactivatedAt) {
      throw new AppError('CONFLICT', 'staff member deactivated', {
        publicMessage: 'This account is deactivated.',
      });
    }
    if (patch.role && patch.role !== 'ADMIN') assertNotLastAdmin(admins, id);
    const after = await tx.staffUser.update({
      where: { id },
      data: {
        ...(patch.role ? { role: patch.role } : {}),
        ...(patch.canInvite !== undefined ? { canInvite: patch.canInvite } : {}),
      },
      select: SELECT,
    });
    await audit(tx, staff, 'staff.update', origin, {
      staffUserId: id,
      roleBefore: before.role,
      role: after.role,
      canInviteBefore: before.canInvite,
      canInvite: after.canInvite,
    });
    return view(after, await openClientsOf(tx, id));
  });
}

/**
 * Ends an account's access at once: its sessions and API keys in the same
 * transaction, so nothing it held works a moment later. Its clients stay
 * assigned (a therapist's list is their clinician of record) and are listed
 * for an admin to move. Refused for the last active admin and for oneself
 * (another admin does it, so a slip cannot lock the caller out).
 */
export async function deactivateStaffMember(
  db: Db,
  staff: StaffPrincipal,
  id: string,
  origin: Origin,
  now = new Date(),
): Promise<TStaffDeactivated> {
  assertMayManageStaff(staff);
  if (id === staff.staffUserId) {
    throw new AppError('CONFLICT', 'self-deactivation', {
      publicMessage: 'You cannot deactivate your own account; ask another administrator.',
    });
  }
  return db.$transaction(async (tx) => {
    const admins = await lockActiveAdmins(tx, staff.organizationId);
    const before = await ownStaffMember(tx, staff, id);
    if (before.deactivatedAt) {
      throw new AppError('CONFLICT', 'already deactivated', { publicMessage: 'This account is already deactivated.' });
    }
    assertNotLastAdmin(admins, id);
    const after = await tx.staffUser.update({ where: { id }, data: { deactivatedAt: now }, select: SELECT });
    const { count: sessionsEnded } = await tx.staffSession.updateMany({
      where: { staffUserId: id, revokedAt: null },
      data: { revokedAt: now },
    });
    const apiKeysRevoked = await revokeKeysOf(tx, staff, id, origin, now);
    const clients = await tx.onboarding.findMany({
      where: { assignedStaffId: id, ...UNFINISHED },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true, status: true },
    });
    await audit(tx, staff, 'staff.deactivate', origin, {
      staffUserId: id,
      sessionsEnded,
      apiKeysRevoked,
      clientsToReassign: clients.length,
    });
    return {
      staffMember: view(after, clients.length),
      sessionsEnded,
      apiKeysRevoked,
      clientsToReassign: clients.map((client) => ({ onboardingId: client.id, status: client.status })),
    };
  });
}

/**
 * Moves every client assigned to one clinician to another, finished ones
 * included (the clinician of record decides who may open them), in one
 * statement. The new clinician must be an active admin or therapist of the
 * practice: ops never read clients.
 */
export async function reassignClients(
  db: Db,
  staff: StaffPrincipal,
  fromId: string,
  input: TReassignClients,
  origin: Origin,
): Promise<TClientsReassigned> {
  assertMayManageStaff(staff);
  await ownStaffMember(db, staff, fromId);
  const to = await db.staffUser.findUnique({ where: { id: input.toStaffUserId }, select: SELECT });
  const problem =
    !to || to.organizationId !== staff.organizationId
      ? 'is not a staff member of your practice'
      : to.deactivatedAt
        ? 'is deactivated'
        : to.role === 'OPS'
          ? 'is an operations engineer, who cannot have clients'
          : to.id === fromId
            ? 'is the same staff member'
            : null;
  if (problem) {
    throw new AppError('VALIDATION_FAILED', 'bad reassignment target', {
      fields: [{ path: 'toStaffUserId', message: problem }],
    });
  }
  return db.$transaction(async (tx) => {
    const { count } = await tx.onboarding.updateMany({
      where: { organizationId: staff.organizationId, assignedStaffId: fromId },
      data: { assignedStaffId: input.toStaffUserId },
    });
    await audit(tx, staff, 'staff.reassign_clients', origin, {
      fromStaffUserId: fromId,
      toStaffUserId: input.toStaffUserId,
      moved: count,
    });
    return { moved: count, toStaffUserId: input.toStaffUserId };
  });
}
