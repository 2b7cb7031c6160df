import type { Request } from 'express';

/**
 * The Express route template a request matched (`/portal/register/:token`),
 * or `unmatched`. Never the raw path: paths carry ids and registration
 * tokens, which must stay out of logs and metric labels.
 *
 * `req.baseUrl` is left out on purpose: it is the raw matched prefix, so a
 * router mounted at a parameterised path would leak through it. Every router
 * is mounted at the root (app/http-app.ts), where the template is the whole path.
 */
export function routeTemplate(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  return typeof route?.path === 'string' ? route.path : 'unmatched';
}
