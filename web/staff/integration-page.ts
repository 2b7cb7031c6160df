/**
 * One EHR integration, for its practice's admins (issue 19): callback URL and
 * events, a test ping, secret rotation and disabling (each behind a
 * confirmation step), and the delivery log both ways with "Send again" for a
 * failed callback.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { STATUS_CALLBACK_EVENTS, type StatusCallbackEvent } from '../../domain/status-callback';
import { originOf } from '../../http/audit-context';
import { MAX_ROTATION_OVERLAP_DAYS, ZIntegrationPatch, type TPingResult } from '../../schemas/integrations';
import { AppError } from '../../use-cases/app-error';
import {
  listInboundDeliveries,
  pingCallback,
  redeliverCallback,
} from '../../use-cases/integrations/integration-deliveries';
import {
  getIntegration,
  rotateSigningSecret,
  updateIntegration,
} from '../../use-cases/integrations/manage-integrations';
import { listStatusCallbacks } from '../../use-cases/onboarding/list-status-callbacks';
import { html, type Html } from '../html';
import { send } from '../send-page';
import { formatWhen } from './status-label';
import { adminDepsOf, secretBlock } from './integrations';
import type { StaffPages } from './staff-session';

const ZId = z.uuid();
/** How long the old secret may keep working: the choices of the rotate form, in hours. */
const OVERLAPS = [1, 24, 72, MAX_ROTATION_OVERLAP_DAYS * 24] as const;
const overlapWords = (hours: number) => (hours < 24 ? `${hours} hour` : `${hours / 24} day${hours > 24 ? 's' : ''}`);

const EVENT_WORDS: Record<StatusCallbackEvent, string> = {
  'onboarding.registered': 'Client registered',
  'onboarding.expired': 'Invitation expired',
  'onboarding.forms_completed': 'Forms completed',
  'onboarding.cancelled': 'Onboarding cancelled',
  'payment.succeeded': 'Payment received',
  'invitation.bounced': 'Invitation bounced',
};

interface Notice {
  ping?: TPingResult;
  problems?: Record<string, string>;
  typed?: { callbackUrl: string; events: string[] };
  done?: string;
}

function idOf(value: string): string {
  const parsed = ZId.safeParse(value);
  if (!parsed.success) throw new AppError('NOT_FOUND', 'malformed integration id');
  return parsed.data;
}

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

