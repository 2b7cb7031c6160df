import { createHmac, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { parse, serialize } from 'cookie';
import { safeEqual } from '../../security/tokens';
import { AppError } from '../app-error';

const COOKIE = 'portal_csrf';

/**
 * Double-submit CSRF protection for the portal's forms: a random value in an
 * HttpOnly cookie, and its HMAC in a hidden field. A forged cross-site form
 * cannot read the cookie, so cannot produce the field.
 */
export function csrfField(req: Request, res: Response, key: Buffer, secure: boolean): string {
  let value = parse(req.headers.cookie ?? '')[COOKIE];
  if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) {
    value = randomBytes(32).toString('base64url');
    res.append('Set-Cookie', serialize(COOKIE, value, { httpOnly: true, sameSite: 'strict', secure, path: '/portal' }));
  }
  return sign(key, value);
}

export function assertCsrf(req: Request, key: Buffer): void {
  const cookie = parse(req.headers.cookie ?? '')[COOKIE];
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
