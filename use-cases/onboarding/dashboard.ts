/**
 * What the staff dashboard lists and counts. Everything comes from the
 * indexed projection in PostgreSQL (onboarding, its events and forms), never
 * from scanning Temporal, so it stays fast with 100,000 onboardings.
 * Therapists see the clients assigned to them (use-cases/client-access-policy.ts);
 * ops see no client names.
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../db/client';
import type { OnboardingStatus } from '../../domain/onboarding-status';
import { defaultDirection, type TDashboardQuery, type TFunnelQuery } from '../../schemas/dashboard';
import { assignedClinicianScope, onboardingsVisibleTo } from '../client-access-policy';
import type { StaffPrincipal } from '../staff-principal';

export const PAGE_SIZE = 50;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Clients matched by name up to this many are looked up first and listed by id (see searchFilter). */
const NAME_MATCH_LIMIT = 1000;

export interface DashboardRow {
  id: string;
  externalChartId: string;
  status: OnboardingStatus;
  /** Null for ops, who operate flows without reading who the client is. */
  clientName: string | null;
  clinician: string | null;
  forms: { total: number; submitted: number };
  createdAt: Date;
  updatedAt: Date;
}

export interface DashboardPage {
  rows: DashboardRow[];
  total: number;
  /** The page shown: the one asked for, or the last page when that is past the end. */
  page: number;
  /** The page asked for; greater than `pages` when it was past the end. */
  requestedPage: number;
  pages: number;
}

function dayStart(date: string): Date {
  return new Date(`${date}T00:00:00.000Z`);
}

const startsWith = (value: string) => ({ startsWith: value, mode: Prisma.QueryMode.insensitive });

/**
 * Which clients a name search finds, ignoring case: a single word is the start
 * of the first or the last name; two words or more are a full name in either
 * order ("Grace Hopper", "Hopper, Grace"), each part the start of its name.
 * Prefix matches only, so PostgreSQL can use the lastName index (ILIKE 'x%');
 * a contains match on names would read every client of the practice.
 */
function nameFilter(search: string): Prisma.ClientWhereInput {
  const words = search.split(/[\s,]+/).filter(Boolean);
  if (words.length < 2) {
    const word = words[0] ?? search;
    return { OR: [{ lastName: startsWith(word) }, { firstName: startsWith(word) }] };
  }
  const [first, ...rest] = words;
  const last = rest.join(' ');
  const lastFirst = words.slice(0, -1).join(' ');
  return {
    OR: [
      { firstName: startsWith(first!), lastName: startsWith(last) },
      { lastName: startsWith(lastFirst), firstName: startsWith(words[words.length - 1]!) },
    ],
  };
}

/**
 * Part of the chart id, ignoring case ("demo-10", "1005"), or a client's name
 * (nameFilter). The matching clients are found first and their onboardings
 * listed by id: an OR across onboarding and client would make PostgreSQL join
 * every onboarding of the practice on each search, and its guess of how many
 * names match would send a search that finds nothing through all of them in
 * date order (bench/dashboard.ts). A prefix that matches very many clients (a
 * letter or two) is joined instead. The chart id is a contains match (ILIKE
 * '%x%'): it reads the practice's onboardings (chart ids are short), which is
 * what staff need when they have only part of a chart id.
 */
async function searchFilter(db: Db, staff: StaffPrincipal, search: string): Promise<Prisma.OnboardingWhereInput> {
  const byChart = { externalChartId: { contains: search, mode: Prisma.QueryMode.insensitive } };
  // Ops search by chart id only: a name search would tell them who is a client.
  if (staff.role === 'OPS') return byChart;
  const byName = nameFilter(search);
  const clients = await db.client.findMany({
    where: { organizationId: staff.organizationId, ...byName },
    select: { id: true },
    take: NAME_MATCH_LIMIT + 1,
  });
  if (clients.length <= NAME_MATCH_LIMIT) {
    return { OR: [byChart, { clientId: { in: clients.map((client) => client.id) } }] };
  }
  return { OR: [byChart, { client: byName }] };
}

/**
 * The list's order: the column clicked, then the id so pages never overlap. Ops sort the
 * Client column by chart id, which is all it shows them: an order by name would hint at names.
 */
function orderOf(staff: StaffPrincipal, query: TDashboardQuery): Prisma.OnboardingOrderByWithRelationInput[] {
  const dir = query.dir ?? defaultDirection(query.sort);
  const sort = query.sort === 'client' && staff.role === 'OPS' ? 'chart' : query.sort;
  const first: Prisma.OnboardingOrderByWithRelationInput[] = {
    client: [{ client: { lastName: dir } }, { client: { firstName: dir } }],
    chart: [{ externalChartId: dir }],
    status: [{ status: dir }],
    clinician: [{ assignedStaff: { displayName: dir } }],
    created: [{ createdAt: dir }],
    updated: [{ updatedAt: dir }],
  }[sort];
  return [...first, { id: dir }];
}

