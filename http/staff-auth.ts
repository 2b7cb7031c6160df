import type { RequestHandler } from 'express';
import type { Db } from '../db/client';
import { scopeFromDb } from '../domain/api-key-scope';
import { hashToken } from '../security/tokens';
import { AppError } from '../use-cases/app-error';
import type { StaffPrincipal } from '../use-cases/staff-principal';
import { assertKeyScope } from './api-key-scope';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by requireStaff on staff routes. */
    staff?: StaffPrincipal;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{20,200})$/;

/** "Last used" is for telling live keys from forgotten ones: to the minute is enough, and spares a write per call. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Staff and EHR-side tools call the API with a staff member's API key
 * (`Authorization: Bearer <key>`). The key is looked up by its hash; a
 * revoked, expired or unknown key is a 401, with no hint which. The key's
 * scope must reach the operation asked for (http/api-key-scope.ts), checked
 * before the route reads its body.
 */
export function requireStaff(db: Db): RequestHandler {
  return async (req, _res, next) => {
    // Several routers guard the same paths; the key is looked up once per request.
    if (req.staff) {
      next();
      return;
    }
    const match = BEARER.exec(req.get('authorization') ?? '');
    if (!match?.[1]) throw new AppError('UNAUTHENTICATED', 'missing or malformed bearer token');
    const key = await db.staffApiKey.findUnique({
      where: { keyHash: hashToken(match[1]) },
      select: {
        id: true,
        revokedAt: true,
        expiresAt: true,
        scope: true,
        lastUsedAt: true,
        staffUser: { select: { id: true, organizationId: true, role: true, canInvite: true, deactivatedAt: true } },
      },
    });
    const now = new Date();
    // Deactivation revokes the holder's keys too; the holder's state is checked as well, in case one were missed.
    if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now) || key.staffUser.deactivatedAt) {
      throw new AppError('UNAUTHENTICATED', 'unknown, revoked or expired API key');
    }
    const keyScope = scopeFromDb(key.scope);
    // The full path: routers are mounted on prefixes, and the document names whole paths.
    assertKeyScope(keyScope, req.method, `${req.baseUrl}${req.path}`);
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await db.staffApiKey.update({ where: { id: key.id }, data: { lastUsedAt: now } });
    }
    req.staff = {
      staffUserId: key.staffUser.id,
      organizationId: key.staffUser.organizationId,
      role: key.staffUser.role,
      canInvite: key.staffUser.canInvite,
      keyScope,
    };
    next();
  };
}

export function staffOf(req: { staff?: StaffPrincipal }): StaffPrincipal {
  if (!req.staff) throw new AppError('UNAUTHENTICATED', 'route used without requireStaff');
  return req.staff;
}
