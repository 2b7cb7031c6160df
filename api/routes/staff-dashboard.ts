/**
 * The staff dashboard (issue 6): every onboarding of the practice with its
 * status, filters, search and paging, the funnel for a period, and a page per
 * client with the timeline and the actions of seeds 001, 003 and 004, each
 * behind a confirmation step. Server-rendered HTML, no script, CSRF-protected
 * posts, a session cookie of its own (path /staff).
 */
import type { Client } from '@temporalio/client';
import { parse, serialize } from 'cookie';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { recordAudit } from '../../audit/audit-log';
import type { OnboardingStatus } from '../../domain/onboarding-status';
import { AppError } from '../app-error';
import { originOf } from '../audit-context';
import { accessibleOnboarding } from '../client-access-policy';
import { assertCsrf, csrfField } from '../portal/csrf';
import { html, page, type Html } from '../portal/html';
import { ZDashboardQuery, ZFunnelQuery } from '../schemas/dashboard';
import { ZChangePortalOwnerRequest } from '../schemas/onboarding';
import { audited } from '../staff-audit';
import { assertMayManageInvitations, type StaffPrincipal } from '../staff-auth';
import {
  cancelOnboarding,
  changePortalOwner,
  resendInvitation,
  revokePortalAccess,
} from '../use-cases/act-on-onboarding';
import { funnel, listDashboard, type DashboardRow } from '../use-cases/dashboard';
import { listPackages } from '../use-cases/form-catalog';
import { clientBilling } from '../use-cases/client-billing';
import { formatMoney } from '../../domain/money';
import { getOnboarding } from '../use-cases/get-onboarding';
import { listOnboardingForms, readSignedForm, sendForms } from '../use-cases/onboarding-forms';
import { SESSION_ABSOLUTE_MS } from '../use-cases/portal-sessions';
import { signedFormPdf } from '../use-cases/signed-forms';
import { currentStaff, signInStaff, signOutStaff, type StaffSessionUser } from '../use-cases/staff-sessions';
import { createRateLimiter, rateLimitKeySecret } from '../../security/rate-limiter';
import { DOOR_ATTEMPTS_PER_WINDOW, findOrganizationBySlug, send } from './portal';

export interface StaffDashboardDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  tokenSigningKey: Buffer;
  publicBaseUrl: string;
}

const STAFF_COOKIE = 'staff_session';
const ZSignIn = z.object({ email: z.string().trim().max(254), password: z.string().max(200) });
const ZOnboardingId = z.uuid();

/** What staff see for each status (issue 6: Invited, Expired, Registered, Forms outstanding n/m…). */
export function statusLabel(status: OnboardingStatus, forms: { total: number; submitted: number }): string {
  switch (status) {
    case 'PENDING':
      return 'Starting';
    case 'CHART_CREATED':
      return 'Not invited';
    case 'INVITED':
      return 'Invited';
    case 'EXPIRED':
      return 'Expired';
    case 'REGISTERED':
      return 'Registered';
    case 'FORMS_OUTSTANDING':
      return `Forms outstanding ${forms.submitted}/${forms.total}`;
    case 'COMPLETE':
      return 'Complete';
    case 'CANCELLED':
      return 'Cancelled';
    case 'FAILED':
      return 'Failed';
    case 'REVOKED':
      return 'Access revoked';
  }
}

const STATUS_FILTERS: OnboardingStatus[] = [
  'INVITED',
  'EXPIRED',
  'REGISTERED',
  'FORMS_OUTSTANDING',
  'COMPLETE',
  'CHART_CREATED',
  'REVOKED',
  'CANCELLED',
  'FAILED',
];

function badge(status: OnboardingStatus, forms: { total: number; submitted: number }): Html {
  return html`<span class="status status-${status.toLowerCase()}">${statusLabel(status, forms)}</span>`;
}

function formatWhen(date: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(date));
}

