/**
 * The admin's EHR integrations page (issue 19): the list, and creating one,
 * whose secrets are shown on the answer to the create form and never again.
 */
import { Router, type Request, type Response } from 'express';
import { originOf } from '../../http/audit-context';
import { ZIntegrationCreate, type TIntegrationCreated } from '../../schemas/integrations';
import {
  assertMayManageIntegrations,
  createIntegration,
  listIntegrations,
  type IntegrationAdminDeps,
} from '../../use-cases/integrations/manage-integrations';
import { html, type Html } from '../html';
import { send } from '../send-page';
import type { StaffPages } from './staff-session';

/** The two inputs of the create form, with what was typed and what is wrong with it. */
export function nameAndVendorFields(typed: { name?: string; vendor?: string }, problems: Record<string, string>): Html {
  const field = (id: 'name' | 'vendor', label: string, hint: string) =>
    html`<label for="${id}">${label} <span class="hint">${hint}</span></label>
      ${problems[id] ? html`<p class="field-error" id="${id}-error">${label} ${problems[id]}</p>` : ''}
      <input
        id="${id}"
        name="${id}"
        required
        maxlength="100"
        autocomplete="off"
        value="${typed[id] ?? ''}"
        ${problems[id] ? html`aria-invalid="true" aria-describedby="${id}-error"` : ''}
      />`;
  return html`${field('name', 'Name', '(how your staff will recognise it)')}
  ${field('vendor', 'Vendor', '(who makes the EHR)')}`;
}

/** A secret in a box that is easy to select and copy, with its name for screen readers. */
export function secretBlock(id: string, label: string, value: string): Html {
  return html`<label for="${id}">${label}</label>
    <input id="${id}" readonly value="${value}" class="secret" spellcheck="false" autocomplete="off" />`;
}

export function adminDepsOf(deps: StaffPages): IntegrationAdminDeps {
  return {
    db: deps.db,
    secretBox: deps.secretBox,
    publicBaseUrl: deps.publicBaseUrl,
    allowPrivateCallbackTargets: deps.allowPrivateCallbackTargets ?? false,
  };
}

export function integrationListRoutes(deps: StaffPages): Router {
  const router = Router();
  const { csrf, checkCsrf, sessionOf, layout } = deps;
  const admin = adminDepsOf(deps);

  const listPage = async (
    req: Request,
    res: Response,
    typed: { name?: string; vendor?: string } = {},
    problems: Record<string, string> = {},
  ) => {
    const { org, user } = sessionOf(res);
    const { integrations } = await listIntegrations(admin, user);
    return layout(
      req,
      res,
      'EHR integrations',
      html`<div class="card">
          ${
            integrations.length === 0
              ? html`<p>No EHR sends charts to this practice yet.</p>`
              : html`<table class="list">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Vendor</th>
                      <th scope="col">State</th>
                      <th scope="col">Callbacks</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${integrations.map(
                      (row) =>
                        html`<tr>
                          <td data-label="Name">
                            <a href="/staff/${org.slug}/integrations/${row.id}">${row.name}</a>
                          </td>
                          <td data-label="Vendor">${row.vendor ?? '—'}</td>
                          <td data-label="State">${row.active ? 'Active' : 'Disabled'}</td>
                          <td data-label="Callbacks">${row.callbackUrl ?? 'None'}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
        </div>
        <form method="post" action="/staff/${org.slug}/integrations" class="card" style="margin-top:1rem">
          <h2>Add an integration</h2>
          <p>
            You get the address your EHR sends webhooks to and the secrets it signs them with. The secrets are shown
            once.
          </p>
          ${Object.keys(problems).length ? html`<p class="error" role="alert">Check the fields below.</p>` : ''}
          <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
          ${nameAndVendorFields(typed, problems)}
          <button type="submit">Create integration</button>
        </form>`,
    );
  };

  router.get('/staff/:orgSlug/integrations', async (req, res) => {
    assertMayManageIntegrations(sessionOf(res).user);
    send(res, 200, await listPage(req, res));
  });

  router.post('/staff/:orgSlug/integrations', async (req, res) => {
    checkCsrf(req);
    const { org, user } = sessionOf(res);
    assertMayManageIntegrations(user);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed = {
      name: typeof body.name === 'string' ? body.name : '',
      vendor: typeof body.vendor === 'string' ? body.vendor : '',
    };
    const parsed = ZIntegrationCreate.safeParse(typed);
    if (!parsed.success) {
      const problems = Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0]), issue.message]));
      send(res, 400, await listPage(req, res, typed, problems));
      return;
    }
    const created = await createIntegration(admin, user, parsed.data, originOf(req));
    send(res, 201, createdPage(req, res, org.slug, created));
  });

  /** The one time the secrets are shown. */
  const createdPage = (req: Request, res: Response, slug: string, created: TIntegrationCreated) =>
    layout(
      req,
      res,
      `${created.integration.name} is ready`,
      html`<div class="card">
        <p class="ok" role="status">
          Copy these into your EHR now. The secrets are stored encrypted and will not be shown again.
        </p>
        ${secretBlock('webhook-url', 'Webhook URL', created.integration.webhookUrl)}
        ${secretBlock('signing-secret', 'Signing secret (your EHR signs webhooks with it)', created.signingSecret)}
        ${secretBlock('callback-secret', 'Callback secret (we sign status callbacks with it)', created.callbackSecret)}
        <a class="button" href="/staff/${slug}/integrations/${created.integration.id}">Set up callbacks</a>
      </div>`,
    );

  return router;
}
