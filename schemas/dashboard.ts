import { z } from 'zod';
import { ONBOARDING_STATUSES } from '../domain/onboarding-status';

const ZDate = z.iso.date('must be a date (YYYY-MM-DD)');

/** The list's columns staff can sort by, by clicking their header. */
export const DASHBOARD_SORTS = ['client', 'chart', 'status', 'clinician', 'created', 'updated'] as const;
export type DashboardSort = (typeof DASHBOARD_SORTS)[number];
export type SortDirection = 'asc' | 'desc';

/** A first click on a date shows the newest first; on a name, A to Z. */
export function defaultDirection(sort: DashboardSort): SortDirection {
  return sort === 'created' || sort === 'updated' ? 'desc' : 'asc';
}

/** The dashboard's filters, as query parameters: every value is checked, anything else is a 400. */
export const ZDashboardQuery = z
  .object({
    status: z.enum(ONBOARDING_STATUSES).optional(),
    /** A staff user id, or "none" for onboardings without an assigned clinician. */
    clinician: z.union([z.uuid(), z.literal('none')]).optional(),
    /** Created on or after / on or before (practice's calendar days, UTC boundaries). */
    from: ZDate.optional(),
    to: ZDate.optional(),
    /** Part of the EHR chart id, or the start of the client's first or last name, or both (any case). */
    q: z.string().trim().max(100).optional(),
    sort: z.enum(DASHBOARD_SORTS).default('created'),
    /** Without it, the column's natural direction (defaultDirection). */
    dir: z.enum(['asc', 'desc']).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
  })
  // ISO dates compare as strings; an empty period would silently list nothing.
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    path: ['to'],
    message: 'must be on or after the “from” date',
  });
export type TDashboardQuery = z.infer<typeof ZDashboardQuery>;

/** The funnel's period. */
export const ZFunnelQuery = z.object({ from: ZDate.optional(), to: ZDate.optional() });
export type TFunnelQuery = z.infer<typeof ZFunnelQuery>;
