/**
 * The admin's API keys page (issue 19): the practice's keys with their scope,
 * holder, last use and expiry; making one (the key is shown on the answer to
 * the form and never again); revoking one behind a confirmation step.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { API_KEY_SCOPES, API_KEY_SCOPE_LABELS } from '../../domain/api-key-scope';
import { originOf } from '../../http/audit-context';
import { ZApiKeyCreate, type TApiKey, type TApiKeyCreated } from '../../schemas/api-keys';
import { AppError } from '../../use-cases/app-error';
import {
  assertMayManageApiKeys,
  createApiKey,
  listApiKeys,
  revokeApiKey,
} from '../../use-cases/accounts/manage-api-keys';
import { html } from '../html';
import { send } from '../send-page';
import { secretBlock } from './integrations';
import { formatWhen } from './status-label';
import type { StaffPages } from './staff-session';

const ZId = z.uuid();
/** The lifetimes the form offers, in days; 0 is "until revoked". */
const LIFETIMES = [30, 90, 365, 0] as const;
const lifetimeWords = (days: number) => (days === 0 ? 'No expiry (until revoked)' : `${days} days`);

const STATUS_WORDS: Record<TApiKey['status'], string> = { active: 'Active', expired: 'Expired', revoked: 'Revoked' };

interface Typed {
  name: string;
  scope: string;
  lifetime: string;
  staffUserId: string;
}

function idOf(value: string): string {
  const parsed = ZId.safeParse(value);
  if (!parsed.success) throw new AppError('NOT_FOUND', 'malformed API key id');
  return parsed.data;
}

