/**
 * schema.prisma and the SQL migrations are written separately (Prisma's
 * migrate engine cannot run everywhere, see README "Database"). This test
 * applies the migrations to an empty database and checks that they create
 * exactly what the schema describes: tables, columns, types, nullability,
 * defaults, enums, indexes and foreign keys. Either one changed alone fails it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object';
  type: string;
  isRequired: boolean;
  isList: boolean;
  isUpdatedAt: boolean;
  nativeType?: [string, string[]] | null;
  default?: { name: string } | unknown[] | string | number | boolean | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfEnum {
  name: string;
  dbName: string | null;
  values: { name: string; dbName: string | null }[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  fields: { name: string }[];
}

const dmmf = JSON.parse(
  get_dmmf(JSON.stringify({ prismaSchema: readFileSync(path.join(__dirname, '../../prisma/schema.prisma'), 'utf8') })),
) as { datamodel: { models: DmmfModel[]; enums: DmmfEnum[]; indexes: DmmfIndex[] } };
const { models, enums, indexes } = dmmf.datamodel;

const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
const columnOf = (field: DmmfField) => field.dbName ?? field.name;
const modelByName = new Map(models.map((model) => [model.name, model]));
const columnsOf = (model: DmmfModel, names: string[]) =>
  names.map((name) => columnOf(model.fields.find((field) => field.name === name)!));

/** What PostgreSQL reports in information_schema.columns.data_type for a Prisma field. */
function expectedDataType(field: DmmfField): string {
  if (field.isList) return 'ARRAY';
  if (field.kind === 'enum') return 'USER-DEFINED';
  const native = field.nativeType?.[0];
  if (native === 'Uuid') return 'uuid';
  if (native === 'Date') return 'date';
  switch (field.type) {
    case 'String':
      return 'text';
    case 'Int':
      return 'integer';
    case 'BigInt':
      return 'bigint';
    case 'Boolean':
      return 'boolean';
    case 'Json':
      return 'jsonb';
    case 'DateTime':
      return native === 'Timestamptz' ? 'timestamp with time zone' : 'timestamp without time zone';
    default:
      throw new Error(`schema-drift test does not know Prisma type ${field.type}; teach it`);
  }
}

/** uuid() and cuid() defaults are made by Prisma Client; now(), autoincrement() and literals by the database. */
function expectsDatabaseDefault(field: DmmfField): boolean {
  if (field.default === undefined || field.default === null) return false;
  if (Array.isArray(field.default)) return true;
  if (typeof field.default === 'object') return ['now', 'autoincrement', 'dbgenerated'].includes(field.default.name);
  return true;
}

const DELETE_RULE: Record<string, string> = {
  Cascade: 'CASCADE',
  SetNull: 'SET NULL',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetDefault: 'SET DEFAULT',
};

let database: TestDatabase;
let pg: Client;

beforeAll(async () => {
  database = await createTestDatabase();
  pg = new Client({ connectionString: database.ownerUrl });
  await pg.connect();
});

afterAll(async () => {
  await pg.end();
  await database.drop();
});

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await pg.query(sql, params)).rows as T[];
}