/** The staff actions of a client page, with the words of their confirmation step. */
const ACTIONS = {
  resend: {
    label: 'Resend invite',
    confirm:
      'A new invitation link will be emailed to the portal owner, valid for 7 days. The previous link stops working.',
  },
  revoke: {
    label: 'Revoke access',
    confirm: 'The client will no longer be able to register or sign in until you resend an invitation.',
  },
  owner: {
    label: 'Change ownership',
    confirm:
      'The portal will belong to the person below (a parent, guardian or other contact) and a new invitation goes to them. The previous link stops working.',
  },
  forms: {
    label: 'Send forms',
    confirm: 'The client will get an email that new forms are waiting in their portal.',
  },
  cancel: {
    label: 'Cancel onboarding',
    confirm: 'The onboarding stops: open links stop working and no more reminders are sent. This cannot be undone.',
  },
} as const;
type ActionName = keyof typeof ACTIONS;

/** How each action is named in the audit trail (the same names as the JSON API's). */
const AUDIT_ACTIONS: Record<ActionName, string> = {
  resend: 'invitation.resend',
  revoke: 'portal.revoke',
  owner: 'portal.owner_change',
  forms: 'forms.send',
  cancel: 'onboarding.cancel',
};

/** Which actions make sense in a status; the workflow still has the last word and refuses with a reason. */
function actionsFor(status: OnboardingStatus, hasPortalAccount: boolean): ActionName[] {
  const open = ['CHART_CREATED', 'INVITED', 'EXPIRED', 'REVOKED'].includes(status);
  const actions: ActionName[] = [];
  if (open) actions.push('resend');
  if (status === 'INVITED' || status === 'EXPIRED') actions.push('revoke');
  if (open) actions.push('owner');
  if (hasPortalAccount && !['CANCELLED', 'FAILED', 'REVOKED'].includes(status)) actions.push('forms');
  if (open) actions.push('cancel');
  return actions;
}

