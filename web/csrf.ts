import { createHmac, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { parse, serialize } from 'cookie';
import { safeEqual } from '../security/tokens';
import { AppError } from '../use-cases/app-error';

/** The portal and the staff dashboard each have their own cookie, scoped to their own paths. */
export type CsrfScope = 'portal' | 'staff';
const COOKIE: Record<CsrfScope, string> = { portal: 'portal_csrf', staff: 'staff_csrf' };

/**
 * Double-submit CSRF protection for the portal's forms: a random value in an
 * HttpOnly cookie, and its HMAC in a hidden field. A forged cross-site form
 * cannot read the cookie, so cannot produce the field.
 */
export function csrfField(
  req: Request,
  res: Response,
  key: Buffer,
  secure: boolean,
  scope: CsrfScope = 'portal',
): string {
  let value = parse(req.headers.cookie ?? '')[COOKIE[scope]];
  if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) {
    value = randomBytes(32).toString('base64url');
    res.append(
      'Set-Cookie',
      serialize(COOKIE[scope], value, { httpOnly: true, sameSite: 'strict', secure, path: `/${scope}` }),
    );
  }
  return sign(key, value);
}

export function assertCsrf(req: Request, key: Buffer, scope: CsrfScope = 'portal'): void {
  const cookie = parse(req.headers.cookie ?? '')[COOKIE[scope]];
  const field = (req.body as Record<string, unknown> | undefined)?._csrf;
  if (!cookie || typeof field !== 'string' || !safeEqual(sign(key, cookie), field)) {
    throw new AppError('FORBIDDEN', 'CSRF check failed', {
      publicMessage: 'Your form expired. Please go back, reload the page and try again.',
    });
  }
}

function sign(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(`csrf:${value}`).digest('base64url');
}
