import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Db } from '../../db/client';

/**
 * Liveness (the process answers) and readiness (it can reach the database and
 * Temporal). A load balancer should route only to ready instances.
 */
export function healthRoutes(deps: { db: Db; temporal: Client }): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const [database, temporal] = await Promise.all([
      deps.db.$queryRaw`SELECT 1`.then(
        () => 'ok' as const,
        () => 'unavailable' as const,
      ),
      deps.temporal.workflowService.getSystemInfo({}).then(
        () => 'ok' as const,
        () => 'unavailable' as const,
      ),
    ]);
    const ready = database === 'ok' && temporal === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: { database, temporal } });
  });

  return router;
}