export function staffDashboardRoutes(deps: StaffDashboardDeps): Router {
  const router = Router();
  const { db } = deps;
  const secure = deps.publicBaseUrl.startsWith('https://');

  router.use('/staff', express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 30 }));
  router.use('/staff', (_req, res, next) => {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  // Guessing staff passwords from one address gets slow; per-account lockout still applies on top.
  const signIns = createRateLimiter(db, {
    name: 'staff-sign-in',
    limit: DOOR_ATTEMPTS_PER_WINDOW,
    windowMs: 5 * 60 * 1000,
    keySecret: rateLimitKeySecret(deps.tokenSigningKey),
  });
  const csrf = (req: Request, res: Response) => csrfField(req, res, deps.tokenSigningKey, secure, 'staff');
  const checkCsrf = (req: Request) => assertCsrf(req, deps.tokenSigningKey, 'staff');

  const signInPage = (req: Request, res: Response, org: { slug: string; name: string }, failed: boolean) =>
    page({
      title: 'Staff sign in',
      practiceName: org.name,
      body: html`<div class="card">
        ${
          failed
            ? html`<p class="error" role="alert">
                The email or password is not right, or sign-in is paused for a few minutes after several tries.
              </p>`
            : ''
        }
        <form method="post" action="/staff/${org.slug}/login">
          <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="username" required maxlength="254" />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit">Sign in</button>
        </form>
      </div>`,
    });

  router.get('/staff/:orgSlug/login', async (req, res) => {
    const org = await findOrganizationBySlug(db, req.params.orgSlug);
    send(res, 200, signInPage(req, res, org, false));
  });

  router.post('/staff/:orgSlug/login', async (req, res) => {
    checkCsrf(req);
    const org = await findOrganizationBySlug(db, req.params.orgSlug);
    if (!(await signIns.attempt(req.ip ?? 'unknown'))) {
      send(res, 429, signInPage(req, res, org, true));
      return;
    }
    const form = ZSignIn.safeParse(req.body);
    const token = form.success
      ? await signInStaff(db, org.id, form.data.email, form.data.password, originOf(req))
      : null;
    if (!token) {
      send(res, 401, signInPage(req, res, org, true));
      return;
    }
    await signOutStaff(db, parse(req.headers.cookie ?? '')[STAFF_COOKIE]);
    res.append(
      'Set-Cookie',
      serialize(STAFF_COOKIE, token, {
        httpOnly: true,
        secure,
        sameSite: 'lax',
        path: '/staff',
        maxAge: SESSION_ABSOLUTE_MS / 1000,
      }),
    );
    res.redirect(303, `/staff/${org.slug}`);
  });

  router.post('/staff/:orgSlug/logout', async (req, res) => {
    checkCsrf(req);
    await signOutStaff(db, parse(req.headers.cookie ?? '')[STAFF_COOKIE]);
    res.append(
      'Set-Cookie',
      serialize(STAFF_COOKIE, '', { httpOnly: true, secure, sameSite: 'lax', path: '/staff', maxAge: 0 }),
    );
    res.redirect(303, `/staff/${encodeURIComponent(req.params.orgSlug)}/login`);
  });

  interface Session {
    org: { id: string; slug: string; name: string; brandColor: string | null; timeZone: string };
    user: StaffSessionUser;
  }

  /** Every other staff page: the signed-in staff member of this practice, or a redirect to sign in. */
  const signedIn = async (req: Request, res: Response, next: NextFunction) => {
    const org = await findOrganizationBySlug(db, req.params.orgSlug as string);
    const user = await currentStaff(db, parse(req.headers.cookie ?? '')[STAFF_COOKIE]);
    if (!user || user.organizationId !== org.id) {
      res.redirect(303, `/staff/${org.slug}/login`);
      return;
    }
    const { timeZone } = await db.organization.findUniqueOrThrow({ where: { id: org.id }, select: { timeZone: true } });
    req.staff = user;
    res.locals.session = { org: { ...org, timeZone }, user } satisfies Session;
    next();
  };
  router.use('/staff/:orgSlug', (req, res, next) => {
    // Relative to the mount path: signing in and out need no session.
    if (req.path === '/login' || req.path === '/logout') {
      next();
      return;
    }
    signedIn(req, res, next).catch(next);
  });
  const sessionOf = (res: Response) => res.locals.session as Session;

  const layout = (req: Request, res: Response, title: string, body: Html) => {
    const { org, user } = sessionOf(res);
    return page({
      title,
      practiceName: org.name,
      brandColor: org.brandColor,
      wide: true,
      nav: html`<a href="/staff/${org.slug}">Onboardings</a>
        <span>${user.displayName}</span>
        <form method="post" action="/staff/${org.slug}/logout">
          <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
          <button type="submit">Sign out</button>
        </form>`,
      body,
    });
  };

  router.get('/staff/:orgSlug', async (req, res) => {
    const { org, user } = sessionOf(res);
    // The filters form submits every field, the ones left on "Any" or blank as "": those mean no filter.
    const filters = Object.fromEntries(Object.entries(req.query).filter(([, value]) => value !== ''));
    const parsed = ZDashboardQuery.safeParse(filters);
    if (!parsed.success) {
      throw new AppError('VALIDATION_FAILED', 'bad dashboard query', {
        publicMessage: 'Those filters are not valid. Clear them and try again.',
      });
    }
    const query = parsed.data;
    const funnelQuery = ZFunnelQuery.parse({ from: query.from, to: query.to });
    const [list, figures, clinicians] = await Promise.all([
      listDashboard(db, user, query),
      funnel(db, user, funnelQuery),
      db.staffUser.findMany({
        where: { organizationId: org.id, role: { in: ['ADMIN', 'THERAPIST'] } },
        orderBy: { displayName: 'asc' },
        select: { id: true, displayName: true },
      }),
    ]);
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
    const percent = (part: number, whole: number) => (whole === 0 ? '—' : `${Math.round((part / whole) * 100)}%`);
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
                <strong>${figures.registered}</strong
                ><span>registered (${percent(figures.registered, figures.invited)})</span>
              </div>
              <div>
                <strong>${figures.formsComplete}</strong
                ><span>forms complete (${percent(figures.formsComplete, figures.registered)})</span>
              </div>
              <div><strong>${figures.expired}</strong><span>expired</span></div>
              <div><strong>${figures.medianHoursToRegister ?? '—'}</strong><span>median hours to register</span></div>
              <div><strong>${figures.medianHoursToComplete ?? '—'}</strong><span>median hours to complete</span></div>
            </div>
          </section>
          <form method="get" class="card filters" action="/staff/${org.slug}">
            <div>
              <label for="q">Search</label>
              <input
                id="q"
                name="q"
                value="${query.q ?? ''}"
                placeholder="${user.role === 'OPS' ? 'Chart id' : 'Name or chart'}"
              />
            </div>
            <div>
              <label for="status">Status</label>
              <select id="status" name="status">
                <option value="">Any</option>
                ${STATUS_FILTERS.map(
                  (status) =>
                    html`<option value="${status}" ${query.status === status ? html`selected` : ''}>
                      ${statusLabel(status, { total: 0, submitted: 0 }).replace(' 0/0', '')}
                    </option>`,
                )}
              </select>
            </div>
            ${
              user.role === 'THERAPIST'
                ? ''
                : html`<div>
                    <label for="clinician">Clinician</label>
                    <select id="clinician" name="clinician">
                      <option value="">Any</option>
                      <option value="none" ${query.clinician === 'none' ? html`selected` : ''}>None assigned</option>
                      ${clinicians.map(
                        (clinician) =>
                          html`<option
                            value="${clinician.id}"
                            ${query.clinician === clinician.id ? html`selected` : ''}
                          >
                            ${clinician.displayName}
                          </option>`,
                      )}
                    </select>
                  </div>`
            }
            <div>
              <label for="from">Created from</label>
              <input id="from" name="from" type="date" value="${query.from ?? ''}" />
            </div>
            <div>
              <label for="to">to</label>
              <input id="to" name="to" type="date" value="${query.to ?? ''}" />
            </div>
            <div>
              <label for="sort">Sort</label>
              <select id="sort" name="sort">
                <option value="created-desc" ${query.sort === 'created-desc' ? html`selected` : ''}>
                  Newest first
                </option>
                <option value="created-asc" ${query.sort === 'created-asc' ? html`selected` : ''}>Oldest first</option>
                <option value="updated-desc" ${query.sort === 'updated-desc' ? html`selected` : ''}>
                  Recently updated
                </option>
              </select>
            </div>
            <div><button type="submit">Apply</button></div>
          </form>
          <p role="status">${list.total} ${list.total === 1 ? 'onboarding' : 'onboardings'}</p>
          ${
            list.rows.length
              ? html`<table class="list">
                  <thead>
                    <tr>
                      <th scope="col">Client</th>
                      <th scope="col">Chart</th>
                      <th scope="col">Status</th>
                      <th scope="col">Clinician</th>
                      <th scope="col">Created</th>
                      <th scope="col">Updated</th>
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

  /** The onboarding id of a client page's path; a malformed one is a 404 like an unknown one. */
  const onboardingIdOf = (id: string): string => {
    const parsed = ZOnboardingId.safeParse(id);
    if (!parsed.success) throw new AppError('NOT_FOUND', 'malformed onboarding id');
    return parsed.data;
  };
  /**
   * Whether this staff member may reach the onboarding (api/client-access-policy.ts,
   * as in the JSON API): another practice's, or a colleague's client for a
   * therapist, is a 404 like an unknown id. Called inside audited(), so a refusal is recorded.
   */
  const assertVisible = async (user: StaffPrincipal, onboardingId: string): Promise<void> => {
    await accessibleOnboarding(db, user, onboardingId, { id: true });
  };

  const clientPage = async (req: Request, res: Response, onboardingId: string, notice: Html | null) => {
    const { org, user } = sessionOf(res);
    const [onboarding, forms, client] = await Promise.all([
      getOnboarding(deps, user, onboardingId),
      listOnboardingForms(db, user, onboardingId),
      user.role === 'OPS'
        ? null
        : db.onboarding.findUniqueOrThrow({
            where: { id: onboardingId },
            select: {
              client: {
                select: {
                  firstName: true,
                  lastName: true,
                  email: true,
                  portalAccount: { select: { email: true, ownerName: true } },
                },
              },
              assignedStaff: { select: { displayName: true } },
            },
          }),
    ]);
    // Billing is the client's PHI too: ops, who never see names, do not see it either.
    const billing = user.role !== 'OPS' && onboarding.clientId ? await clientBilling(db, onboarding.clientId) : null;
    const name = client?.client ? `${client.client.firstName} ${client.client.lastName}` : onboarding.externalChartId;
    const mayAct = user.role === 'ADMIN' || user.canInvite;
    const actions = mayAct ? actionsFor(onboarding.status, onboarding.portalAccount !== null) : [];
    const allForms = forms.requests.flatMap((request) => request.forms);
    return layout(
      req,
      res,
      name,
      html`${notice ?? ''}
        <div class="grid2">
          <section class="card">
            <h2>Onboarding</h2>
            <dl class="facts">
              <dt>Status</dt>
              <dd>${badge(onboarding.status, onboarding.forms)}</dd>
              <dt>Chart</dt>
              <dd>${onboarding.externalChartId}</dd>
              ${
                client
                  ? html`<dt>Email</dt>
                      <dd>${client.client?.portalAccount?.email ?? client.client?.email ?? '—'}</dd>
                      ${
                        client.client?.portalAccount?.ownerName
                          ? html`<dt>Portal owner</dt>
                              <dd>${client.client.portalAccount.ownerName}</dd>`
                          : ''
                      }
                      <dt>Clinician</dt>
                      <dd>${client.assignedStaff?.displayName ?? '—'}</dd>`
                  : ''
              }
              <dt>Invitation</dt>
              <dd>
                ${
                  onboarding.invitation
                    ? `#${onboarding.invitation.sequence}, ${onboarding.invitation.status.toLowerCase()}, expires ${formatWhen(onboarding.invitation.expiresAt, org.timeZone)}`
                    : 'none sent'
                }
              </dd>
              <dt>Created</dt>
              <dd>${formatWhen(onboarding.createdAt, org.timeZone)}</dd>
            </dl>
            ${
              actions.length
                ? html`<h2>Actions</h2>
                    <div class="actions">
                      ${actions.map(
                        (action) =>
                          html`<a
                            class="button ${action === 'cancel' ? 'secondary' : ''}"
                            href="/staff/${org.slug}/onboardings/${onboardingId}/${action}"
                            >${ACTIONS[action].label}</a
                          >`,
                      )}
                    </div>`
                : ''
            }
          </section>
          <section class="card">
            <h2>Forms</h2>
            ${
              allForms.length
                ? html`<ul class="documents">
                    ${allForms.map(
                      (form) =>
                        html`<li>
                          <span>${form.title} <span class="hint">v${form.version}</span></span>
                          <span class="tag tag-${form.status.toLowerCase()}"
                            >${
                              form.status === 'SUBMITTED'
                                ? 'Signed'
                                : form.status === 'IN_PROGRESS'
                                  ? 'Draft saved'
                                  : form.status === 'CANCELLED'
                                    ? 'Withdrawn'
                                    : 'Waiting'
                            }</span
                          >
                          ${
                            form.status === 'SUBMITTED' && user.role !== 'OPS'
                              ? html`<a
                                  href="/staff/${org.slug}/onboardings/${onboardingId}/documents/${form.assignmentId}/pdf"
                                  >PDF<span class="visually-hidden"> of ${form.title}</span></a
                                >`
                              : ''
                          }
                        </li>`,
                    )}
                  </ul>`
                : html`<p>No forms sent.</p>`
            }
          </section>
        </div>
        ${
          billing
            ? html`<section class="card" style="margin-top:1rem" data-testid="billing">
                <h2>Account</h2>
                <dl class="facts">
                  <dt>Balance</dt>
                  <dd>${formatMoney(billing.balanceCents)} (${billing.openInvoices} open invoices)</dd>
                  <dt>Cards on file</dt>
                  <dd>${billing.cardsOnFile}</dd>
                  ${
                    onboarding.paymentStep
                      ? html`<dt>Payment step</dt>
                          <dd>
                            ${onboarding.paymentStep.kind === 'DEPOSIT' ? `Deposit of ${formatMoney(onboarding.paymentStep.amountCents ?? 0)}` : 'Card on file'}:
                            ${onboarding.paymentStep.status === 'DONE' ? 'done' : onboarding.paymentStep.status === 'IN_PROGRESS' ? 'in progress' : 'outstanding'}
                          </dd>`
                      : ''
                  }
                </dl>
                ${
                  billing.payments.length
                    ? html`<ul class="documents">
                        ${billing.payments.map(
                          (payment) =>
                            html`<li>
                              <span
                                >${formatMoney(payment.amountCents)}
                                ${payment.kind === 'DEPOSIT' ? '(deposit)' : ''}</span
                              >
                              <span class="hint"
                                >${payment.receiptNumber},
                                ${formatWhen(payment.paidAt.toISOString(), org.timeZone)}</span
                              >
                            </li>`,
                        )}
                      </ul>`
                    : html`<p>No portal payments.</p>`
                }
              </section>`
            : ''
        }
        <section class="card" style="margin-top:1rem">
          <h2>Timeline</h2>
          <ol class="timeline">
            ${onboarding.timeline.map(
              (event) =>
                html`<li>
                  <strong>${event.type}</strong> <span class="hint">${formatWhen(event.occurredAt, org.timeZone)}</span>
                </li>`,
            )}
          </ol>
        </section>`,
    );
  };

  router.get('/staff/:orgSlug/onboardings/:onboardingId', async (req, res) => {
    const { user } = sessionOf(res);
    const onboardingId = onboardingIdOf(req.params.onboardingId);
    const done =
      typeof req.query.done === 'string' && req.query.done in ACTIONS ? (req.query.done as ActionName) : null;
    const body = await audited(db, req, 'onboarding.read', onboardingId, async () => {
      await assertVisible(user, onboardingId);
      return clientPage(
        req,
        res,
        onboardingId,
        done ? html`<p class="ok" role="status">${ACTIONS[done].label}: done.</p>` : null,
      );
    });
    send(res, 200, body);
  });

  router.get('/staff/:orgSlug/onboardings/:onboardingId/documents/:assignmentId/pdf', async (req, res) => {
    const { user } = sessionOf(res);
    const onboardingId = onboardingIdOf(req.params.onboardingId);
    const assignmentId = z.uuid().safeParse(req.params.assignmentId);
    if (!assignmentId.success) throw new AppError('NOT_FOUND', 'bad assignment id');
    const form = await audited(db, req, 'form.download', onboardingId, () =>
      readSignedForm(db, user, onboardingId, assignmentId.data),
    );
    res
      .status(200)
      .type('application/pdf')
      .setHeader('Content-Disposition', `attachment; filename="${form.form.key}-v${form.form.version}.pdf"`)
      .send(Buffer.from(await signedFormPdf(form)));
  });

  const actionOf = (name: string): ActionName => {
    if (!Object.hasOwn(ACTIONS, name)) throw new AppError('NOT_FOUND', 'no such action');
    return name as ActionName;
  };

  /** The confirmation step (seed 001: every action asks first). */
  const confirmPage = async (
    req: Request,
    res: Response,
    onboardingId: string,
    action: ActionName,
    problem: string | null,
  ) => {
    const { org } = sessionOf(res);
    const packages = action === 'forms' ? await listPackages(db, org.id) : [];
    return layout(
      req,
      res,
      `${ACTIONS[action].label}?`,
      html`<form method="post" class="card">
        <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
        ${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
        <p>${ACTIONS[action].confirm}</p>
        ${
          action === 'owner'
            ? html`<label for="name">Name of the new portal owner</label>
                <input id="name" name="name" required maxlength="200" autocomplete="off" />
                <label for="email">Their email</label>
                <input id="email" name="email" type="email" required maxlength="254" autocomplete="off" />`
            : ''
        }
        ${
          action === 'forms'
            ? html`<label for="packageKey">Form &amp; Assessment Package</label>
                <select id="packageKey" name="packageKey">
                  ${packages.map(
                    (pkg) =>
                      html`<option value="${pkg.key}" ${pkg.isDefault ? html`selected` : ''}>
                        ${pkg.name} (${pkg.forms.length} forms)
                      </option>`,
                  )}
                </select>`
            : ''
        }
        <div class="actions" style="margin-top:1rem">
          <button type="submit" name="confirm" value="yes">Yes, ${ACTIONS[action].label.toLowerCase()}</button>
          <a class="button secondary" href="/staff/${org.slug}/onboardings/${onboardingId}">No, go back</a>
        </div>
      </form>`,
    );
  };

  router.get('/staff/:orgSlug/onboardings/:onboardingId/:action', async (req, res) => {
    const { user } = sessionOf(res);
    const action = actionOf(req.params.action);
    const onboardingId = onboardingIdOf(req.params.onboardingId);
    // The page shows nothing of the client: only a refusal is worth a line in the trail.
    const page = await audited(
      db,
      req,
      AUDIT_ACTIONS[action],
      onboardingId,
      async () => {
        assertMayManageInvitations(user);
        await assertVisible(user, onboardingId);
        return confirmPage(req, res, onboardingId, action, null);
      },
      { deniedOnly: true },
    );
    send(res, 200, page);
  });

  router.post('/staff/:orgSlug/onboardings/:onboardingId/:action', async (req, res) => {
    checkCsrf(req);
    const { org, user } = sessionOf(res);
    const action = actionOf(req.params.action);
    const onboardingId = onboardingIdOf(req.params.onboardingId);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.confirm !== 'yes') {
      await audited(db, req, AUDIT_ACTIONS[action], onboardingId, () => assertVisible(user, onboardingId), {
        deniedOnly: true,
      });
      res.redirect(303, `/staff/${org.slug}/onboardings/${onboardingId}`);
      return;
    }
    const run = (): Promise<unknown> => {
      switch (action) {
        case 'resend':
          return resendInvitation(deps, user, onboardingId);
        case 'revoke':
          return revokePortalAccess(deps, user, onboardingId);
        case 'cancel':
          return cancelOnboarding(deps, user, onboardingId);
        case 'owner': {
          const owner = ZChangePortalOwnerRequest.safeParse(body);
          if (!owner.success) {
            throw new AppError('VALIDATION_FAILED', 'bad new owner', {
              publicMessage: 'Enter the new owner’s name and a valid email address.',
            });
          }
          return changePortalOwner(deps, user, onboardingId, owner.data);
        }
        case 'forms': {
          const packageKey = typeof body.packageKey === 'string' ? body.packageKey : '';
          return sendForms(deps, user, onboardingId, { packageKey });
        }
      }
    };
    try {
      await audited(db, req, AUDIT_ACTIONS[action], onboardingId, async () => {
        // What the role may do first, as in the JSON API: a 403 never depends on whether the id exists.
        assertMayManageInvitations(user);
        await assertVisible(user, onboardingId);
        return run();
      });
    } catch (error) {
      // A refusal (409, a bad owner, an email in use) comes back on the confirmation page with its reason.
      if (
        error instanceof AppError &&
        ['CONFLICT', 'EMAIL_IN_USE', 'VALIDATION_FAILED', 'UNKNOWN_FORM_PACKAGE'].includes(error.code)
      ) {
        send(
          res,
          error.code === 'VALIDATION_FAILED' ? 400 : 409,
          await confirmPage(req, res, onboardingId, action, error.publicMessage),
        );
        return;
      }
      throw error;
    }
    res.redirect(303, `/staff/${org.slug}/onboardings/${onboardingId}?done=${action}`);
  });

  return router;
}
