import { createHmac, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie, setCookie, type CookieScope } from '../http/cookies';
import { safeEqual } from '../security/tokens';
import { AppError } from '../use-cases/app-error';

/** The portal and the staff dashboard each have their own session and nonce cookies (http/cookies.ts). */
export type CsrfScope = CookieScope;

const NONCE = /^[A-Za-z0-9_-]{43}$/;

/**
 * CSRF tokens bound to the session (OWASP's signed double-submit): the
 * hidden field of every form is an HMAC, under the server's key, of the
 * browser's session token when it is signed in, or else of a random
 * pre-session nonce in its own HttpOnly cookie. A forged cross-site form
 * cannot read either cookie, so cannot produce the field; a token copied
 * from another browser is bound to that browser's session and refused here;
 * and signing in gives a new session and a new nonce (csrfAfterSignIn), so a
 * token from before sign-in is refused after it.
 */
export function csrfField(
  req: Request,
  res: Response,
  key: Buffer,
  secure: boolean,
  scope: CsrfScope = 'portal',
): string {
  const session = sessionOf(req, res, scope, secure);
  if (session) return sign(key, scope, 'session', session);
  let nonce = nonceOf(req, res, scope, secure);
  if (!nonce) {
    nonce = newNonce(res, scope, secure);
  }
  return sign(key, scope, 'nonce', nonce);
}

export function assertCsrf(req: Request, key: Buffer, secure: boolean, scope: CsrfScope = 'portal'): void {
  const field = (req.body as Record<string, unknown> | undefined)?._csrf;
  const session = readCookie(req, scope, 'session', secure);
  const nonce = readCookie(req, scope, 'csrf', secure);
  const expected = session
    ? sign(key, scope, 'session', session)
    : nonce && NONCE.test(nonce)
      ? sign(key, scope, 'nonce', nonce)
      : null;
  if (!expected || typeof field !== 'string' || !safeEqual(expected, field)) {
    throw new AppError('FORBIDDEN', 'CSRF check failed', {
      publicMessage: 'Your form expired. Please go back, reload the page and try again.',
    });
  }
}

/**
 * Call where a response hands the browser a new session: forms rendered
 * later in this response are bound to it, and the pre-sign-in nonce is
 * replaced, so no token issued before sign-in works after it.
 */
export function csrfAfterSignIn(res: Response, scope: CsrfScope, secure: boolean, sessionToken: string): void {
  (res.locals as CsrfLocals).csrfSession = { ...(res.locals as CsrfLocals).csrfSession, [scope]: sessionToken };
  newNonce(res, scope, secure);
}

/** Call where a response ends the session: forms rendered later in it are bound to the new nonce. */
export function csrfAfterSignOut(res: Response, scope: CsrfScope, secure: boolean): void {
  (res.locals as CsrfLocals).csrfSession = { ...(res.locals as CsrfLocals).csrfSession, [scope]: null };
  newNonce(res, scope, secure);
}

interface CsrfLocals {
  /** Per scope: the session this response set (a token), ended (null), or left as the request had it (absent). */
  csrfSession?: Partial<Record<CsrfScope, string | null>>;
  csrfNonce?: Partial<Record<CsrfScope, string>>;
}

function sessionOf(req: Request, res: Response, scope: CsrfScope, secure: boolean): string | undefined {
  const set = (res.locals as CsrfLocals).csrfSession?.[scope];
  if (set !== undefined) return set ?? undefined;
  return readCookie(req, scope, 'session', secure);
}

function nonceOf(req: Request, res: Response, scope: CsrfScope, secure: boolean): string | undefined {
  const set = (res.locals as CsrfLocals).csrfNonce?.[scope];
  if (set) return set;
  const cookie = readCookie(req, scope, 'csrf', secure);
  return cookie && NONCE.test(cookie) ? cookie : undefined;
}

function newNonce(res: Response, scope: CsrfScope, secure: boolean): string {
  const nonce = randomBytes(32).toString('base64url');
  (res.locals as CsrfLocals).csrfNonce = { ...(res.locals as CsrfLocals).csrfNonce, [scope]: nonce };
  setCookie(res, scope, 'csrf', nonce, secure, { sameSite: 'strict' });
  return nonce;
}

function sign(key: Buffer, scope: CsrfScope, kind: 'session' | 'nonce', value: string): string {
  return createHmac('sha256', key).update(`csrf:${scope}:${kind}:${value}`).digest('base64url');
}
