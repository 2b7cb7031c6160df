/**
 * The trails the application cannot erase (issue 14, item 4): audit_event,
 * onboarding_event (anchors each e-signature's hash) and form_submission.
 * Their triggers refuse UPDATE, DELETE and TRUNCATE even to the owner; and
 * the service, a login member of portal_service and not the owner, has no
 * UPDATE, DELETE or TRUNCATE on them at all, and cannot switch a trigger off.
 *
 * On PostgreSQL the service's own connection (what the API and the worker
 * use) is tested. PGlite serves a single session as its owner, so there the
 * same privileges are tested through SET ROLE portal_service.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import { SERVICE_GROUP_ROLE } from '../../db/service-role';
import { createTestOrganization, newOnboarding } from '../support/factories';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let database: TestDatabase;
let onboardingId: string;
let submissionId: string;

const TRAILS = ['audit_event', 'onboarding_event', 'form_submission'] as const;

beforeAll(async () => {
  database = await createTestDatabase();
  const { ownerDb } = database;
  const org = await createTestOrganization(ownerDb);
  onboardingId = (await newOnboarding(ownerDb, org.organizationId)).input.onboardingId;
  await ownerDb.auditEvent.create({
    data: { organizationId: org.organizationId, actorType: 'system', action: 'test.seed', outcome: 'success' },
  });
  await ownerDb.onboardingEvent.create({ data: { onboardingId, key: 'test.seed', type: 'test.seed' } });
  // A signed form without the request and assignment it belongs to: replica mode skips the foreign keys.
  submissionId = randomUUID();
  await ownerDb.$transaction(async (tx) => {
    await tx.$executeRaw`SET LOCAL session_replication_role = replica`;
    await tx.$executeRaw`
      INSERT INTO form_submission (id, organization_id, assignment_id, onboarding_id, form_definition_id,
        portal_account_id, answers, signer_name, attestation, signed_at, definition_sha256, content_sha256)
      VALUES (${submissionId}::uuid, ${org.organizationId}::uuid, gen_random_uuid(), ${onboardingId}::uuid,
        gen_random_uuid(), gen_random_uuid(), '{}', 'Signer', 'I agree', now(), 'd', 'c')`;
  });
});

afterAll(async () => {
  await database?.drop();
});

/** Runs the statements with the service's privileges, in a transaction that is rolled back whatever happens. */
async function asService(...statements: string[]): Promise<void> {
  const run = async (db: Db, prefix: string[]) =>
    db.$transaction(async (tx) => {
      for (const sql of [...prefix, ...statements]) await tx.$executeRawUnsafe(sql);
      throw new RolledBack();
    });
  const attempt =
    database.kind === 'postgresql'
      ? run(database.db, [])
      : run(database.ownerDb, [`SET LOCAL ROLE ${SERVICE_GROUP_ROLE}`]);
  await attempt.catch((error: unknown) => {
    if (!(error instanceof RolledBack)) throw error;
  });
}

class RolledBack extends Error {}

