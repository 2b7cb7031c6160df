/**
 * `npm run bench:dashboard`: how fast the staff dashboard answers with
 * 100,000 onboardings in the database (issue 6).
 *
 * Creates a throw-away database on the PostgreSQL server of
 * BENCH_DATABASE_URL, migrates it, seeds one practice with N onboardings
 * spread over two years (clients, assigned clinicians, timeline events, forms)
 * and a second, smaller practice so every query must filter by organisation,
 * then times the calls the dashboard makes, through the real functions
 * (`listDashboard`, `funnel`), and the whole server-rendered page over HTTP
 * (not with --no-http). The database is dropped at the end, also after a
 * failure or Ctrl-C.
 *
 *   BENCH_DATABASE_URL=postgresql://postgres:postgres@localhost:5432/postgres npm run -s bench:dashboard
 *   ... npm run -s bench:dashboard -- --n 20000 --runs 50
 *   ... npm run -s bench:dashboard -- --sql 'CREATE INDEX ... ON onboarding_event (...)'
 *
 * `--sql` runs extra statements after seeding, before VACUUM ANALYZE: a way to
 * measure a candidate index before writing its migration. `--keep` leaves the
 * database behind (its name is printed) for EXPLAIN ANALYZE by hand.
 *
 * The table goes to stderr. The result is the last line of stdout, one JSON
 * object: `npm run -s bench:dashboard | tail -n 1 >> bench-results.jsonl`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Client as TemporalClient } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { ZDashboardQuery, ZFunnelQuery } from '../schemas/dashboard';
import { startApiServer } from '../app/http-server';
import type { StaffPrincipal } from '../use-cases/staff-principal';
import { funnel, listDashboard } from '../use-cases/onboarding/dashboard';
import { createDb, type Db } from '../db/client';
import { migrate } from '../db/migrate';
import { createLogger } from '../observability/logger';
import { hashToken, randomToken } from '../security/tokens';
import { say, stopAll, UsageError, type Stage } from './bench-stack';
import { recordResult } from './results-log';

const DEFAULT_N = 100_000;
const DEFAULT_RUNS = 30;
const DEFAULT_WARMUP = 3;
/** The second practice: a tenth of the first, so it is in every index without dominating. */
const OTHER_ORG_SHARE = 0.1;
const DAY_MS = 24 * 60 * 60 * 1000;

interface BenchOptions {
  n: number;
  runs: number;
  warmup: number;
  http: boolean;
  keep: boolean;
  sql: string[];
}

interface Figures {
  p50: number;
  p95: number;
  max: number;
  /** Rows the call matched (a list's total, a funnel's cohort); the same every run. */
  matched: number;
}

interface TimedCase {
  name: string;
  label: string;
  run: () => Promise<number>;
}

let interrupted = false;

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  }
  return value;
}

