import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from '../../db/migrate';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

async function recorded(url: string) {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    return (
      await pg.query<{
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        applied_steps_count: number;
      }>(
        'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
      )
    ).rows;
  } finally {
    await pg.end();
  }
}

describe('db:migrate', () => {
  it('records every migration as Prisma does, with the sha256 of its file', async () => {
    const files = await readMigrations();
    const rows = await recorded(database.ownerUrl);
    expect(rows.map((row) => row.migration_name)).toEqual(files.map((file) => file.name));
    expect(rows.map((row) => row.checksum)).toEqual(files.map((file) => file.checksum));
    expect(rows.every((row) => row.finished_at !== null && row.applied_steps_count === 1)).toBe(true);
  });

  it('applies nothing the second time', async () => {
    const result = await migrate(database.ownerUrl);
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied.length).toBeGreaterThan(0);
  });

  it('applies a new migration, and refuses one that was edited after being applied', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const extra = path.join(dir, '29991231000000_add_note');
    await cp(path.join(dir, (await readMigrations(dir))[0]!.name), extra, { recursive: true });
    await writeFile(path.join(extra, 'migration.sql'), 'CREATE TABLE "note" ("id" INTEGER PRIMARY KEY);\n');

    expect((await migrate(database.ownerUrl, dir)).applied).toEqual(['29991231000000_add_note']);

    await writeFile(path.join(extra, 'migration.sql'), 'CREATE TABLE "note" ("id" BIGINT PRIMARY KEY);\n');
    await expect(migrate(database.ownerUrl, dir)).rejects.toThrow(MigrationError);
    await expect(migrate(database.ownerUrl, dir)).rejects.toThrow(/29991231000000_add_note was changed/);
  });

  it('rolls back a failing migration entirely and names it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const broken = path.join(dir, '29991231000001_broken');
    await cp(path.join(dir, (await readMigrations(dir))[0]!.name), broken, { recursive: true });
    await writeFile(
      path.join(broken, 'migration.sql'),
      'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT * FROM "no_such_table";\n',
    );
    await expect(migrate(database.ownerUrl, dir)).rejects.toThrow(/29991231000001_broken failed/);

    const pg = new Client({ connectionString: database.ownerUrl });
    await pg.connect();
    const { rows } = await pg.query("SELECT to_regclass('public.half_done') AS t");
    await pg.end();
    expect(rows[0]).toEqual({ t: null });
    expect((await recorded(database.ownerUrl)).map((row) => row.migration_name)).not.toContain('29991231000001_broken');
  });
});
