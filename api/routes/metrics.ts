import { Router } from 'express';
import { hasMetricsToken, isLoopback } from '../../observability/metrics-access';
import type { AppMetrics } from '../../observability/metrics';
import { AppError } from '../../use-cases/app-error';

/**
 * Prometheus scrape endpoint, on the public API port. With METRICS_TOKEN set
 * a scraper must send it as a bearer token; without one, only clients on this
 * machine (a sidecar, an operator's curl) may read it and everyone else gets
 * the 404 of a route that does not exist. Behind a reverse proxy on the same
 * host, req.ip is the proxy's X-Forwarded-For client ('trust proxy' is
 * loopback), so public callers stay outside as long as the proxy sets it.
 */
export function metricsRoutes(deps: { metrics: AppMetrics; metricsToken?: string }): Router {
  const router = Router();

  router.get('/metrics', async (req, res) => {
    if (deps.metricsToken) {
      if (!hasMetricsToken(req.get('authorization'), deps.metricsToken)) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        throw new AppError('UNAUTHENTICATED', 'metrics scrape without the metrics token');
      }
    } else if (!isLoopback(req.ip)) {
      throw new AppError('NOT_FOUND', 'metrics scrape from a non-loopback client and no METRICS_TOKEN set');
    }
    const body = await deps.metrics.registry.metrics();
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(body);
  });

  return router;
}
