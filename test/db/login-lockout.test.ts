/**
 * Sign-in strikes are taken atomically before the password check (issue 14,
 * item 3): ten wrong passwords sent at once cost ten strikes, not one, so the
 * fifth pauses the account and the other five are refused without a check.
 * Staff pauses start short and grow; a right password clears the strikes.
 */
import { signIn } from '../../use-cases/accounts/portal-sessions';
import { signInStaff } from '../../use-cases/accounts/staff-sessions';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import { CLIENT_PASSWORD, createPayingClient } from '../support/payments';
import { setStaffPassword, STAFF_PASSWORD } from '../support/staff-login';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let database: TestDatabase;
let org: TestOrganization;

beforeAll(async () => {
  database = await createTestDatabase();
  org = await createTestOrganization(database.db);
});

afterAll(async () => {
  await database?.drop();
});

async function reasons(action: string, actorId: string): Promise<string[]> {
  const rows = await database.db.auditEvent.findMany({ where: { action, actorId }, select: { detail: true } });
  return rows.map((row) => (row.detail as { reason: string }).reason).sort();
}

it('ten wrong client passwords at once: five strikes pause the account, five are refused unchecked', async () => {
  const { db } = database;
  const client = await createPayingClient(db, org);
  const accountId = client.holder.portalAccountId;
  await Promise.all(
    Array.from({ length: 10 }, () => signIn(db, org.organizationId, client.email, 'a wrong password guess')),
  );
  expect(await reasons('portal.sign_in', accountId)).toEqual([
    ...Array<string>(5).fill('locked'),
    'wrong-password',
    'wrong-password',
    'wrong-password',
    'wrong-password',
    'wrong-password-paused',
  ]);
  const account = await db.portalAccount.findUniqueOrThrow({ where: { id: accountId } });
  expect(account.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 14 * 60 * 1000);
  // Paused: the right password is refused too, until the pause ends.
  expect(await signIn(db, org.organizationId, client.email, CLIENT_PASSWORD)).toBeNull();
  await db.portalAccount.update({ where: { id: accountId }, data: { lockedUntil: new Date(0) } });
  expect(await signIn(db, org.organizationId, client.email, CLIENT_PASSWORD)).not.toBeNull();
});

it('staff pauses start at 30 seconds and double with each further wrong password, up to 15 minutes', async () => {
  const { db } = database;
  const email = await setStaffPassword(db, org.therapistId);
  const paused: string[] = [];
  const attempt = (password: string) =>
    signInStaff(db, org.organizationId, email, password, {}, { onPause: (id) => paused.push(id) });
  const pauseSeconds = async () => {
    const { lockedUntil } = await db.staffUser.findUniqueOrThrow({ where: { id: org.therapistId } });
    const seconds = lockedUntil ? Math.round((lockedUntil.getTime() - Date.now()) / 1000) : 0;
    await db.staffUser.update({ where: { id: org.therapistId }, data: { lockedUntil: new Date(0) } });
    return seconds;
  };

  for (let wrong = 1; wrong <= 4; wrong += 1) expect(await attempt('not the password')).toBeNull();
  expect(await pauseSeconds()).toBe(0);
  const seen: number[] = [];
  for (let wrong = 5; wrong <= 11; wrong += 1) {
    expect(await attempt('not the password')).toBeNull();
    seen.push(await pauseSeconds());
  }
  expect(seen.map((seconds) => Math.round(seconds / 5) * 5)).toEqual([30, 60, 120, 240, 480, 900, 900]);
  expect(paused).toHaveLength(7);

  expect(await attempt(STAFF_PASSWORD)).not.toBeNull();
  const after = await db.staffUser.findUniqueOrThrow({ where: { id: org.therapistId } });
  expect([after.failedLogins, after.lockedUntil]).toEqual([0, null]);
});
