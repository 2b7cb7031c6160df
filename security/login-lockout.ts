/**
 * The pause after repeated wrong passwords, shared by client and staff
 * sign-in: five wrong tries in a row stop sign-in to that account for 15
 * minutes, whoever is trying and from wherever.
 */

/** Wrong passwords before the account pauses sign-in for LOGIN_LOCK_MS. */
export const MAX_FAILED_LOGINS = 5;
export const LOGIN_LOCK_MS = 15 * 60 * 1000;

export function isLockedOut(lockedUntil: Date | null, now = Date.now()): boolean {
  return lockedUntil !== null && lockedUntil.getTime() > now;
}

/** The account's new counters after one more wrong password: counted, or locked and reset. */
export function afterWrongPassword(
  failedLogins: number,
  now = Date.now(),
): { failedLogins: number; lockedUntil?: Date } {
  const failed = failedLogins + 1;
  return failed >= MAX_FAILED_LOGINS
    ? { failedLogins: 0, lockedUntil: new Date(now + LOGIN_LOCK_MS) }
    : { failedLogins: failed };
}
