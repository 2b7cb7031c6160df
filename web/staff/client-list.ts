/**
 * The dashboard (issue 6): every onboarding of the practice with its status,
 * filters, search and paging, and the funnel for the period.
 */
import { Router } from 'express';
import { recordAudit } from '../../audit/audit-log';
import { originOf } from '../../http/audit-context';
import { ZDashboardQuery, ZFunnelQuery } from '../../schemas/dashboard';
import { funnel, listDashboard, type DashboardRow } from '../../use-cases/onboarding/dashboard';
import { html } from '../html';
import { send } from '../send-page';
import { FIELD_LABELS, filtersForm, type FilterValues } from './list-filters';
import { sortableHeader } from './list-sorting';
import { badge, formatWhen } from './status-label';
import type { StaffPages } from './staff-session';

export function clientListRoutes(deps: StaffPages): Router {
  const router = Router();
  const { db, sessionOf, layout } = deps;

  router.get('/staff/:orgSlug', async (req, res) => {
    const { org, user } = sessionOf(res);
    // The filters form submits every field, the ones left on "Any" or blank as "": those mean no filter.
    const filters = Object.fromEntries(Object.entries(req.query).filter(([, value]) => value !== ''));
    const parsed = ZDashboardQuery.safeParse(filters);
    const clinicians = await db.staffUser.findMany({
      where: { organizationId: org.id, role: { in: ['ADMIN', 'THERAPIST'] } },
      orderBy: { displayName: 'asc' },
      select: { id: true, displayName: true },
    });
    const filtersCard = (values: FilterValues, open: boolean) =>
      filtersForm(org.slug, user.role, clinicians, values, { open });
    if (!parsed.success) {
      // The layout and navigation stay, with what was wrong, the filters as typed, and a way to clear them.
      const typed = Object.fromEntries(
        Object.entries(filters).map(([key, value]) => [key, typeof value === 'string' ? value : undefined]),
      );
      const problems = parsed.error.issues.map(
        (issue) => `${FIELD_LABELS[String(issue.path[0])] ?? String(issue.path[0] ?? 'Filters')}: ${issue.message}`,
      );
      send(
        res,
        400,
        layout(
          req,
          res,
          'Client onboardings',
          html`<div class="card" role="alert">
              <p>Those filters are not valid:</p>
              <ul>
                ${problems.map((problem) => html`<li>${problem}</li>`)}
              </ul>
              <p><a href="/staff/${org.slug}">Clear the filters</a></p>
            </div>
            ${filtersCard(typed, true)}`,
        ),
      );
      return;
    }
    const query = parsed.data;
    const funnelQuery = ZFunnelQuery.parse({ from: query.from, to: query.to });
    const [list, figures] = await Promise.all([listDashboard(db, user, query), funnel(db, user, funnelQuery)]);
    if (user.role !== 'OPS' && list.rows.length > 0) {
      // The list shows client names: one audit entry per page viewed, with how many were shown.
      await recordAudit(db, {
        organizationId: org.id,
        actor: { type: 'staff', id: user.staffUserId },
        action: 'onboarding.list',
        outcome: 'success',
        origin: originOf(req),
        detail: { shown: list.rows.length, page: list.page },
      });
    }
    const link = (overrides: Record<string, string | number | undefined>) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries({ ...query, ...overrides })) {
        if (value !== undefined && value !== '' && !(key === 'page' && value === 1)) params.set(key, String(value));
      }
      const text = params.toString();
      return `/staff/${org.slug}${text ? `?${text}` : ''}`;
    };
    // Every percentage has the same, named base: the clients invited in the period.
    const ofInvited = (part: number) =>
      figures.invited === 0 ? '—' : `${Math.round((part / figures.invited) * 100)}% of invited`;
    const pastTheEnd =
      list.requestedPage > list.pages
        ? `. There is no page ${list.requestedPage}; showing page ${list.pages}, the last.`
        : '';
    const countLine = `${list.total} ${list.total === 1 ? 'onboarding' : 'onboardings'}${pastTheEnd}`;
    const row = (item: DashboardRow) =>
      html`<tr>
        <td data-label="Client">
          <a href="/staff/${org.slug}/onboardings/${item.id}">${item.clientName ?? item.externalChartId}</a>
        </td>
        <td data-label="Chart">${item.externalChartId}</td>
        <td data-label="Status">${badge(item.status, item.forms)}</td>
        <td data-label="Clinician">${item.clinician ?? '—'}</td>
        <td data-label="Created">${formatWhen(item.createdAt, org.timeZone)}</td>
        <td data-label="Updated">${formatWhen(item.updatedAt, org.timeZone)}</td>
      </tr>`;
    send(
      res,
      200,
      layout(
        req,
        res,
        'Client onboardings',
        html`<section aria-label="Funnel">
            <p class="hint">
              Created ${figures.from} to ${figures.to}${user.role === 'THERAPIST' ? ', your clients' : ''}:
            </p>
            <div class="funnel">
              <div><strong>${figures.invited}</strong><span>invited</span></div>
              <div>
                <strong>${figures.registered}</strong><span>registered (${ofInvited(figures.registered)})</span>
              </div>
              <div>
                <strong>${figures.formsComplete}</strong
                ><span>forms complete (${ofInvited(figures.formsComplete)})</span>
              </div>
              <div><strong>${figures.expired}</strong><span>expired (${ofInvited(figures.expired)})</span></div>
              <div><strong>${figures.bounced}</strong><span>bounced (${ofInvited(figures.bounced)})</span></div>
              <div><strong>${duration(figures.medianHoursToRegister)}</strong><span>median time to register</span></div>
              <div><strong>${duration(figures.medianHoursToComplete)}</strong><span>median time to complete</span></div>
            </div>
          </section>
          ${filtersCard(query, false)}
          <p role="status">${countLine}</p>
          ${
            list.rows.length
              ? html`<table class="list">
                  <thead>
                    <tr>
                      ${sortableHeader('client', 'Client', query, link)}
                      ${sortableHeader('chart', 'Chart', query, link)}
                      ${sortableHeader('status', 'Status', query, link)}
                      ${sortableHeader('clinician', 'Clinician', query, link)}
                      ${sortableHeader('created', 'Created', query, link)}
                      ${sortableHeader('updated', 'Updated', query, link)}
                    </tr>
                  </thead>
                  <tbody>
                    ${list.rows.map(row)}
                  </tbody>
                </table>`
              : html`<div class="card"><p>No onboardings match these filters.</p></div>`
          }
          <nav class="pager" aria-label="Pages">
            ${list.page > 1 ? html`<a href="${link({ page: list.page - 1 })}">Previous</a>` : html`<span></span>`}
            <span>Page ${list.page} of ${list.pages}</span>
            ${list.page < list.pages ? html`<a href="${link({ page: list.page + 1 })}">Next</a>` : html`<span></span>`}
          </nav>`,
      ),
    );
  });

  return router;
}

/** A median in hours, in words that fit its size: minutes under an hour, hours under two days, then days. */
export function duration(hours: number | null): string {
  if (hours === null) return '—';
  if (hours < 1 / 60) return 'under 1 minute';
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) {
    const rounded = Math.round(hours * 10) / 10;
    return `${rounded} ${rounded === 1 ? 'hour' : 'hours'}`;
  }
  const days = Math.round((hours / 24) * 10) / 10;
  return `${days} days`;
}
