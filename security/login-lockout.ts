/**
 * The pause after repeated wrong passwords, for client and staff sign-in.
 *
 * Every attempt takes a strike in one SQL statement *before* the slow
 * password check, and that same statement refuses when the account is
 * paused. Counting after the check (read, verify, write) let parallel wrong
 * guesses cost one strike between them; here each costs one, whatever the
 * concurrency, and the statement that takes the fifth strike sets the pause.
 * A right password then clears the strikes.
 *
 * - Clients: five strikes in a row pause sign-in to the account for 15 minutes.
 * - Staff: five strikes in a row pause it for 30 seconds, and each further
 *   wrong password doubles the pause, up to 15 minutes. A hard 15-minute lock
 *   let anyone who knew an admin's email keep them out; a short, growing pause
 *   still stops guessing (the per-account and per-address limits do the rest)
 *   while the real admin gets in soon after it stops. Each pause is a warning
 *   in the log and a `sign_in_paused_total` count to alert on.
 */
import type { Db } from '../db/client';

/** Wrong passwords in a row before the account pauses. */
export const MAX_FAILED_LOGINS = 5;
/** The client's pause, and the longest staff pause. */
export const LOGIN_LOCK_MS = 15 * 60 * 1000;
/** The first staff pause; each further wrong password doubles it. */
export const STAFF_FIRST_PAUSE_MS = 30 * 1000;

export type Strike =
  /**
   * Counted; go on and check the password. `paused`: this strike started a pause, which lasts until
   * `pausedUntil` (staff accounts: the admins' alert names each pause by it, so it is told once).
   */
  | { outcome: 'counted'; paused: boolean; pausedUntil?: Date }
  /** The account is paused: refuse without looking at the password. */
  | { outcome: 'paused' };

/** One strike against a client's portal account (portal_account), atomically. */
export async function strikePortalAccount(db: Db, accountId: string): Promise<Strike> {
  const rows = await db.$queryRaw<{ paused: boolean }[]>`
    UPDATE portal_account SET
      failed_logins = CASE WHEN failed_logins + 1 >= ${MAX_FAILED_LOGINS}::int THEN 0 ELSE failed_logins + 1 END,
      locked_until = CASE WHEN failed_logins + 1 >= ${MAX_FAILED_LOGINS}::int
        THEN now() + ${LOGIN_LOCK_MS}::int * interval '1 millisecond' ELSE locked_until END
    WHERE id = ${accountId}::uuid AND (locked_until IS NULL OR locked_until <= now())
    RETURNING locked_until IS NOT NULL AND locked_until > now() AS paused`;
  return rows[0] ? { outcome: 'counted', paused: rows[0].paused } : { outcome: 'paused' };
}

/** One strike against a staff member's account (staff_user), atomically; the pause grows with the strikes. */
export async function strikeStaffAccount(db: Db, staffUserId: string): Promise<Strike> {
  const rows = await db.$queryRaw<{ paused: boolean; locked_until: Date | null }[]>`
    UPDATE staff_user SET
      failed_logins = failed_logins + 1,
      locked_until = CASE WHEN failed_logins + 1 >= ${MAX_FAILED_LOGINS}::int
        THEN now() + LEAST(
          ${LOGIN_LOCK_MS}::float8,
          ${STAFF_FIRST_PAUSE_MS}::float8 * power(2, failed_logins + 1 - ${MAX_FAILED_LOGINS}::int)
        ) * interval '1 millisecond'
        ELSE locked_until END
    WHERE id = ${staffUserId}::uuid AND (locked_until IS NULL OR locked_until <= now())
    RETURNING locked_until IS NOT NULL AND locked_until > now() AS paused, locked_until`;
  const row = rows[0];
  if (!row) return { outcome: 'paused' };
  return row.paused && row.locked_until
    ? { outcome: 'counted', paused: true, pausedUntil: row.locked_until }
    : { outcome: 'counted', paused: row.paused };
}