async function rowsIn(table: (typeof TRAILS)[number]): Promise<number> {
  const [row] = await database.ownerDb.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${table}`);
  return Number(row!.n);
}

describe('as the owner, the triggers refuse', () => {
  it.each(TRAILS)('TRUNCATE of %s', async (table) => {
    await expect(database.ownerDb.$executeRawUnsafe(`TRUNCATE ${table} CASCADE`)).rejects.toThrow(
      new RegExp(`${table} is append-only \\(TRUNCATE refused\\)`),
    );
    expect(await rowsIn(table)).toBeGreaterThan(0);
  });

  it('UPDATE and DELETE of onboarding_event', async () => {
    const { ownerDb } = database;
    await expect(ownerDb.onboardingEvent.updateMany({ data: { type: 'form.signed' } })).rejects.toThrow(
      /onboarding_event is append-only \(UPDATE refused\)/,
    );
    await expect(ownerDb.onboardingEvent.deleteMany({ where: { onboardingId } })).rejects.toThrow(
      /onboarding_event is append-only \(DELETE refused\)/,
    );
    // Erasing the onboarding would take its timeline with it: refused too.
    await expect(ownerDb.onboarding.delete({ where: { id: onboardingId } })).rejects.toThrow(/append-only/);
    expect(await rowsIn('onboarding_event')).toBe(1);
  });

  it('DELETE of form_submission (UPDATE was refused already)', async () => {
    await expect(
      database.ownerDb.$executeRaw`DELETE FROM form_submission WHERE id = ${submissionId}::uuid`,
    ).rejects.toThrow(/form_submission rows are immutable/);
    await expect(
      database.ownerDb.$executeRaw`UPDATE form_submission SET signer_name = 'Else' WHERE id = ${submissionId}::uuid`,
    ).rejects.toThrow(/form_submission rows are immutable/);
    expect(await rowsIn('form_submission')).toBe(1);
  });
});

describe('the service role', () => {
  it('on PostgreSQL, is a login of its own: not a superuser, not the owner, a member of portal_service', async () => {
    if (database.kind !== 'postgresql') return;
    const [me] = await database.db.$queryRaw<{ user: string; superuser: boolean; member: boolean; owns: bigint }[]>`
      SELECT current_user AS user, r.rolsuper AS superuser,
             pg_has_role(current_user, ${SERVICE_GROUP_ROLE}, 'MEMBER') AS member,
             (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user) AS owns
      FROM pg_roles r WHERE r.rolname = current_user`;
    expect(me).toEqual({ user: 'portal_app_test', superuser: false, member: true, owns: 0n });
  });

  it.each(TRAILS)('may read and add to %s', async (table) => {
    await expect(asService(`SELECT * FROM ${table} LIMIT 1`)).resolves.toBeUndefined();
  });

  it('may add to audit_event and onboarding_event (the sequences too)', async () => {
    await expect(
      asService(
        `INSERT INTO audit_event (actor_type, action, outcome) VALUES ('system', 'test.insert', 'success')`,
        `INSERT INTO onboarding_event (onboarding_id, key, type) VALUES ('${onboardingId}', 'test.insert', 'test')`,
      ),
    ).resolves.toBeUndefined();
  });

  it.each(TRAILS.flatMap((table) => ['UPDATE', 'DELETE', 'TRUNCATE'].map((verb) => [verb, table])))(
    'may not %s %s',
    async (verb, table) => {
      const sql = {
        UPDATE: `UPDATE ${table} SET id = id`,
        DELETE: `DELETE FROM ${table}`,
        TRUNCATE: `TRUNCATE ${table}`,
      }[verb]!;
      await expect(asService(sql)).rejects.toThrow(new RegExp(`permission denied for table ${table}`));
      expect(await rowsIn(table as (typeof TRAILS)[number])).toBeGreaterThan(0);
    },
  );

  it.each(TRAILS)('may not switch off the triggers of %s', async (table) => {
    await expect(asService(`ALTER TABLE ${table} DISABLE TRIGGER ALL`)).rejects.toThrow(/must be owner of table/);
  });

  it('may not skip triggers in replica mode, create tables or read the migration history', async () => {
    await expect(asService('SET LOCAL session_replication_role = replica')).rejects.toThrow(/permission denied/);
    await expect(asService('CREATE TABLE scratch (id int)')).rejects.toThrow(/permission denied for schema public/);
    await expect(asService('SELECT * FROM "_prisma_migrations"')).rejects.toThrow(/permission denied/);
  });

  it('keeps ordinary work on the working tables', async () => {
    await expect(
      asService(
        `UPDATE onboarding SET updated_at = now() WHERE id = '${onboardingId}'`,
        'DELETE FROM rate_limit_bucket WHERE expires_at < now()',
      ),
    ).resolves.toBeUndefined();
  });
});
