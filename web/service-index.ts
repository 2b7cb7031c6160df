import { Router } from 'express';
import type { Db } from '../db/client';
import { html, page } from './html';
import { send } from './send-page';

/** How many practices the index names by link; more than this and it explains instead of listing. */
const LINKED_PRACTICES = 1;

/**
 * GET /: where a person who opens the service's address should go, instead
 * of a JSON 404. Not an API operation (it is not in the OpenAPI document):
 * programs get the same links as JSON. A deployment that serves one
 * practice links its sign-in pages; one that serves several does not list
 * them to strangers, and says where each practice's link comes from.
 */
export function serviceIndexRoutes(deps: { db: Db; outboxDir?: string }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const practices = await deps.db.organization.findMany({
      orderBy: { createdAt: 'asc' },
      take: LINKED_PRACTICES + 1,
      select: { slug: true, name: true },
    });
    const only = practices.length === LINKED_PRACTICES ? practices[0] : undefined;
    const links = {
      apiDocument: '/openapi.json',
      health: '/healthz',
      readiness: '/readyz',
      ...(only ? { staffDashboard: `/staff/${only.slug}`, portalSignIn: `/portal/${only.slug}/login` } : {}),
      ...(deps.outboxDir ? { emailOutbox: '/dev/outbox' } : {}),
    };
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ service: 'Client Portal onboarding', links });
      return;
    }
    // The API's default policy allows no styles; this is a page like the portal's.
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    send(
      res,
      200,
      page({
        title: 'Client Portal',
        practiceName: only?.name,
        body: html`<div class="card">
          <h2>Clients</h2>
          ${
            only
              ? html`<p><a href="${links.portalSignIn}">Sign in to ${only.name}'s client portal</a></p>`
              : html`<p>Use the link in the email from your practice: each practice has its own sign-in page.</p>`
          }
          <h2>Practice staff</h2>
          ${
            only
              ? html`<p><a href="${links.staffDashboard}">Staff dashboard of ${only.name}</a></p>`
              : html`<p>Your dashboard is at /staff/ followed by your practice's id, as your administrator gave it.</p>`
          }
          <h2>Developers and operators</h2>
          <ul>
            <li><a href="/openapi.json">API document (OpenAPI 3.1)</a></li>
            <li><a href="/healthz">Health</a> and <a href="/readyz">readiness</a></li>
            ${deps.outboxDir ? html`<li><a href="/dev/outbox">Email outbox</a> (local development)</li>` : ''}
          </ul>
        </div>`,
      }),
    );
  });
  return router;
}