export function integrationPageRoutes(deps: StaffPages): Router {
  const router = Router();
  const { db, csrf, checkCsrf, sessionOf, layout } = deps;
  const admin = adminDepsOf(deps);
  const base = (slug: string, id: string) => `/staff/${slug}/integrations/${id}`;

  const detailPage = async (req: Request, res: Response, id: string, notice: Notice = {}) => {
    const { org, user } = sessionOf(res);
    const integration = await getIntegration(admin, user, id);
    const [{ callbacks }, { deliveries }] = await Promise.all([
      listStatusCallbacks(db, user, id, { limit: 20 }),
      listInboundDeliveries(db, user, id, 20),
    ]);
    const when = (date: string | null) => (date ? formatWhen(date, org.timeZone) : '—');
    const typedUrl = notice.typed?.callbackUrl ?? integration.callbackUrl ?? '';
    const chosen = notice.typed?.events ?? integration.callbackEvents;
    const problems = notice.problems ?? {};
    const token = csrf(req, res);
    const action = (path: string, label: string, extra: Html | string = '', style = '') =>
      html`<form method="post" action="${base(org.slug, id)}/${path}">
        <input type="hidden" name="_csrf" value="${token}" />${extra}
        <button type="submit" class="${style}">${label}</button>
      </form>`;
    return layout(
      req,
      res,
      integration.name,
      html`${notice.done ? html`<p class="ok" role="status">${notice.done}</p>` : ''}
        ${
          notice.ping
            ? notice.ping.delivered
              ? html`<p class="ok" role="status">Test sent: your EHR answered HTTP ${notice.ping.statusCode}.</p>`
              : html`<p class="error" role="alert">Test not delivered: ${notice.ping.error}.</p>`
            : ''
        }
        <div class="card">
          <p>
            ${integration.vendor ?? 'EHR'} · ${integration.active ? 'Active' : 'Disabled: its webhooks are refused'}
          </p>
          ${secretBlock('webhook-url', 'Webhook URL', integration.webhookUrl)}
          <p>
            Signing secret:
            ${
              integration.previousSecretExpiresAt
                ? html`the new one, and the previous one also until ${when(integration.previousSecretExpiresAt)}.`
                : 'set (shown only when it was made).'
            }
          </p>
          <h2>Rotate the signing secret</h2>
          ${action(
            'rotate',
            'Rotate secret…',
            html`<label for="overlap">Keep the current secret working for</label>
              <select id="overlap" name="overlap">
                ${OVERLAPS.map((hours) => html`<option value="${hours}">${overlapWords(hours)}</option>`)}
              </select>`,
            'secondary',
          )}
        </div>
        <form method="post" action="${base(org.slug, id)}/callbacks" class="card" style="margin-top:1rem">
          <h2>Status callbacks</h2>
          ${Object.keys(problems).length ? html`<p class="error" role="alert">Check the fields below.</p>` : ''}
          <input type="hidden" name="_csrf" value="${token}" />
          <label for="callbackUrl">Callback URL <span class="hint">(https; empty: no callbacks)</span></label>
          ${problems.callbackUrl ? html`<p class="field-error" id="callbackUrl-error">${problems.callbackUrl}</p>` : ''}
          <input
            id="callbackUrl"
            name="callbackUrl"
            type="url"
            maxlength="2000"
            value="${typedUrl}"
            ${problems.callbackUrl ? html`aria-invalid="true" aria-describedby="callbackUrl-error"` : ''}
          />
          <fieldset>
            <legend class="question-label" style="margin-top:1rem">Events <span class="hint">(none: all)</span></legend>
            <div class="choices">
              ${STATUS_CALLBACK_EVENTS.map(
                (event) =>
                  html`<label class="choice"
                    ><input type="checkbox" name="events" value="${event}" ${chosen.includes(event) ? 'checked' : ''} />
                    ${EVENT_WORDS[event]}</label
                  >`,
              )}
            </div>
          </fieldset>
          <button type="submit">Save callbacks</button>
        </form>
        ${integration.callbackUrl ? html`<div class="card" style="margin-top:1rem">${action('ping', 'Send a test ping', '', 'secondary')}</div>` : ''}
        <div class="card" style="margin-top:1rem">
          <h2>Callbacks we sent</h2>
          ${
            callbacks.length === 0
              ? html`<p>None yet.</p>`
              : html`<div class="table-scroll">
                  <table class="list">
                    <thead>
                      <tr>
                        <th scope="col">Event</th>
                        <th scope="col">Status</th>
                        <th scope="col">Attempts</th>
                        <th scope="col">Last attempt</th>
                        <th scope="col"><span class="visually-hidden">Action</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${callbacks.map(
                        (row) =>
                          html`<tr>
                            <td data-label="Event">${EVENT_WORDS[row.eventType]}</td>
                            <td data-label="Status">${row.status}${row.lastError ? ` (${row.lastError})` : ''}</td>
                            <td data-label="Attempts">${row.attempts}</td>
                            <td data-label="Last attempt">${when(row.lastAttemptAt)}</td>
                            <td>
                              ${row.status === 'FAILED' ? action(`callbacks/${row.id}/redeliver`, 'Send again', '', 'secondary') : ''}
                            </td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
          }
          <h2>Webhooks we received</h2>
          ${
            deliveries.length === 0
              ? html`<p>None yet.</p>`
              : html`<div class="table-scroll">
                  <table class="list">
                    <thead>
                      <tr>
                        <th scope="col">Received</th>
                        <th scope="col">Kind</th>
                        <th scope="col">Outcome</th>
                        <th scope="col">Webhook id</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${deliveries.map(
                        (row) =>
                          html`<tr>
                            <td data-label="Received">${when(row.receivedAt)}</td>
                            <td data-label="Kind">${row.action === 'chart.receive' ? 'Chart' : 'Invoice'}</td>
                            <td data-label="Outcome">
                              ${row.outcome === 'success' ? (row.duplicate ? 'Accepted (repeat)' : 'Accepted') : 'Refused'}
                            </td>
                            <td data-label="Webhook id"><code>${row.webhookId ?? '—'}</code></td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
          }
        </div>
        <div class="card" style="margin-top:1rem">
          ${
            integration.active
              ? action('disable', 'Disable integration…', '', 'danger')
              : action('enable', 'Re-enable integration', html`<input type="hidden" name="confirm" value="yes" />`)
          }
          <a class="button secondary" href="/staff/${org.slug}/integrations">All integrations</a>
        </div>`,
    );
  };

  /** Seed 001's rule for staff actions: what cannot be undone asks first. */
  const confirmPage = (
    req: Request,
    res: Response,
    id: string,
    path: string,
    title: string,
    words: Html,
    hidden: Html | string = '',
  ) => {
    const { org } = sessionOf(res);
    return layout(
      req,
      res,
      title,
      html`<form method="post" action="${base(org.slug, id)}/${path}" class="card">
        <input type="hidden" name="_csrf" value="${csrf(req, res)}" />${hidden}
        <p>${words}</p>
        <div class="actions" style="margin-top:1rem">
          <button type="submit" name="confirm" value="yes" class="danger">
            Yes, ${title.replace(/\?$/, '').toLowerCase()}
          </button>
          <a class="button secondary" href="${base(org.slug, id)}">No, go back</a>
        </div>
      </form>`,
    );
  };

  router.get('/staff/:orgSlug/integrations/:integrationId', async (req, res) => {
    send(res, 200, await detailPage(req, res, idOf(req.params.integrationId)));
  });

  router.post('/staff/:orgSlug/integrations/:integrationId/callbacks', async (req, res) => {
    checkCsrf(req);
    const { user } = sessionOf(res);
    const id = idOf(req.params.integrationId);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed = {
      callbackUrl: typeof body.callbackUrl === 'string' ? body.callbackUrl.trim() : '',
      events: listOf(body.events),
    };
    const patch = ZIntegrationPatch.safeParse({ callbackUrl: typed.callbackUrl || null, callbackEvents: typed.events });
    const problems = patch.success
      ? {}
      : Object.fromEntries(patch.error.issues.map((issue) => [String(issue.path[0]), issue.message]));
    if (patch.success) {
      try {
        await updateIntegration(admin, user, id, patch.data, originOf(req));
        send(res, 200, await detailPage(req, res, id, { done: 'Callbacks saved.' }));
        return;
      } catch (error: unknown) {
        if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
        for (const field of error.fields ?? [])
          Object.assign(problems, { [field.path]: `Callback URL ${field.message}.` });
      }
    }
    send(res, 400, await detailPage(req, res, id, { problems, typed }));
  });

  router.post('/staff/:orgSlug/integrations/:integrationId/ping', async (req, res) => {
    checkCsrf(req);
    const id = idOf(req.params.integrationId);
    const ping = await pingCallback(admin, sessionOf(res).user, id, originOf(req));
    send(res, 200, await detailPage(req, res, id, { ping }));
  });

  router.post('/staff/:orgSlug/integrations/:integrationId/rotate', async (req, res) => {
    checkCsrf(req);
    const { user } = sessionOf(res);
    const id = idOf(req.params.integrationId);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const hours = OVERLAPS.find((choice) => String(choice) === body.overlap) ?? 24;
    const integration = await getIntegration(admin, user, id);
    if (body.confirm !== 'yes') {
      const words = html`A new signing secret is made now and shown once. The current one keeps working for
      ${overlapWords(hours)}: put the new one into ${integration.vendor ?? 'your EHR'} before then.`;
      const hidden = html`<input type="hidden" name="overlap" value="${hours}" />`;
      send(res, 200, confirmPage(req, res, id, 'rotate', 'Rotate the signing secret?', words, hidden));
      return;
    }
    const until = new Date(Date.now() + hours * 60 * 60 * 1000).toISOString();
    const rotated = await rotateSigningSecret(admin, user, id, { previousValidUntil: until }, originOf(req));
    const { org } = sessionOf(res);
    send(
      res,
      200,
      layout(
        req,
        res,
        'New signing secret',
        html`<div class="card">
          <p class="ok" role="status">
            Copy it into your EHR now: it will not be shown again. The previous secret works until
            ${formatWhen(rotated.previousValidUntil, org.timeZone)}.
          </p>
          ${secretBlock('signing-secret', 'New signing secret', rotated.signingSecret)}
          <a class="button" href="${base(org.slug, id)}">Back to ${integration.name}</a>
        </div>`,
      ),
    );
  });

  for (const [path, active] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    router.post(`/staff/:orgSlug/integrations/:integrationId/${path}`, async (req, res) => {
      checkCsrf(req);
      const { user } = sessionOf(res);
      const id = idOf(req.params.integrationId);
      if ((req.body as Record<string, unknown> | undefined)?.confirm !== 'yes') {
        const words = html`Its webhooks will be refused, so no new onboardings start from it, and it gets no callbacks
        until it is re-enabled.`;
        send(res, 200, confirmPage(req, res, id, path, 'Disable this integration?', words));
        return;
      }
      await updateIntegration(admin, user, id, { active }, originOf(req));
      send(
        res,
        200,
        await detailPage(req, res, id, { done: active ? 'Integration re-enabled.' : 'Integration disabled.' }),
      );
    });
  }

  router.post('/staff/:orgSlug/integrations/:integrationId/callbacks/:callbackId/redeliver', async (req, res) => {
    checkCsrf(req);
    const id = idOf(req.params.integrationId);
    const callbackId = idOf(req.params.callbackId);
    await redeliverCallback(
      { ...admin, temporal: deps.temporal, taskQueue: deps.taskQueue },
      sessionOf(res).user,
      id,
      callbackId,
      originOf(req),
    );
    send(res, 200, await detailPage(req, res, id, { done: 'The callback is being sent again.' }));
  });

  return router;
}
