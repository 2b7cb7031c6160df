import { afterWrongPassword, isLockedOut, LOGIN_LOCK_MS, MAX_FAILED_LOGINS } from '../../security/login-lockout';

describe('sign-in lockout', () => {
  const now = Date.parse('2026-11-24T10:00:00Z');

  it('counts wrong passwords, then locks for 15 minutes and starts counting again', () => {
    let counters: { failedLogins: number; lockedUntil?: Date } = { failedLogins: 0 };
    for (let tries = 1; tries < MAX_FAILED_LOGINS; tries += 1) {
      counters = afterWrongPassword(counters.failedLogins, now);
      expect(counters).toEqual({ failedLogins: tries });
    }
    expect(afterWrongPassword(counters.failedLogins, now)).toEqual({
      failedLogins: 0,
      lockedUntil: new Date(now + LOGIN_LOCK_MS),
    });
  });

  it('is locked only until the lock runs out', () => {
    const lockedUntil = new Date(now + LOGIN_LOCK_MS);
    expect(isLockedOut(null, now)).toBe(false);
    expect(isLockedOut(lockedUntil, now)).toBe(true);
    expect(isLockedOut(lockedUntil, now + LOGIN_LOCK_MS)).toBe(false);
  });
});
