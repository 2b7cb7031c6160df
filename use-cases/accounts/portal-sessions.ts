import { recordAudit, type AuditEntry, type AuditOutcome } from '../../audit/audit-log';
import type { Db } from '../../db/client';
import { dummyPasswordHash, verifyPassword } from '../../security/passwords';
import { strikePortalAccount } from '../../security/login-lockout';
import { hashToken, randomToken } from '../../security/tokens';

/** Sessions end after 15 minutes without activity, and after 12 hours in any case. */
export const SESSION_IDLE_MS = 15 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;

export interface PortalUser {
  portalAccountId: string;
  organizationId: string;
  displayName: string;
  sessionId: string;
}

/**
 * Signs a portal user in with email and password, within one organisation
 * (the same email may belong to portals of two practices). Every failure looks
 * the same and takes about as long, whether the email exists or not.
 *
 * @returns the session token for the cookie, or null.
 */
export async function signIn(
  db: Db,
  organizationId: string,
  email: string,
  password: string,
  origin: AuditEntry['origin'] = {},
): Promise<string | null> {
  const account = await db.portalAccount.findUnique({
    where: { organizationId_email: { organizationId, email: email.trim().toLowerCase() } },
    select: { id: true, clientId: true, status: true, passwordHash: true },
  });
  const audit = (outcome: AuditOutcome, reason: string) =>
    recordAudit(db, {
      organizationId,
      actor: account ? { type: 'portal_user', id: account.id } : { type: 'anonymous' },
      action: 'portal.sign_in',
      clientId: account?.clientId ?? null,
      outcome,
      origin,
      detail: { reason },
    });
  const usable = account?.status === 'ACTIVE' && account.passwordHash !== null;
  // The strike is taken before the password is checked, in the statement that also tests the pause.
  const strike = account && usable ? await strikePortalAccount(db, account.id) : null;
  const checkable = strike?.outcome === 'counted';
  const valid = await verifyPassword(checkable ? account!.passwordHash! : await dummyPasswordHash(), password);
  if (!account || !usable) {
    await audit('refused', account ? 'account-not-active' : 'unknown-email');
    return null;
  }
  if (!checkable) {
    await audit('denied', 'locked');
    return null;
  }
  if (!valid) {
    await audit('refused', strike.paused ? 'wrong-password-paused' : 'wrong-password');
    return null;
  }
  await audit('success', 'password');
  return openSession(db, account.id);
}

/**
 * A client who has just registered is signed in at once: they proved who they
 * are (chart details) and chose the password a moment ago, so asking again
 * would only lose them. On the trail as a sign-in, with its reason.
 */
export async function signInAfterRegistration(
  db: Db,
  account: { portalAccountId: string; organizationId: string; clientId: string },
  origin: AuditEntry['origin'] = {},
): Promise<string> {
  await recordAudit(db, {
    organizationId: account.organizationId,
    actor: { type: 'portal_user', id: account.portalAccountId },
    action: 'portal.sign_in',
    clientId: account.clientId,
    outcome: 'success',
    origin,
    detail: { reason: 'registration' },
  });
  return openSession(db, account.portalAccountId);
}

/** A new session (a fresh random token, only its hash stored); clears the failed-sign-in count. */
async function openSession(db: Db, portalAccountId: string): Promise<string> {
  const token = randomToken();
  const now = Date.now();
  await db.$transaction([
    db.portalAccount.update({ where: { id: portalAccountId }, data: { failedLogins: 0, lockedUntil: null } }),
    db.portalSession.create({
      data: {
        portalAccountId,
        tokenHash: hashToken(token),
        expiresAt: new Date(now + SESSION_ABSOLUTE_MS),
      },
    }),
  ]);
  return token;
}

/** The signed-in user of a session cookie, or null when the session is unknown, revoked, idle or expired. */
export async function currentUser(db: Db, token: string | undefined): Promise<PortalUser | null> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const session = await db.portalSession.findUnique({
    where: { tokenHash: hashToken(token) },
    include: {
      portalAccount: {
        select: {
          id: true,
          status: true,
          organizationId: true,
          ownerName: true,
          client: { select: { firstName: true } },
        },
      },
    },
  });
  const now = Date.now();
  if (
    !session ||
    session.revokedAt ||
    session.expiresAt.getTime() <= now ||
    session.lastSeenAt.getTime() + SESSION_IDLE_MS <= now ||
    session.portalAccount.status !== 'ACTIVE'
  ) {
    return null;
  }
  await db.portalSession.update({ where: { id: session.id }, data: { lastSeenAt: new Date(now) } });
  return {
    portalAccountId: session.portalAccount.id,
    organizationId: session.portalAccount.organizationId,
    displayName: session.portalAccount.ownerName ?? session.portalAccount.client.firstName,
    sessionId: session.id,
  };
}

/** The address the client signs in with (the portal's login is the email the practice has on file). */
export async function loginEmail(db: Db, user: PortalUser): Promise<string> {
  const account = await db.portalAccount.findUniqueOrThrow({
    where: { id: user.portalAccountId },
    select: { email: true },
  });
  return account.email;
}

export async function signOut(db: Db, token: string | undefined): Promise<void> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return;
  await db.portalSession.updateMany({
    where: { tokenHash: hashToken(token), revokedAt: null },
    data: { revokedAt: new Date() },
  });
}