describe('the migrations back schema.prisma exactly', () => {
  it('create one table per model and no other', async () => {
    const tables = await rows<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
    );
    expect(tables.map((t) => t.table_name).sort()).toEqual(models.map(tableOf).sort());
  });

  it.each(models.map((model) => [model.name, model] as const))(
    'give %s every field as a column of the right type, nullability and default',
    async (_name, model) => {
      const columns = await rows<{
        column_name: string;
        data_type: string;
        udt_name: string;
        is_nullable: 'YES' | 'NO';
        column_default: string | null;
      }>(
        `SELECT column_name, data_type, udt_name, is_nullable, column_default
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [tableOf(model)],
      );
      const byName = new Map(columns.map((column) => [column.column_name, column]));
      const scalarFields = model.fields.filter((field) => field.kind !== 'object');

      expect([...byName.keys()].sort()).toEqual(scalarFields.map(columnOf).sort());
      for (const field of scalarFields) {
        const column = byName.get(columnOf(field))!;
        const described = { field: `${model.name}.${field.name}` };
        expect({ ...described, type: column.data_type }).toEqual({ ...described, type: expectedDataType(field) });
        if (field.kind === 'enum') {
          const enumDef = enums.find((e) => e.name === field.type)!;
          // PostgreSQL names an array type after its element with a leading underscore.
          const udt = `${field.isList ? '_' : ''}${enumDef.dbName ?? enumDef.name}`;
          expect({ ...described, udt: column.udt_name }).toEqual({ ...described, udt });
        }
        expect({ ...described, nullable: column.is_nullable === 'YES' }).toEqual({
          ...described,
          // Prisma maps scalar lists to nullable PostgreSQL arrays.
          nullable: !field.isRequired || field.isList,
        });
        expect({ ...described, hasDefault: column.column_default !== null }).toEqual({
          ...described,
          hasDefault: expectsDatabaseDefault(field),
        });
      }
    },
  );

  it('create every enum with the same values', async () => {
    const values = await rows<{ typname: string; labels: string[] }>(
      `SELECT t.typname::text AS typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    );
    expect(Object.fromEntries(values.map((v) => [v.typname, v.labels]))).toEqual(
      Object.fromEntries(enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)])),
    );
  });

  it('create every primary key, unique constraint and index, and no other', async () => {
    const actual = await rows<{ table_name: string; columns: string[]; is_unique: boolean; is_primary: boolean }>(
      `SELECT c.relname AS table_name, i.indisunique AS is_unique, i.indisprimary AS is_primary,
              array_agg(a.attname::text ORDER BY k.ord) AS columns
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
        WHERE c.relname <> '_prisma_migrations'
        GROUP BY c.relname, i.indexrelid, i.indisunique, i.indisprimary`,
    );
    const describe = (table: string, kind: string, columns: string[]) => `${table}:${kind}(${columns.join(',')})`;
    const expected = indexes.map((index) => {
      const model = modelByName.get(index.model)!;
      const kind = index.type === 'id' ? 'primary' : index.type === 'unique' ? 'unique' : 'index';
      return describe(
        tableOf(model),
        kind,
        columnsOf(
          model,
          index.fields.map((f) => f.name),
        ),
      );
    });
    const found = actual.map((index) =>
      describe(index.table_name, index.is_primary ? 'primary' : index.is_unique ? 'unique' : 'index', index.columns),
    );
    expect(found.sort()).toEqual(expected.sort());
  });

  it('create every foreign key with its delete rule', async () => {
    const actual = await rows<{ table_name: string; columns: string[]; foreign_table: string; delete_rule: string }>(
      `SELECT tc.table_name, rc.delete_rule,
              array_agg(DISTINCT kcu.column_name::text) AS columns,
              min(ccu.table_name) AS foreign_table
         FROM information_schema.table_constraints tc
         JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name
         JOIN information_schema.referential_constraints rc ON rc.constraint_name = tc.constraint_name
         JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name
        WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'
        GROUP BY tc.table_name, tc.constraint_name, rc.delete_rule`,
    );
    const expected = models.flatMap((model) =>
      model.fields
        .filter((field) => field.kind === 'object' && field.relationFromFields?.length)
        .map(
          (field) =>
            `${tableOf(model)}(${columnsOf(model, field.relationFromFields!).sort().join(',')}) -> ` +
            `${tableOf(modelByName.get(field.type)!)} ON DELETE ${DELETE_RULE[field.relationOnDelete ?? 'NoAction']}`,
        ),
    );
    const found = actual.map(
      (fk) =>
        `${fk.table_name}(${[...fk.columns].sort().join(',')}) -> ${fk.foreign_table} ON DELETE ${fk.delete_rule}`,
    );
    expect(found.sort()).toEqual(expected.sort());
  });
});