function readOptions(): BenchOptions {
  let values: {
    n?: string;
    runs?: string;
    warmup?: string;
    'no-http'?: boolean;
    keep?: boolean;
    sql?: string[];
  };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        n: { type: 'string' },
        runs: { type: 'string' },
        warmup: { type: 'string' },
        'no-http': { type: 'boolean' },
        keep: { type: 'boolean' },
        sql: { type: 'string', multiple: true },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return {
    n: positiveInt('--n (BENCH_N)', values.n ?? process.env.BENCH_N, DEFAULT_N, 100),
    runs: positiveInt('--runs', values.runs, DEFAULT_RUNS),
    warmup: positiveInt('--warmup', values.warmup, DEFAULT_WARMUP, 0),
    http: !values['no-http'],
    keep: values.keep ?? false,
    sql: values.sql ?? [],
  };
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

function round(value: number): number {
  return Number(value.toFixed(1));
}

/** A fresh database per run: same rows every time, and nothing of another engineer's touched. */
async function provisionDatabase(
  adminUrl: string,
  stack: Stage[],
  keep: boolean,
): Promise<{ url: string; name: string }> {
  const name = `bench_dashboard_${randomBytes(6).toString('hex')}`;
  const admin = new PgClient({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  stack.push({
    name: `database ${name}`,
    stop: async () => {
      if (keep) {
        say(`  kept database ${name} (--keep); drop it with: DROP DATABASE "${name}" WITH (FORCE)`);
        return;
      }
      const dropper = new PgClient({ connectionString: adminUrl });
      await dropper.connect();
      try {
        // FORCE: a connection the pool failed to close must not leave the database behind.
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

/** Who the bench signs in as and filters by. */
interface Cast {
  org: { id: string; slug: string };
  otherOrg: { id: string; slug: string };
  admin: StaffPrincipal;
  ops: StaffPrincipal;
  /** Therapists of the main practice, busiest first (the seed skews caseloads towards the first). */
  therapists: StaffPrincipal[];
}

const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Daniel', 'Lisa', 'Matthew', 'Nancy', 'Anthony', 'Betty', 'Mark', 'Sandra', 'Sofia', 'Ashley',
  'Wei', 'Mei', 'Arjun', 'Priya', 'Omar', 'Fatima', 'Diego', 'Camila', 'Kwame', 'Aisha',
]; // prettier-ignore

/** Common US surnames, most frequent first; the seed draws them with a skew towards the head of the list. */
const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes',
  'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper',
  'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson',
  'Watson', 'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes',
  'Price', 'Alvarez', 'Castillo', 'Sanders', 'Patel', 'Myers', 'Long', 'Ross', 'Foster', 'Jimenez',
  'Okafor', 'Kowalczyk', 'Haddad', 'Lindqvist', 'Tanaka', 'Oyelaran', 'Abernathy', 'Quispe', 'Vasquez', 'Zielinski',
]; // prettier-ignore

/** A PostgreSQL array literal of simple words or uuids (no quoting needed: the values are ours). */
function pgArray(values: readonly string[]): string {
  for (const value of values) {
    if (!/^[A-Za-z0-9-]+$/.test(value)) throw new Error(`not a simple array element: ${value}`);
  }
  return `'{${values.join(',')}}'`;
}

/**
 * The rows, all in SQL (`INSERT … SELECT … FROM generate_series`), so 100,000
 * onboardings take seconds. Values are interpolated rather than bound:
 * CREATE TABLE AS takes no parameters, and every value here is a number or a
 * uuid generated above.
 *
 * The spread (of the main practice, roughly): created over the last two years,
 * more recently than not; 95 % asked for an invitation and 93 % got one; 60 %
 * registered (a few only after their first invitation expired and a second was
 * sent); 40 % signed every form; 15 % saw an invitation expire; statuses
 * follow from that (COMPLETE, FORMS_OUTSTANDING, EXPIRED, CANCELLED, …).
 * 92 % have an assigned clinician, with unequal caseloads.
 */
async function seed(pg: PgClient, n: number, cast: Cast, adminIds: string[], otherStaffIds: string[]): Promise<void> {
  const nMain = n;
  const nOther = Math.max(1, Math.round(n * OTHER_ORG_SHARE));
  const mainDefs = [randomUUID(), randomUUID(), randomUUID()];
  const otherDefs = [randomUUID(), randomUUID(), randomUUID()];
  const packages = { main: randomUUID(), other: randomUUID() };
  const [mainAdmin] = adminIds;
  const therapistIds = cast.therapists.map((staff) => staff.staffUserId);

  await pg.query(`
    INSERT INTO form_definition (id, organization_id, key, version, title, definition)
    SELECT def.id, def.org, def.key, 1, def.title, '{"sections":[]}'::jsonb
    FROM (VALUES
      ('${mainDefs[0]}'::uuid, '${cast.org.id}'::uuid, 'intake', 'Intake questionnaire'),
      ('${mainDefs[1]}'::uuid, '${cast.org.id}'::uuid, 'phq-9', 'PHQ-9'),
      ('${mainDefs[2]}'::uuid, '${cast.org.id}'::uuid, 'gad-7', 'GAD-7'),
      ('${otherDefs[0]}'::uuid, '${cast.otherOrg.id}'::uuid, 'intake', 'Intake questionnaire'),
      ('${otherDefs[1]}'::uuid, '${cast.otherOrg.id}'::uuid, 'phq-9', 'PHQ-9'),
      ('${otherDefs[2]}'::uuid, '${cast.otherOrg.id}'::uuid, 'gad-7', 'GAD-7')
    ) AS def (id, org, key, title);
    INSERT INTO form_package (id, organization_id, key, name, is_default) VALUES
      ('${packages.main}', '${cast.org.id}', 'new-client', 'New client', true),
      ('${packages.other}', '${cast.otherOrg.id}', 'new-client', 'New client', true);
    INSERT INTO form_package_item (package_id, form_definition_id, position) VALUES
      ('${packages.main}', '${mainDefs[0]}', 1), ('${packages.main}', '${mainDefs[1]}', 2),
      ('${packages.main}', '${mainDefs[2]}', 3), ('${packages.other}', '${otherDefs[0]}', 1),
      ('${packages.other}', '${otherDefs[1]}', 2), ('${packages.other}', '${otherDefs[2]}', 3);
  `);

  // The rows are consistent by construction: where allowed (superusers), skip
  // the per-row foreign-key triggers, which take half the seeding time.
  const skippedChecks = await pg.query('SET session_replication_role = replica').then(
    () => true,
    () => false,
  );
  // Deterministic draws: the same spread (not the same uuids) every run.
  await pg.query('SELECT setseed(0.4242)');
  await pg.query(`
    CREATE TEMP TABLE seed AS
    WITH base AS (
      SELECT
        i > ${nMain} AS other,
        CASE WHEN i > ${nMain} THEN i - ${nMain} ELSE i END AS j,
        gen_random_uuid() AS id,
        gen_random_uuid() AS client_id,
        gen_random_uuid() AS request_id,
        date_trunc('milliseconds', now() - interval '730 days' * power(random(), 1.25)) AS created_at,
        random() AS r_invite, random() AS r_reg, random() AS r_done, random() AS r_exp, random() AS r_end,
        random() AS r_staff, random() AS r_forms, random() AS r_t1, random() AS r_t2, random() AS r_t3,
        random() AS r_first, random() AS r_last
      FROM generate_series(1, ${nMain + nOther}) AS i
    ),
    times AS (
      SELECT base.*,
        r_invite < 0.95 AS invite_requested,
        r_invite < 0.93 AS invited,
        r_invite < 0.93 AND r_reg < 0.645 AS will_register,
        r_invite < 0.93 AND r_reg < 0.645 AND r_exp < 0.08 AS late,
        created_at + interval '1 minute' * (1 + 30 * r_t1) AS invited_at
      FROM base
    ),
    milestones AS (
      SELECT times.*,
        invited_at + interval '7 days' AS expired_at,
        invited_at + CASE WHEN late THEN interval '7 days 2 hours' ELSE interval '0' END
          + interval '1 hour' * (0.2 + 120 * power(r_t2, 2)) AS registered_at
      FROM times
    ),
    flags AS (
      SELECT milestones.*,
        will_register AND registered_at <= now() AS registered,
        registered_at + interval '1 hour' * (0.1 + 240 * power(r_t3, 2)) AS completed_at,
        invited AND expired_at <= now() AND ((NOT will_register AND r_exp < 0.36) OR late) AS expired
      FROM milestones
    ),
    outcome AS (
      SELECT flags.*,
        registered AND r_done < 0.667 AND completed_at <= now() AS completed,
        CASE WHEN other THEN ${pgArray(otherStaffIds)}::uuid[] ELSE ${pgArray(therapistIds)}::uuid[] END AS caseload
      FROM flags
    )
    SELECT outcome.*,
      invited AND (registered OR r_forms < 0.7) AS has_forms,
      CASE
        WHEN completed THEN 3
        WHEN registered AND (registered OR r_forms < 0.7) THEN floor(r_forms * 3)::int
        ELSE 0
      END AS submitted,
      CASE
        WHEN r_staff < 0.08 THEN NULL
        WHEN r_staff < 0.12 AND NOT other THEN '${mainAdmin}'::uuid
        ELSE caseload[1 + floor(cardinality(caseload) * power(greatest(r_staff - 0.12, 0) / 0.88, 1.4))::int]
      END AS assigned_staff_id,
      CASE
        WHEN NOT invited THEN CASE WHEN invite_requested THEN 'FAILED' ELSE 'CHART_CREATED' END
        WHEN completed THEN 'COMPLETE'
        WHEN registered THEN CASE WHEN r_end < 0.8 THEN 'FORMS_OUTSTANDING' ELSE 'REGISTERED' END
        WHEN expired THEN CASE WHEN r_end < 0.7 THEN 'EXPIRED' WHEN r_end < 0.95 THEN 'CANCELLED' ELSE 'REVOKED' END
        WHEN expired_at > now() THEN 'INVITED'
        ELSE 'CANCELLED'
      END::onboarding_status AS status,
      least(now(), CASE WHEN expired THEN expired_at ELSE invited_at END + interval '1 day' * (1 + 9 * r_t3))
        AS cancelled_at
    FROM outcome
  `);

  await pg.query(`
    INSERT INTO client (id, organization_id, external_chart_id, first_name, last_name, date_of_birth, email, phone, created_at)
    SELECT client_id,
      CASE WHEN other THEN '${cast.otherOrg.id}'::uuid ELSE '${cast.org.id}'::uuid END,
      'CH-' || lpad(j::text, 7, '0'),
      (${pgArray(FIRST_NAMES)}::text[])[1 + floor(r_first * ${FIRST_NAMES.length})::int],
      (${pgArray(LAST_NAMES)}::text[])[1 + floor(${LAST_NAMES.length} * power(r_last, 1.6))::int],
      date '1950-01-01' + floor(r_first * 365 * 60)::int,
      'client' || j || '@example.test',
      '+1555' || lpad(j::text, 7, '0'),
      created_at + interval '20 seconds'
    FROM seed ORDER BY created_at
  `);

  await pg.query(`
    INSERT INTO onboarding (id, organization_id, external_chart_id, workflow_id, client_id, form_package_id,
      invite_requested, status, created_at, updated_at, chart_created_at, assigned_staff_id)
    SELECT id,
      CASE WHEN other THEN '${cast.otherOrg.id}'::uuid ELSE '${cast.org.id}'::uuid END,
      'CH-' || lpad(j::text, 7, '0'),
      'client-onboarding-' || id,
      client_id,
      CASE WHEN other THEN '${packages.other}'::uuid ELSE '${packages.main}'::uuid END,
      invite_requested,
      status,
      created_at,
      least(now(), greatest(
        created_at + interval '20 seconds',
        CASE WHEN invited THEN invited_at END,
        CASE WHEN registered THEN registered_at END,
        CASE WHEN completed THEN completed_at END,
        CASE WHEN expired THEN expired_at END,
        CASE WHEN status IN ('CANCELLED', 'REVOKED') THEN cancelled_at END
      )),
      created_at + interval '20 seconds',
      assigned_staff_id
    FROM seed ORDER BY created_at
  `);

  await pg.query(`
    INSERT INTO form_request (id, organization_id, onboarding_id, package_id, workflow_id, status, created_at, completed_at)
    SELECT request_id,
      CASE WHEN other THEN '${cast.otherOrg.id}'::uuid ELSE '${cast.org.id}'::uuid END,
      id,
      CASE WHEN other THEN '${packages.other}'::uuid ELSE '${packages.main}'::uuid END,
      'form-request-' || request_id,
      (CASE WHEN completed THEN 'COMPLETED' WHEN status = 'CANCELLED' THEN 'CANCELLED' ELSE 'OPEN' END)::form_request_status,
      created_at + interval '25 seconds',
      CASE WHEN completed THEN completed_at END
    FROM seed WHERE has_forms ORDER BY created_at
  `);

  await pg.query(`
    INSERT INTO form_assignment (id, organization_id, request_id, onboarding_id, form_definition_id, position,
      status, submitted_at, created_at, updated_at)
    SELECT gen_random_uuid(),
      CASE WHEN other THEN '${cast.otherOrg.id}'::uuid ELSE '${cast.org.id}'::uuid END,
      request_id, id,
      CASE WHEN other THEN (${pgArray(otherDefs)}::uuid[])[p] ELSE (${pgArray(mainDefs)}::uuid[])[p] END,
      p,
      (CASE
        WHEN p <= submitted THEN 'SUBMITTED'
        WHEN status = 'CANCELLED' THEN 'CANCELLED'
        WHEN p = submitted + 1 AND registered AND r_t3 < 0.3 THEN 'IN_PROGRESS'
        ELSE 'PENDING'
      END)::form_assignment_status,
      CASE WHEN p <= submitted THEN signed_at END,
      created_at + interval '25 seconds',
      coalesce(CASE WHEN p <= submitted THEN signed_at END, created_at + interval '25 seconds')
    FROM seed
    CROSS JOIN generate_series(1, 3) AS p
    CROSS JOIN LATERAL (
      SELECT least(now(), CASE
        WHEN completed THEN registered_at + (completed_at - registered_at) * p / 3
        ELSE registered_at + interval '2 hours' * p
      END) AS signed_at
    ) AS signing
    WHERE has_forms
    ORDER BY created_at, p
  `);

  // The timeline, inserted in the order it happened, as the workflows would have.
  await pg.query(`
    INSERT INTO onboarding_event (onboarding_id, key, type, detail, occurred_at)
    SELECT onboarding_id, key, type, detail::jsonb, occurred_at FROM (
      SELECT id AS onboarding_id, 'chart-created' AS key, 'chart.created' AS type,
        '{}' AS detail, created_at + interval '20 seconds' AS occurred_at
      FROM seed
      UNION ALL
      SELECT id, 'forms-assigned:' || request_id, 'forms.assigned', '{"forms":3}', created_at + interval '25 seconds'
      FROM seed WHERE has_forms
      UNION ALL
      SELECT id, 'invitation-sent:1', 'invitation.sent', '{"sequence":1,"reason":"initial"}', invited_at
      FROM seed WHERE invited
      UNION ALL
      SELECT id, 'invitation-reminder:1:' || day, 'invitation.reminder_sent', '{"sequence":1}',
        invited_at + interval '1 day' * day
      FROM seed CROSS JOIN (VALUES (3), (6)) AS reminder (day)
      WHERE invited AND invited_at + interval '1 day' * day <= now()
        AND NOT (registered AND registered_at < invited_at + interval '1 day' * day)
      UNION ALL
      SELECT id, 'invitation-expired:1', 'invitation.expired', '{"sequence":1}', expired_at
      FROM seed WHERE expired
      UNION ALL
      SELECT id, 'invitation-sent:2', 'invitation.sent', '{"sequence":2,"reason":"resend"}',
        expired_at + interval '1 hour'
      FROM seed WHERE late AND expired_at + interval '1 hour' <= now()
      UNION ALL
      SELECT id, 'portal-registered', 'portal.registered', '{}', registered_at
      FROM seed WHERE registered
      UNION ALL
      SELECT id, 'form-signed:' || p, 'form.signed', '{}',
        least(now(), CASE
          WHEN completed THEN registered_at + (completed_at - registered_at) * p / 3
          ELSE registered_at + interval '2 hours' * p
        END)
      FROM seed CROSS JOIN generate_series(1, 3) AS p WHERE p <= submitted
      UNION ALL
      SELECT id, 'forms-completed:' || request_id, 'forms.completed', '{}', completed_at
      FROM seed WHERE completed
      UNION ALL
      SELECT id, 'onboarding-cancelled', 'onboarding.cancelled', '{}', cancelled_at
      FROM seed WHERE status = 'CANCELLED'
      UNION ALL
      SELECT id, 'portal-access-revoked', 'portal.access_revoked', '{}', cancelled_at
      FROM seed WHERE status = 'REVOKED'
      UNION ALL
      SELECT id, 'onboarding-failed', 'onboarding.failed', '{}', created_at + interval '1 minute'
      FROM seed WHERE status = 'FAILED'
    ) AS timeline
    ORDER BY occurred_at
  `);
  await pg.query('DROP TABLE seed');
  if (skippedChecks) await pg.query('RESET session_replication_role');
}

async function createCast(pg: PgClient): Promise<{ cast: Cast; adminIds: string[]; otherStaffIds: string[] }> {
  const org = { id: randomUUID(), slug: 'bench-main' };
  const otherOrg = { id: randomUUID(), slug: 'bench-other' };
  const principal = (organizationId: string, role: StaffPrincipal['role'], canInvite: boolean): StaffPrincipal => ({
    staffUserId: randomUUID(),
    organizationId,
    role,
    canInvite,
  });
  const admins = [principal(org.id, 'ADMIN', true), principal(org.id, 'ADMIN', true)];
  const therapists = Array.from({ length: 7 }, (_, i) => principal(org.id, 'THERAPIST', i % 2 === 0));
  const ops = principal(org.id, 'OPS', false);
  const other = [
    principal(otherOrg.id, 'ADMIN', true),
    principal(otherOrg.id, 'THERAPIST', true),
    principal(otherOrg.id, 'THERAPIST', false),
  ];
  await pg.query(`
    INSERT INTO organization (id, slug, name) VALUES
      ('${org.id}', '${org.slug}', 'Bench Behavioral Health'),
      ('${otherOrg.id}', '${otherOrg.slug}', 'Other Practice')
  `);
  const staff = [...admins, ...therapists, ops, ...other];
  const names = ['Avery', 'Blake', 'Casey', 'Devon', 'Emerson', 'Finley', 'Gray', 'Harper', 'Indigo', 'Jules'];
  await pg.query(
    `INSERT INTO staff_user (id, organization_id, email, display_name, role, can_invite)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::staff_role[], $6::boolean[])`,
    [
      staff.map((member) => member.staffUserId),
      staff.map((member) => member.organizationId),
      staff.map((_, i) => `staff${i}@bench.example.test`),
      staff.map((member, i) => `${names[i % names.length]} ${member.role === 'THERAPIST' ? 'LCSW' : 'Staff'} ${i}`),
      staff.map((member) => member.role),
      staff.map((member) => member.canInvite),
    ],
  );
  return {
    cast: { org, otherOrg, admin: admins[0]!, ops, therapists },
    adminIds: admins.map((admin) => admin.staffUserId),
    otherStaffIds: other.map((member) => member.staffUserId),
  };
}

async function timeCase(testCase: TimedCase, options: BenchOptions): Promise<Figures> {
  let matched = 0;
  for (let i = 0; i < options.warmup; i++) matched = await testCase.run();
  const samples: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    if (interrupted) throw new Error('Interrupted');
    const started = performance.now();
    matched = await testCase.run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return {
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    max: round(percentile(samples, 100)),
    matched,
  };
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function dashboardCases(db: Db, cast: Cast, searchPrefix: string, chartId: string): TimedCase[] {
  const today = new Date();
  const daysAgo = (days: number) => isoDay(new Date(today.getTime() - days * DAY_MS));
  const busiest = cast.therapists[0]!;
  const list = (staff: StaffPrincipal, raw: Record<string, unknown>) => async () => {
    const page = await listDashboard(db, staff, ZDashboardQuery.parse(raw));
    return page.total;
  };
  const figures = (staff: StaffPrincipal, raw: Record<string, unknown>) => async () => {
    const result = await funnel(db, staff, ZFunnelQuery.parse(raw));
    return result.created;
  };
  return [
    { name: 'listDefault', label: 'list: first page (admin)', run: list(cast.admin, {}) },
    { name: 'listPage1000', label: 'list: page 1000', run: list(cast.admin, { page: '1000' }) },
    { name: 'listStatusExpired', label: 'list: status EXPIRED', run: list(cast.admin, { status: 'EXPIRED' }) },
    {
      name: 'listClinician',
      label: 'list: clinician filter',
      run: list(cast.admin, { clinician: busiest.staffUserId }),
    },
    { name: 'listTherapist', label: 'list: therapist view', run: list(busiest, {}) },
    {
      name: 'listSearchLastName',
      label: `list: search "${searchPrefix}"`,
      run: list(cast.admin, { q: searchPrefix }),
    },
    {
      name: 'listSearchNoMatch',
      label: 'list: search "zzq" (no match)',
      run: list(cast.admin, { q: 'zzq' }),
    },
    { name: 'listSearchOneLetter', label: 'list: search "s"', run: list(cast.admin, { q: 's' }) },
    { name: 'listSearchChartId', label: `list: search ${chartId}`, run: list(cast.admin, { q: chartId }) },
    { name: 'listSearchChartIdOps', label: `list: search ${chartId} (ops)`, run: list(cast.ops, { q: chartId }) },
    {
      name: 'listDateRange',
      label: 'list: created 180–150 days ago',
      run: list(cast.admin, { from: daysAgo(180), to: daysAgo(150) }),
    },
    {
      name: 'listSortUpdated',
      label: 'list: sort updated-desc',
      run: list(cast.admin, { sort: 'updated', dir: 'desc' }),
    },
    // The column headers' sorts on joined columns: the client's name, the clinician's.
    { name: 'listSortClient', label: 'list: sort client A to Z', run: list(cast.admin, { sort: 'client' }) },
    {
      name: 'listSortClinician',
      label: 'list: sort clinician A to Z',
      run: list(cast.admin, { sort: 'clinician' }),
    },
    { name: 'funnel30Days', label: 'funnel: last 30 days', run: figures(cast.admin, {}) },
    { name: 'funnel30DaysTherapist', label: 'funnel: 30 days (therapist)', run: figures(busiest, {}) },
    {
      name: 'funnelYear',
      label: 'funnel: last 365 days',
      run: figures(cast.admin, { from: daysAgo(364), to: daysAgo(0) }),
    },
  ];
}

/** The whole page (session check, list, funnel, clinicians, audit entry, HTML) over HTTP. */
async function httpCases(db: Db, pg: PgClient, cast: Cast, stack: Stage[]): Promise<TimedCase[]> {
  const token = randomToken();
  await pg.query(
    `INSERT INTO staff_session (id, staff_user_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')`,
    [randomUUID(), cast.admin.staffUserId, hashToken(token)],
  );
  const api = await startApiServer(
    {
      db,
      // The dashboard page never calls Temporal (only its actions and /health/ready do).
      temporal: {} as TemporalClient,
      taskQueue: 'bench',
      logger: createLogger({ level: 'silent', name: 'bench' }),
      tokenSigningKey: randomBytes(32),
      publicBaseUrl: 'http://127.0.0.1',
    },
    { host: '127.0.0.1', port: 0 },
  );
  stack.push({ name: 'API', stop: () => api.close() });
  const get = (path: string) => async () => {
    const response = await fetch(`${api.url}${path}`, {
      headers: { cookie: `staff_session=${token}` },
      redirect: 'manual',
    });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status} ${body.slice(0, 200)}`);
    const shown = /<p role="status">(\d+) onboardings?<\/p>/.exec(body);
    return Number(shown?.[1] ?? 0);
  };
  return [
    { name: 'httpDashboard', label: 'HTTP: GET /staff/:org (admin)', run: get(`/staff/${cast.org.slug}`) },
    {
      name: 'httpDashboardFiltered',
      label: 'HTTP: … ?status=EXPIRED&page=20',
      run: get(`/staff/${cast.org.slug}?status=EXPIRED&page=20`),
    },
  ];
}

async function countRows(pg: PgClient, cast: Cast): Promise<Record<string, number>> {
  const { rows } = await pg.query<Record<string, string>>(`
    SELECT
      (SELECT count(*) FROM organization) AS organizations,
      (SELECT count(*) FROM staff_user) AS staff,
      (SELECT count(*) FROM onboarding WHERE organization_id = '${cast.org.id}') AS onboardings,
      (SELECT count(*) FROM onboarding WHERE organization_id <> '${cast.org.id}') AS "onboardingsOtherOrg",
      (SELECT count(*) FROM client) AS clients,
      (SELECT count(*) FROM onboarding_event) AS events,
      (SELECT count(*) FROM form_request) AS "formRequests",
      (SELECT count(*) FROM form_assignment) AS "formAssignments"
  `);
  return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([key, value]) => [key, Number(value)]));
}

/** What share of the main practice's onboardings reached each milestone: a check on the seed's realism. */
async function spread(pg: PgClient, cast: Cast): Promise<Record<string, number>> {
  const { rows } = await pg.query<{ type: string; share: string }>(
    `SELECT e.type, round(count(DISTINCT e.onboarding_id)::numeric * 100 / (
        SELECT count(*) FROM onboarding WHERE organization_id = $1), 1) AS share
     FROM onboarding_event e JOIN onboarding o ON o.id = e.onboarding_id
     WHERE o.organization_id = $1
       AND e.type IN ('invitation.sent', 'portal.registered', 'forms.completed', 'invitation.expired')
     GROUP BY e.type ORDER BY e.type`,
    [cast.org.id],
  );
  return Object.fromEntries(rows.map((row) => [row.type, Number(row.share)]));
}

function printTable(results: { label: string; figures: Figures }[]): void {
  const width = Math.max(...results.map((result) => result.label.length));
  const cell = (value: number | string, size: number) => String(value).padStart(size);
  say('');
  say(
    `${'call'.padEnd(width)}  ${cell('matched', 8)}  ${cell('p50 ms', 8)}  ${cell('p95 ms', 8)}  ${cell('max ms', 8)}`,
  );
  say('-'.repeat(width + 40));
  for (const { label, figures } of results) {
    say(
      `${label.padEnd(width)}  ${cell(figures.matched, 8)}  ${cell(figures.p50.toFixed(1), 8)}  ` +
        `${cell(figures.p95.toFixed(1), 8)}  ${cell(figures.max.toFixed(1), 8)}`,
    );
  }
  say('');
}

async function main(): Promise<number> {
  const options = readOptions();
  const adminUrl = process.env.BENCH_DATABASE_URL;
  if (!adminUrl) {
    throw new UsageError(
      'BENCH_DATABASE_URL is required: a PostgreSQL server on which the bench may create and drop a database, e.g.\n' +
        '  BENCH_DATABASE_URL=postgresql://postgres:postgres@localhost:5432/postgres npm run -s bench:dashboard\n' +
        'The embedded PGlite is not used here: single-session WebAssembly PostgreSQL says nothing about how the\n' +
        'dashboard queries behave at 100,000 rows on a real server.',
    );
  }

  const stack: Stage[] = [];
  let stopping: Promise<boolean> | undefined;
  const cleanup = () => (stopping ??= stopAll(stack));
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    say(`${signal}: stopping ...`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const database = await provisionDatabase(adminUrl, stack, options.keep);
    say(`Database ${database.name}: migrating ...`);
    await migrate(database.url);

    const pg = new PgClient({ connectionString: database.url });
    await pg.connect();
    stack.push({ name: 'seed connection', stop: () => pg.end() });
    const { rows: versionRows } = await pg.query<{ server_version: string }>('SHOW server_version');

    say(`Seeding ${options.n} onboardings (+ ${Math.round(options.n * OTHER_ORG_SHARE)} in a second practice) ...`);
    const seedStarted = performance.now();
    const { cast, adminIds, otherStaffIds } = await createCast(pg);
    await seed(pg, options.n, cast, adminIds, otherStaffIds);
    const seedMs = Math.round(performance.now() - seedStarted);
    for (const statement of options.sql) {
      say(`  --sql ${statement}`);
      await pg.query(statement);
    }
    // VACUUM as well as ANALYZE: autovacuum would long have set the visibility
    // map of a live database, which index-only scans (the counts) rely on.
    const analyzeStarted = performance.now();
    await pg.query('VACUUM (ANALYZE)');
    const analyzeMs = Math.round(performance.now() - analyzeStarted);
    const rows = await countRows(pg, cast);
    const mix = await spread(pg, cast);
    say(
      `  seeded in ${(seedMs / 1000).toFixed(1)} s, VACUUM ANALYZE ${(analyzeMs / 1000).toFixed(1)} s: ` +
        Object.entries(rows)
          .map(([key, value]) => `${key} ${value}`)
          .join(', '),
    );
    say(
      `  main practice: ${Object.entries(mix)
        .map(([type, share]) => `${type} ${share} %`)
        .join(', ')}`,
    );

    const db = createDb(database.url, { poolMax: 10 });
    stack.push({ name: 'database pool', stop: () => db.$disconnect() });

    // A prefix staff would type, and a chart id from the middle of the list (present in both practices).
    const searchPrefix = 'ngu';
    const chartId = `CH-${String(Math.ceil(options.n / 2)).padStart(7, '0')}`;
    const cases = dashboardCases(db, cast, searchPrefix, chartId);
    if (options.http) cases.push(...(await httpCases(db, pg, cast, stack)));

    say(`Timing ${cases.length} calls, ${options.runs} runs each after ${options.warmup} warm-up ...`);
    const results: { name: string; label: string; figures: Figures }[] = [];
    for (const testCase of cases) {
      const figures = await timeCase(testCase, options);
      results.push({ name: testCase.name, label: testCase.label, figures });
      say(`  ${testCase.label}: p50 ${figures.p50} ms, p95 ${figures.p95} ms`);
    }
    printTable(results);
    const slow = results.filter((result) => result.figures.p95 > 100);
    if (slow.length) say(`p95 above 100 ms: ${slow.map((result) => result.name).join(', ')}`);

    const output = recordResult({
      bench: 'dashboard',
      n: options.n,
      database: 'postgresql',
      postgres: versionRows[0]?.server_version ?? null,
      runs: options.runs,
      warmup: options.warmup,
      extraSql: options.sql,
      seedMs,
      analyzeMs,
      rows,
      spreadPercent: mix,
      timingsMs: Object.fromEntries(results.map((result) => [result.name, result.figures])),
      node: process.version,
    });

    say('Stopping ...');
    const clean = await cleanup();
    process.stdout.write(`${JSON.stringify(output)}\n`);
    return clean ? 0 : 1;
  } catch (error) {
    if (!interrupted) {
      say(error instanceof Error ? (error.stack ?? error.message) : String(error));
      say('Stopping ...');
    }
    await cleanup();
    return 1;
  }
}

main().then(
  (code) => process.exit(interrupted ? 130 : code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      say(
        `${error.message}\nUsage: npm run bench:dashboard -- [--n ${DEFAULT_N}] [--runs ${DEFAULT_RUNS}] ` +
          `[--warmup ${DEFAULT_WARMUP}] [--no-http] [--keep] [--sql 'CREATE INDEX …']`,
      );
      process.exit(2);
    }
    say(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
