/**
 * What every portal page needs: its dependencies, the session cookie, the
 * signed-in client, and the CSRF field and check bound to this deployment.
 */
import type { Client } from '@temporalio/client';
import type { Request, Response } from 'express';
import type { Db } from '../../db/client';
import type { Logger } from '../../observability/logger';
import type { PaymentProvider } from '../../payments/payment-provider';
import { currentUser, SESSION_ABSOLUTE_MS, signOut } from '../../use-cases/accounts/portal-sessions';
import { findOrganizationBySlug } from '../../use-cases/practice/find-organization';
import { readCookie, setCookie } from '../../http/cookies';
import { assertCsrf, csrfAfterSignIn, csrfAfterSignOut, csrfField } from '../csrf';
import { assertMayUse, permissionForPortalPath, portalAccessOf } from '../../use-cases/portal-access-policy';

export interface PortalDeps {
  db: Db;
  temporal: Client;
  logger: Logger;
  tokenSigningKey: Buffer;
  publicBaseUrl: string;
  taskQueue: string;
  /** The card processor, or null where this deployment takes no payments. */
  payments: PaymentProvider | null;
}

/** The portal's pages share one context: the deps and whether cookies are Secure. */
export interface PortalContext extends PortalDeps {
  secure: boolean;
  /** A CSRF token for a form on the page being rendered (sets its cookie if needed). */
  csrf(req: Request, res: Response): string;
  /** Throws a 403 unless the post carries this browser's CSRF token. */
  checkCsrf(req: Request): void;
}

export function portalContext(deps: PortalDeps): PortalContext {
  const secure = deps.publicBaseUrl.startsWith('https://');
  return {
    ...deps,
    secure,
    csrf: (req, res) => csrfField(req, res, deps.tokenSigningKey, secure),
    checkCsrf: (req) => assertCsrf(req, deps.tokenSigningKey, secure),
  };
}

/** The portal session token this browser presents (http/cookies.ts names it by scheme). */
export function portalSessionToken(deps: Pick<PortalContext, 'secure'>, req: Request): string | undefined {
  return readCookie(req, 'portal', 'session', deps.secure);
}

/**
 * The practice a portal page names, the user signed in to it and their access
 * to the client whose portal is open, or null after redirecting to its
 * sign-in page (no session, or one of another practice). Every portal page
 * comes through here, so this is where the user's permissions are enforced:
 * a page of an area they may not use is a 404 (use-cases/portal-access-policy.ts).
 */
export async function signedInClient(deps: Pick<PortalContext, 'db' | 'secure'>, req: Request, res: Response) {
  const { db } = deps;
  const org = await findOrganizationBySlug(db, String(req.params.orgSlug));
  const user = await currentUser(db, portalSessionToken(deps, req));
  if (!user || user.organizationId !== org.id) {
    res.redirect(303, `/portal/${org.slug}/login`);
    return null;
  }
  const access = await portalAccessOf(db, user);
  assertMayUse(access, permissionForPortalPath(req.path));
  const { timeZone } = await db.organization.findUniqueOrThrow({ where: { id: org.id }, select: { timeZone: true } });
  return { org: { ...org, timeZone }, user, access };
}

/**
 * Hands the browser a new session (sign-in, or registration, which signs in):
 * a new session id every time, so a planted cookie is never promoted (no
 * fixation), and the session of any old cookie ends here.
 */
export async function startSession(deps: PortalContext, req: Request, res: Response, token: string): Promise<void> {
  await signOut(deps.db, portalSessionToken(deps, req));
  setCookie(res, 'portal', 'session', token, deps.secure, { sameSite: 'lax', maxAge: SESSION_ABSOLUTE_MS / 1000 });
  csrfAfterSignIn(res, 'portal', deps.secure, token);
}

/** Ends this browser's portal session, here and in its cookie. */
export async function endSession(deps: PortalContext, req: Request, res: Response): Promise<void> {
  await signOut(deps.db, portalSessionToken(deps, req));
  setCookie(res, 'portal', 'session', '', deps.secure, { sameSite: 'lax', maxAge: 0 });
  csrfAfterSignOut(res, 'portal', deps.secure);
}