export function apiKeyPageRoutes(deps: StaffPages): Router {
  const router = Router();
  const { db, csrf, checkCsrf, sessionOf, layout } = deps;
  const base = (slug: string) => `/staff/${slug}/api-keys`;

  const listPage = async (
    req: Request,
    res: Response,
    notice: { done?: string; typed?: Typed; problems?: Record<string, string> } = {},
  ) => {
    const { org, user } = sessionOf(res);
    const [{ apiKeys }, staff] = await Promise.all([
      listApiKeys(db, user),
      db.staffUser.findMany({
        where: { organizationId: org.id },
        orderBy: [{ displayName: 'asc' }, { id: 'asc' }],
        select: { id: true, displayName: true, role: true },
      }),
    ]);
    const when = (date: string | null, none = '—') => (date ? formatWhen(date, org.timeZone) : none);
    const typed = notice.typed ?? { name: '', scope: 'read', lifetime: '90', staffUserId: user.staffUserId };
    const problems = notice.problems ?? {};
    const token = csrf(req, res);
    const problem = (id: string, label: string) =>
      problems[id] ? html`<p class="field-error" id="${id}-error">${label} ${problems[id]}</p>` : '';
    const invalid = (id: string) => (problems[id] ? html`aria-invalid="true" aria-describedby="${id}-error"` : '');
    return layout(
      req,
      res,
      'API keys',
      html`${notice.done ? html`<p class="ok" role="status">${notice.done}</p>` : ''}
        <div class="card">
          ${
            apiKeys.length === 0
              ? html`<p>This practice has no API keys yet.</p>`
              : html`<div class="table-scroll">
                  <table class="list">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Key</th>
                        <th scope="col">Scope</th>
                        <th scope="col">Holder</th>
                        <th scope="col">Created</th>
                        <th scope="col">Last used</th>
                        <th scope="col">Expires</th>
                        <th scope="col">State</th>
                        <th scope="col"><span class="visually-hidden">Action</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${apiKeys.map(
                        (key) =>
                          html`<tr>
                            <td data-label="Name">${key.name}</td>
                            <td data-label="Key"><code>${key.prefix ? `${key.prefix}…` : '—'}</code></td>
                            <td data-label="Scope">${key.scope}</td>
                            <td data-label="Holder">${key.staffUser.displayName}</td>
                            <td data-label="Created">${when(key.createdAt)}</td>
                            <td data-label="Last used">${when(key.lastUsedAt, 'Never')}</td>
                            <td data-label="Expires">${when(key.expiresAt, 'Never')}</td>
                            <td data-label="State">${STATUS_WORDS[key.status]}</td>
                            <td data-label="Action">
                              ${
                                key.status === 'revoked'
                                  ? ''
                                  : html`<form method="post" action="${base(org.slug)}/${key.id}/revoke">
                                      <input type="hidden" name="_csrf" value="${token}" />
                                      <button type="submit" class="secondary" aria-label="Revoke ${key.name}…">
                                        Revoke…
                                      </button>
                                    </form>`
                              }
                            </td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
          }
        </div>
        <form method="post" action="${base(org.slug)}" class="card" style="margin-top:1rem">
          <h2>Make an API key</h2>
          <p>
            A key acts with its holder’s role, narrowed to its scope. It is shown once: copy it into the tool that needs
            it.
          </p>
          ${Object.keys(problems).length ? html`<p class="error" role="alert">Check the fields below.</p>` : ''}
          <input type="hidden" name="_csrf" value="${token}" />
          <label for="name">Name <span class="hint">(what the key is for)</span></label>
          ${problem('name', 'Name')}
          <input
            id="name"
            name="name"
            required
            maxlength="100"
            autocomplete="off"
            value="${typed.name}"
            ${invalid('name')}
          />
          <fieldset>
            <legend class="question-label" style="margin-top:1rem">Scope</legend>
            ${problem('scope', 'Scope')}
            <div class="choices">
              ${API_KEY_SCOPES.map(
                (scope) =>
                  html`<label class="choice"
                    ><input type="radio" name="scope" value="${scope}" ${typed.scope === scope ? 'checked' : ''} />
                    ${API_KEY_SCOPE_LABELS[scope]}</label
                  >`,
              )}
            </div>
          </fieldset>
          <label for="lifetime">Expires after</label>
          <select id="lifetime" name="lifetime">
            ${LIFETIMES.map(
              (days) =>
                html`<option value="${days}" ${typed.lifetime === String(days) ? 'selected' : ''}>
                  ${lifetimeWords(days)}
                </option>`,
            )}
          </select>
          <label for="staffUserId">Holder <span class="hint">(the key can do no more than their role)</span></label>
          ${problem('staffUserId', 'Holder')}
          <select id="staffUserId" name="staffUserId" ${invalid('staffUserId')}>
            ${staff.map(
              (member) =>
                html`<option value="${member.id}" ${typed.staffUserId === member.id ? 'selected' : ''}>
                  ${member.displayName} (${member.role.toLowerCase()})
                </option>`,
            )}
          </select>
          <button type="submit">Make key</button>
        </form>`,
    );
  };

  router.get('/staff/:orgSlug/api-keys', async (req, res) => {
    assertMayManageApiKeys(sessionOf(res).user);
    send(res, 200, await listPage(req, res));
  });

  router.post('/staff/:orgSlug/api-keys', async (req, res) => {
    checkCsrf(req);
    const { org, user } = sessionOf(res);
    assertMayManageApiKeys(user);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (key: string) => (typeof body[key] === 'string' ? body[key] : '');
    const typed: Typed = {
      name: text('name'),
      scope: text('scope'),
      lifetime: text('lifetime'),
      staffUserId: text('staffUserId'),
    };
    const days = LIFETIMES.find((choice) => String(choice) === typed.lifetime) ?? 90;
    const parsed = ZApiKeyCreate.safeParse({
      name: typed.name,
      scope: typed.scope,
      staffUserId: typed.staffUserId || undefined,
      ...(days > 0 ? { expiresAt: new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString() } : {}),
    });
    const problems = parsed.success
      ? {}
      : Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0]), issue.message]));
    if (parsed.success) {
      try {
        const created = await createApiKey(db, user, parsed.data, originOf(req));
        send(res, 201, createdPage(req, res, org.slug, created));
        return;
      } catch (error: unknown) {
        if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
        for (const field of error.fields ?? []) Object.assign(problems, { [field.path]: field.message });
      }
    }
    send(res, 400, await listPage(req, res, { typed, problems }));
  });

  /** The one time the key is shown. */
  const createdPage = (req: Request, res: Response, slug: string, created: TApiKeyCreated) =>
    layout(
      req,
      res,
      `${created.apiKey.name} is ready`,
      html`<div class="card">
        <p class="ok" role="status">
          Copy this key into the tool that needs it now. Only a fingerprint of it is kept: it will not be shown again.
        </p>
        ${secretBlock('api-key', `API key (scope ${created.apiKey.scope})`, created.secret)}
        <a class="button" href="${base(slug)}">All API keys</a>
      </div>`,
    );

  router.post('/staff/:orgSlug/api-keys/:apiKeyId/revoke', async (req, res) => {
    checkCsrf(req);
    const { org, user } = sessionOf(res);
    assertMayManageApiKeys(user);
    const id = idOf(req.params.apiKeyId);
    if ((req.body as Record<string, unknown> | undefined)?.confirm !== 'yes') {
      const { apiKeys } = await listApiKeys(db, user);
      const key = apiKeys.find((row) => row.id === id);
      if (!key) throw new AppError('NOT_FOUND', 'unknown API key');
      send(res, 200, confirmPage(req, res, org.slug, key));
      return;
    }
    const revoked = await revokeApiKey(db, user, id, originOf(req));
    send(res, 200, await listPage(req, res, { done: `${revoked.name} is revoked.` }));
  });

  /** Seed 001's rule for staff actions: what cannot be undone asks first. */
  const confirmPage = (req: Request, res: Response, slug: string, key: TApiKey) =>
    layout(
      req,
      res,
      'Revoke this API key?',
      html`<form method="post" action="${base(slug)}/${key.id}/revoke" class="card">
        <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
        <p>
          ${key.name} (${key.staffUser.displayName}’s, scope ${key.scope}) stops working at once, for good. Whatever
          uses it must be given a new key.
        </p>
        <div class="actions" style="margin-top:1rem">
          <button type="submit" name="confirm" value="yes" class="danger">Yes, revoke this API key</button>
          <a class="button secondary" href="${base(slug)}">No, go back</a>
        </div>
      </form>`,
    );

  return router;
}
