/**
 * API keys without SQL (issue 19): admins make a key for a tool with a name,
 * a scope and an optional expiry, see it once, list keys with when each was
 * last used, and revoke. Every change is audited as api_key.<verb>, with ids
 * and the scope only.
 */
import type { Db } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import { scopeFromDb, scopeToDb } from '../../domain/api-key-scope';
import {
  MAX_API_KEY_LIFETIME_DAYS,
  type TApiKey,
  type TApiKeyCreate,
  type TApiKeyCreated,
  type TApiKeyList,
} from '../../schemas/api-keys';
import { hashToken, randomToken } from '../../security/tokens';
import { AppError } from '../app-error';
import type { StaffPrincipal } from '../staff-principal';

type Origin = AuditEntry['origin'];

/**
 * New keys start with this, so a key pasted into a ticket or a repository is
 * recognisable (and secret scanners can be told about it). Keys made before
 * had no prefix and keep working: lookup is by hash of the whole key.
 */
export const API_KEY_PREFIX = 'cpo_';
/** How much of a key the list shows: the prefix and four characters of the random part, never enough to guess. */
const SHOWN_CHARACTERS = API_KEY_PREFIX.length + 4;

const SELECT = {
  id: true,
  organizationId: true,
  name: true,
  scope: true,
  keyPrefix: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
  staffUser: { select: { id: true, displayName: true, role: true } },
} as const satisfies Prisma.StaffApiKeySelect;

type Row = Prisma.StaffApiKeyGetPayload<{ select: typeof SELECT }>;

/** A key acts for the practice with its holder's powers: only admins hand them out or take them back. */
export function assertMayManageApiKeys(staff: StaffPrincipal): void {
  if (staff.role !== 'ADMIN') {
    throw new AppError('FORBIDDEN', 'only admins manage API keys', {
      publicMessage: 'Only organisation administrators manage API keys.',
    });
  }
}

export function apiKeyView(row: Row, now = new Date()): TApiKey {
  const status = row.revokedAt ? 'revoked' : row.expiresAt && row.expiresAt <= now ? 'expired' : 'active';
  return {
    id: row.id,
    name: row.name,
    scope: scopeFromDb(row.scope),
    prefix: row.keyPrefix,
    staffUser: row.staffUser,
    status,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

const audit = (
  db: Db | Prisma.TransactionClient,
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

/** The practice's keys, newest first, revoked and expired ones included (they say who had access when). */
export async function listApiKeys(db: Db, staff: StaffPrincipal, now = new Date()): Promise<TApiKeyList> {
  assertMayManageApiKeys(staff);
  const rows = await db.staffApiKey.findMany({
    where: { organizationId: staff.organizationId },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    select: SELECT,
  });
  return { apiKeys: rows.map((row) => apiKeyView(row, now)) };
}

/** The expiry asked for, if any: in the future, and within the longest lifetime. */
function expiryOf(input: TApiKeyCreate, now: Date): Date | null {
  if (!input.expiresAt) return null;
  const at = new Date(input.expiresAt);
  const latest = now.getTime() + MAX_API_KEY_LIFETIME_DAYS * 24 * 60 * 60 * 1000;
  if (at.getTime() <= now.getTime() || at.getTime() > latest) {
    throw new AppError('VALIDATION_FAILED', 'expiry out of range', {
      fields: [
        { path: 'expiresAt', message: `must be in the future and at most ${MAX_API_KEY_LIFETIME_DAYS} days away` },
      ],
    });
  }
  return at;
}

/** Makes a key and answers it once: only its hash is stored. */
export async function createApiKey(
  db: Db,
  staff: StaffPrincipal,
  input: TApiKeyCreate,
  origin: Origin,
  now = new Date(),
): Promise<TApiKeyCreated> {
  assertMayManageApiKeys(staff);
  const expiresAt = expiryOf(input, now);
  const holderId = input.staffUserId ?? staff.staffUserId;
  const holder = await db.staffUser.findUnique({ where: { id: holderId }, select: { organizationId: true } });
  // Another practice's staff member is "unknown", like one that does not exist.
  if (!holder || holder.organizationId !== staff.organizationId) {
    throw new AppError('VALIDATION_FAILED', 'unknown staff member', {
      fields: [{ path: 'staffUserId', message: 'is not a staff member of your practice' }],
    });
  }
  const secret = `${API_KEY_PREFIX}${randomToken()}`;
  const row = await db.$transaction(async (tx) => {
    const created = await tx.staffApiKey.create({
      data: {
        organizationId: staff.organizationId,
        staffUserId: holderId,
        createdById: staff.staffUserId,
        name: input.name,
        scope: scopeToDb(input.scope),
        expiresAt,
        keyHash: hashToken(secret),
        keyPrefix: secret.slice(0, SHOWN_CHARACTERS),
      },
      select: SELECT,
    });
    await audit(tx, staff, 'api_key.create', origin, {
      apiKeyId: created.id,
      holderId,
      scope: input.scope,
      expiresAt: expiresAt?.toISOString() ?? null,
    });
    return created;
  });
  return { apiKey: apiKeyView(row, now), secret };
}

/** Revoking is immediate and final; revoking a revoked key changes nothing and answers it as it is. */
export async function revokeApiKey(
  db: Db,
  staff: StaffPrincipal,
  apiKeyId: string,
  origin: Origin,
  now = new Date(),
): Promise<TApiKey> {
  assertMayManageApiKeys(staff);
  return db.$transaction(async (tx) => {
    const row = await tx.staffApiKey.findUnique({ where: { id: apiKeyId }, select: SELECT });
    if (!row || row.organizationId !== staff.organizationId) throw new AppError('NOT_FOUND', 'unknown API key');
    if (row.revokedAt) return apiKeyView(row, now);
    const revoked = await tx.staffApiKey.update({
      where: { id: apiKeyId },
      data: { revokedAt: now },
      select: SELECT,
    });
    await audit(tx, staff, 'api_key.revoke', origin, { apiKeyId, holderId: row.staffUser.id });
    return apiKeyView(revoked, now);
  });
}

/** Every live key of one staff member, revoked at once (a deactivated account keeps no way in). */
export async function revokeKeysOf(
  tx: Prisma.TransactionClient,
  staff: StaffPrincipal,
  holderId: string,
  origin: Origin,
  now = new Date(),
): Promise<number> {
  const { count } = await tx.staffApiKey.updateMany({
    where: { staffUserId: holderId, organizationId: staff.organizationId, revokedAt: null },
    data: { revokedAt: now },
  });
  if (count > 0) await audit(tx, staff, 'api_key.revoke_all', origin, { holderId, count });
  return count;
}
