import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import type { Db } from '../db/client';
import type { Logger } from '../observability/logger';
import { AppError } from './app-error';
import { errorHandler } from './error-handler';
import { openApiDocument } from './openapi';
import { keepRawBody } from './raw-body';
import { requestContext } from './request-context';
import { securityHeaders } from './security-headers';
import { ehrWebhookRoutes } from './routes/ehr-webhooks';
import { healthRoutes } from './routes/health';
import { clientAuditRoutes } from './routes/client-audit';
import { devEmailRoutes } from './routes/dev-emails';
import { formRoutes } from './routes/forms';
import { onboardingRoutes } from './routes/onboardings';
import { portalRoutes } from './routes/portal';
import { staffDashboardRoutes } from './routes/staff-dashboard';

export interface ApiDependencies {
  db: Db;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  tokenSigningKey: Buffer;
  /** The API's public URL, for links in pages. */
  publicBaseUrl: string;
  /** Local development only: the email outbox folder to browse at /dev/outbox. */
  outboxDir?: string;
}

/** A webhook is a few kB; anything much larger is a mistake or an attack. */
const BODY_LIMIT = '64kb';
const FORM_BODY_LIMIT = '512kb';

export function createApp(deps: ApiDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use(requestContext(deps.logger));
  app.use(securityHeaders(deps.publicBaseUrl.startsWith('https://')));
  app.use((req, _res, next) => {
    const hasBody =
      req.headers['content-length'] !== '0' && (req.headers['content-length'] || req.headers['transfer-encoding']);
    if (hasBody && req.path.startsWith('/v1/') && !req.is(['application/json', 'application/*+json'])) {
      next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'body is not JSON'));
      return;
    }
    next();
  });
  // A form definition carries whole consent and privacy texts.
  app.use(
    '/v1/forms',
    express.json({ limit: FORM_BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] }),
  );
  app.use(
    express.json({
      limit: BODY_LIMIT,
      strict: true,
      type: ['application/json', 'application/*+json'],
      // Webhook signatures cover the exact bytes sent, not our re-serialisation of them.
      verify: keepRawBody,
    }),
  );

  app.use(healthRoutes(deps));
  const openApi = openApiDocument(deps.publicBaseUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(ehrWebhookRoutes(deps));
  app.use(onboardingRoutes(deps));
  app.use(formRoutes(deps));
  app.use(clientAuditRoutes(deps));
  app.use(portalRoutes(deps));
  app.use(staffDashboardRoutes(deps));
  if (deps.outboxDir) app.use(devEmailRoutes({ outboxDir: deps.outboxDir }));

  app.use((_req, _res, next) => {
    next(new AppError('NOT_FOUND', 'no such route'));
  });
  app.use(errorHandler(deps.logger));
  return app;
}
