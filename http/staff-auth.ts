import type { RequestHandler } from 'express';
import type { Db } from '../db/client';
import { hashToken } from '../security/tokens';
import { AppError } from '../use-cases/app-error';
import type { StaffPrincipal } from '../use-cases/staff-principal';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by requireStaff on staff routes. */
    staff?: StaffPrincipal;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{20,200})$/;

/**
 * Staff and EHR-side tools call the API with a staff member's API key
 * (`Authorization: Bearer <key>`). The key is looked up by its hash; a
 * revoked or unknown key is a 401, with no hint which.
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
        staffUser: { select: { id: true, organizationId: true, role: true, canInvite: true } },
      },
    });
    if (!key || key.revokedAt) throw new AppError('UNAUTHENTICATED', 'unknown or revoked API key');
    req.staff = {
      staffUserId: key.staffUser.id,
      organizationId: key.staffUser.organizationId,
      role: key.staffUser.role,
      canInvite: key.staffUser.canInvite,
    };
    next();
  };
}

export function staffOf(req: { staff?: StaffPrincipal }): StaffPrincipal {
  if (!req.staff) throw new AppError('UNAUTHENTICATED', 'route used without requireStaff');
  return req.staff;
}
