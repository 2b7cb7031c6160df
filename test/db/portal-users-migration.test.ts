/**
 * Issue 15's migration: each client's one portal account from before becomes
 * the client's primary portal user with every permission, the person keeping
 * the account's id (so audit entries and signatures under it still name them),
 * and from then on the onboarding flow's writes to portal_account keep the
 * primary user in step (invitation, Change Ownership, revoke).
 */
import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS_DIR, migrate } from '../../db/migrate';
import { createTestOrganization } from '../support/factories';
import { createPayingClient } from '../support/payments';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const PORTAL_USERS_MIGRATION = '20261205163000_portal_users';
const EVERY_PERMISSION = ['BASIC', 'FORMS', 'BILLING', 'MESSAGES', 'APPOINTMENTS'];

let database: TestDatabase;

beforeAll(async () => {
  // Every migration but portal users': the factories write through today's
  // Prisma client, so later columns (none of which touch portal users) must
  // exist; the runner then applies the missing one as a deploy would.
  // Later migrations that build on portal users' tables wait with it.
  const before = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
  for (const name of await readdir(MIGRATIONS_DIR)) {
    if (name === PORTAL_USERS_MIGRATION) continue;
    const sql = await readFile(path.join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8').catch(() => '');
    if (name > PORTAL_USERS_MIGRATION && /"?(portal_user|client_portal_access)"?/.test(sql)) continue;
    await cp(path.join(MIGRATIONS_DIR, name), path.join(before, name), { recursive: true });
  }
  database = await createTestDatabase({ migrationsDir: before });
});

afterAll(async () => {
  await database?.drop();
});

test('today’s owners become primary users with every permission; later account writes follow', async () => {
  const { db } = database;
  const org = await createTestOrganization(db);
  const own = await createPayingClient(db, org);
  const child = await createPayingClient(db, org);
  await db.portalAccount.update({
    where: { id: child.holder.portalAccountId },
    data: { ownerKind: 'GUARDIAN', ownerName: 'Rowan Guardian', status: 'REVOKED' },
  });

  const result = await migrate(database.ownerUrl);
  expect(result.applied).toContain(PORTAL_USERS_MIGRATION);

  const people = await db.portalUser.findMany({
    where: { organizationId: org.organizationId },
    orderBy: { email: 'asc' },
    select: { id: true, email: true, name: true },
  });
  expect(people).toEqual(
    expect.arrayContaining([
      { id: own.holder.portalAccountId, email: own.email, name: null },
      { id: child.holder.portalAccountId, email: child.email, name: 'Rowan Guardian' },
    ]),
  );
  const accessOf = (portalAccountId: string) =>
    db.clientPortalAccess.findUniqueOrThrow({
      where: { portalAccountId },
      select: {
        clientId: true,
        portalUserId: true,
        relationship: true,
        isPrimary: true,
        permissions: true,
        status: true,
      },
    });
  expect(await accessOf(own.holder.portalAccountId)).toEqual({
    clientId: own.holder.clientId,
    portalUserId: own.holder.portalAccountId,
    relationship: 'CLIENT',
    isPrimary: true,
    permissions: EVERY_PERMISSION,
    status: 'ACTIVE',
  });
  expect(await accessOf(child.holder.portalAccountId)).toMatchObject({
    relationship: 'GUARDIAN',
    isPrimary: true,
    status: 'REVOKED',
  });

  // Staff narrowed the owner's permissions; a revocation keeps them, a new owner starts with all.
  await db.clientPortalAccess.update({
    where: { portalAccountId: own.holder.portalAccountId },
    data: { permissions: ['BASIC'] },
  });
  await db.portalAccount.update({ where: { id: own.holder.portalAccountId }, data: { status: 'REVOKED' } });
  expect(await accessOf(own.holder.portalAccountId)).toMatchObject({ permissions: ['BASIC'], status: 'REVOKED' });

  await db.portalAccount.update({
    where: { id: own.holder.portalAccountId },
    data: { email: 'new-owner@example.test', ownerKind: 'GUARDIAN', ownerName: 'Sam Parent', status: 'INVITED' },
  });
  const changed = await accessOf(own.holder.portalAccountId);
  expect(changed).toMatchObject({ relationship: 'GUARDIAN', permissions: EVERY_PERMISSION, status: 'INVITED' });
  expect(changed.portalUserId).not.toBe(own.holder.portalAccountId);
  expect(await db.portalUser.findUniqueOrThrow({ where: { id: changed.portalUserId } })).toMatchObject({
    email: 'new-owner@example.test',
    name: 'Sam Parent',
  });
  // One primary per client, still.
  expect(await db.clientPortalAccess.count({ where: { clientId: own.holder.clientId } })).toBe(1);

  // A client created after the migration gets its primary user at once.
  const later = await createPayingClient(db, org);
  expect(await accessOf(later.holder.portalAccountId)).toMatchObject({
    portalUserId: later.holder.portalAccountId,
    isPrimary: true,
    permissions: EVERY_PERMISSION,
  });
});
