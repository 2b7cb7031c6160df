import type { RequestHandler } from 'express';
import type { AppMetrics } from '../observability/metrics';
import { routeTemplate } from './route-template';

/**
 * Counts and times every request by method, route template and status, once
 * its response has finished (so after any error handler has set the status).
 */
export function httpMetrics(metrics: AppMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const labels = { method: req.method, route: routeTemplate(req), status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpRequestDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
