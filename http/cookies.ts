/**
 * The browser cookies of the portal and the staff dashboard, named and
 * scoped in one place. On https (PUBLIC_BASE_URL) each name carries the
 * `__Host-` prefix: the browser then accepts it only Secure, for Path=/ and
 * with no Domain, so neither a sibling subdomain nor a plain-http response
 * can plant or overwrite it (and a cookie under the plain name is never read
 * there). On http://localhost (npm start, tests) browsers refuse Secure
 * cookies, so the plain names are used, scoped to /portal or /staff.
 */
import { parse, serialize, type SerializeOptions } from 'cookie';
import type { Request, Response } from 'express';

export type CookieScope = 'portal' | 'staff';
/** `session`: who is signed in; `csrf`: the pre-sign-in nonce that CSRF tokens are bound to before a session exists. */
export type CookieKind = 'session' | 'csrf';

export function cookieName(scope: CookieScope, kind: CookieKind, secure: boolean): string {
  return `${secure ? '__Host-' : ''}${scope}_${kind}`;
}

export function readCookie(req: Request, scope: CookieScope, kind: CookieKind, secure: boolean): string | undefined {
  const value = parse(req.headers.cookie ?? '')[cookieName(scope, kind, secure)];
  return value === '' ? undefined : value;
}

/**
 * Sets (or, with `maxAge: 0`, clears) a cookie. HttpOnly always: no script
 * of ours reads them. `sameSite`: Lax for sessions (a link from an email
 * opens the portal signed in), Strict for the CSRF nonce.
 */
export function setCookie(
  res: Response,
  scope: CookieScope,
  kind: CookieKind,
  value: string,
  secure: boolean,
  options: { sameSite: 'lax' | 'strict'; maxAge?: number },
): void {
  const settings: SerializeOptions = {
    httpOnly: true,
    secure,
    sameSite: options.sameSite,
    path: secure ? '/' : `/${scope}`,
    ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
  };
  res.append('Set-Cookie', serialize(cookieName(scope, kind, secure), value, settings));
}
