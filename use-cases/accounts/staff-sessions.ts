/**
 * Staff sign-in to the dashboard: email and password (argon2id) within one
 * organisation, a session cookie rotated at every sign-in, the same idle and
 * absolute limits as the client portal, and a growing pause after five wrong
 * passwords (security/login-lockout.ts). Every failure looks the same and takes about as long.
 *
 * A staff member with a second factor, or one the practice requires it of,
 * gets no session from the password alone: the answer says which step is
 * owed (staff-second-factor.ts), and the strikes stand until it is done, so
 * the right password cannot buy fresh guesses at the code.
 */
import type { Db } from '../../db/client';
import { recordAudit, type AuditEntry, type AuditOutcome } from '../../audit/audit-log';
import { dummyPasswordHash, verifyPassword } from '../../security/passwords';
import { hashToken, randomToken } from '../../security/tokens';
import type { StaffPrincipal } from '../staff-principal';
import { strikeStaffAccount } from '../../security/login-lockout';
import type { PendingStep } from '../../security/pending-sign-in';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from './portal-sessions';
import { roleNeedsSecondFactor } from './second-factor-policy';

export interface StaffSessionUser extends StaffPrincipal {
  displayName: string;
  sessionId: string;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export type StaffSignIn =
  /** Signed in: the session token for the cookie. */
  | { kind: 'session'; token: string }
  /** The password was right; the second factor is owed: a code, or enrolment first. */
  | { kind: 'second-factor'; staffUserId: string; step: PendingStep };

/** @returns what the right password leads to, or null. */
export async function signInStaff(
  db: Db,
  organizationId: string,
  email: string,
  password: string,
  origin: AuditEntry['origin'] = {},
  /** `onPause`: wrong passwords just paused this account; the caller raises the alarm. */
  options: { onPause?: (staffUserId: string, pausedUntil: Date) => void } = {},
): Promise<StaffSignIn | null> {
  const staff = await db.staffUser.findUnique({
    where: { organizationId_email: { organizationId, email: email.trim().toLowerCase() } },
    select: {
      id: true,
      passwordHash: true,
      role: true,
      secondFactor: { select: { confirmedAt: true } },
      organization: { select: { requireSecondFactor: true } },
    },
  });
  const audit = (outcome: AuditOutcome, reason: string) =>
    recordAudit(db, {
      organizationId,
      actor: staff ? { type: 'staff', id: staff.id } : { type: 'anonymous' },
      action: 'staff.sign_in',
      outcome,
      origin,
      detail: { reason },
    });
  // The strike is taken before the password is checked, in the statement that also tests the pause.
  const strike = staff?.passwordHash ? await strikeStaffAccount(db, staff.id) : null;
  const checkable = strike?.outcome === 'counted';
  const valid = await verifyPassword(checkable ? staff!.passwordHash! : await dummyPasswordHash(), password);
  if (!staff?.passwordHash) {
    await audit('refused', staff ? 'no-password' : 'unknown-email');
    return null;
  }
  if (!checkable) {
    await audit('denied', 'locked');
    return null;
  }
  if (!valid) {
    await audit('refused', strike.paused ? 'wrong-password-paused' : 'wrong-password');
    if (strike.paused && strike.pausedUntil) options.onPause?.(staff.id, strike.pausedUntil);
    return null;
  }
  if (staff.secondFactor?.confirmedAt) {
    await audit('success', 'password-second-factor-owed');
    return { kind: 'second-factor', staffUserId: staff.id, step: 'code' };
  }
  if (staff.organization.requireSecondFactor && roleNeedsSecondFactor(staff.role)) {
    await audit('success', 'password-enrolment-owed');
    return { kind: 'second-factor', staffUserId: staff.id, step: 'enrol' };
  }
  await audit('success', 'password');
  return { kind: 'session', token: await openStaffSession(db, staff.id) };
}

/**
 * A new session for a staff member who has passed every step of sign-in;
 * their strikes are cleared. @returns the token for the cookie.
 */
export async function openStaffSession(db: Db, staffUserId: string): Promise<string> {
  const token = randomToken();
  await db.$transaction([
    db.staffUser.update({ where: { id: staffUserId }, data: { failedLogins: 0, lockedUntil: null } }),
    db.staffSession.create({
      data: {
        staffUserId,
        tokenHash: hashToken(token),
        expiresAt: new Date(Date.now() + SESSION_ABSOLUTE_MS),
      },
    }),
  ]);
  return token;
}

/** The staff member of a session cookie, or null when unknown, revoked, idle or expired. */
export async function currentStaff(db: Db, token: string | undefined): Promise<StaffSessionUser | null> {
  if (!token || !TOKEN.test(token)) return null;
  const session = await db.staffSession.findUnique({
    where: { tokenHash: hashToken(token) },
    include: {
      staffUser: { select: { id: true, organizationId: true, role: true, canInvite: true, displayName: true } },
    },
  });
  const now = Date.now();
  if (
    !session ||
    session.revokedAt ||
    session.expiresAt.getTime() <= now ||
    session.lastSeenAt.getTime() + SESSION_IDLE_MS <= now
  ) {
    return null;
  }
  await db.staffSession.update({ where: { id: session.id }, data: { lastSeenAt: new Date(now) } });
  const { staffUser } = session;
  return {
    staffUserId: staffUser.id,
    organizationId: staffUser.organizationId,
    role: staffUser.role,
    canInvite: staffUser.canInvite,
    displayName: staffUser.displayName,
    sessionId: session.id,
  };
}

export async function signOutStaff(db: Db, token: string | undefined): Promise<void> {
  if (!token || !TOKEN.test(token)) return;
  await db.staffSession.updateMany({
    where: { tokenHash: hashToken(token), revokedAt: null },
    data: { revokedAt: new Date() },
  });
}