export async function listDashboard(db: Db, staff: StaffPrincipal, query: TDashboardQuery): Promise<DashboardPage> {
  const search = query.q?.trim();
  const matching = search ? await searchFilter(db, staff, search) : {};
  const filters: Prisma.OnboardingWhereInput = {
    ...(query.status ? { status: query.status } : {}),
    ...(query.clinician ? { assignedStaffId: query.clinician === 'none' ? null : query.clinician } : {}),
    ...(query.from || query.to
      ? {
          createdAt: {
            ...(query.from ? { gte: dayStart(query.from) } : {}),
            ...(query.to ? { lt: new Date(dayStart(query.to).getTime() + DAY_MS) } : {}),
          },
        }
      : {}),
    ...matching,
  };
  // The reach and the filters side by side: a `clinician` filter must not widen a therapist's reach to a colleague's.
  const where: Prisma.OnboardingWhereInput = { AND: [onboardingsVisibleTo(staff), filters] };
  const orderBy = orderOf(staff, query);

  const total = await db.onboarding.count({ where });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  // A page past the end shows the last page (and says so, see `requestedPage`), never "no onboardings" beside a count.
  const page = Math.min(query.page, pages);
  const onboardings = await db.onboarding.findMany({
    where,
    orderBy,
    skip: (page - 1) * PAGE_SIZE,
    take: PAGE_SIZE,
    select: {
      id: true,
      externalChartId: true,
      status: true,
      createdAt: true,
      updatedAt: true,
      assignedStaff: { select: { displayName: true } },
      client: { select: { firstName: true, lastName: true } },
    },
  });
  const counts = onboardings.length
    ? await db.formAssignment.groupBy({
        by: ['onboardingId', 'status'],
        where: { onboardingId: { in: onboardings.map((row) => row.id) }, status: { not: 'CANCELLED' } },
        _count: true,
      })
    : [];
  const formsOf = (id: string) => {
    const mine = counts.filter((group) => group.onboardingId === id);
    return {
      total: mine.reduce((sum, group) => sum + group._count, 0),
      submitted: mine.find((group) => group.status === 'SUBMITTED')?._count ?? 0,
    };
  };
  return {
    rows: onboardings.map((row) => ({
      id: row.id,
      externalChartId: row.externalChartId,
      status: row.status,
      clientName: staff.role === 'OPS' || !row.client ? null : `${row.client.firstName} ${row.client.lastName}`,
      clinician: row.assignedStaff?.displayName ?? null,
      forms: formsOf(row.id),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    })),
    total,
    page,
    requestedPage: query.page,
    pages,
  };
}

export interface Funnel {
  from: string;
  to: string;
  created: number;
  invited: number;
  registered: number;
  formsComplete: number;
  expired: number;
  /** Onboardings whose invitation bounced for good or was marked as spam. */
  bounced: number;
  /** Median hours (unrounded) from the first invitation to registration; null with no registrations. */
  medianHoursToRegister: number | null;
  /** Median hours from chart creation to every form signed; null with none complete. */
  medianHoursToComplete: number | null;
}

/** The default period: the last 30 days, today included. */
export function funnelPeriod(query: TFunnelQuery, now = new Date()): { from: string; to: string } {
  const to = query.to ?? now.toISOString().slice(0, 10);
  const from = query.from ?? new Date(dayStart(to).getTime() - 29 * DAY_MS).toISOString().slice(0, 10);
  return { from, to };
}

/**
 * Invited → registered → forms complete for the onboardings created in the
 * period, with median times, in one query over the onboarding rows: their
 * milestone columns are kept in step with the timeline by a trigger
 * (migration 20261206090000), so no grouping of events is needed.
 */
export async function funnel(db: Db, staff: StaffPrincipal, query: TFunnelQuery): Promise<Funnel> {
  const { from, to } = funnelPeriod(query);
  const start = dayStart(from);
  const end = new Date(dayStart(to).getTime() + DAY_MS);
  // The same reach as onboardingsVisibleTo, for raw SQL.
  const therapist = assignedClinicianScope(staff);
  const [row] = await db.$queryRaw<
    {
      created: bigint;
      invited: bigint;
      registered: bigint;
      complete: bigint;
      expired: bigint;
      bounced: bigint;
      median_register: number | null;
      median_complete: number | null;
    }[]
  >`
    SELECT
      COUNT(*) AS created,
      COUNT(invited_at) AS invited,
      COUNT(registered_at) AS registered,
      COUNT(forms_completed_at) AS complete,
      COUNT(expired_at) AS expired,
      COUNT(bounced_at) AS bounced,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM registered_at - invited_at))
        FILTER (WHERE registered_at IS NOT NULL AND invited_at IS NOT NULL) AS median_register,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM forms_completed_at - created_at))
        FILTER (WHERE forms_completed_at IS NOT NULL) AS median_complete
    FROM onboarding
    WHERE organization_id = ${staff.organizationId}::uuid
      AND created_at >= ${start} AND created_at < ${end}
      AND (${therapist}::uuid IS NULL OR assigned_staff_id = ${therapist}::uuid)`;
  const hours = (seconds: number | null) => (seconds === null ? null : Number(seconds) / 3600);
  return {
    from,
    to,
    created: Number(row?.created ?? 0),
    invited: Number(row?.invited ?? 0),
    registered: Number(row?.registered ?? 0),
    formsComplete: Number(row?.complete ?? 0),
    expired: Number(row?.expired ?? 0),
    bounced: Number(row?.bounced ?? 0),
    medianHoursToRegister: hours(row?.median_register ?? null),
    medianHoursToComplete: hours(row?.median_complete ?? null),
  };
}
