import { apiKeyRoutes } from '../api/routes/api-keys';
import { staffRoutes } from '../api/routes/staff';
import { staffInvitationRoutes } from '../api/routes/staff-invitations';
import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import type { Db } from '../db/client';
import type { Logger } from '../observability/logger';
import { createMetrics, type AppMetrics } from '../observability/metrics';
import { countStatusTransitions } from '../observability/status-transitions';
import { AppError } from '../use-cases/app-error';
import { errorHandler } from '../http/error-handler';
import { practiceOfPath } from '../web/practice-contact';
import { httpMetrics } from '../http/http-metrics';
import { methodNotAllowed, openApiDocument } from '../api/openapi';
import { keepRawBody } from '../http/raw-body';
import { isParsedAfterAuth } from '../http/body-limits';
import { requestContext } from '../http/request-context';
import { securityHeaders } from '../http/security-headers';
import { ehrWebhookRoutes } from '../api/routes/ehr-webhooks';
import { healthRoutes } from '../api/routes/health';
import { metricsRoutes } from '../api/routes/metrics';
import { clientAuditRoutes } from '../api/routes/client-audit';
import { devEmailRoutes } from '../web/dev/outbox';
import { formRoutes } from '../api/routes/forms';
import { integrationCallbackRoutes } from '../api/routes/integration-callbacks';
import { integrationRoutes } from '../api/routes/integrations';
import { practiceSettingsRoutes } from '../api/routes/practice-settings';
import { onboardingRoutes } from '../api/routes/onboardings';
import { portalUserRoutes } from '../api/routes/portal-users';
import { opsRoutes } from '../api/routes/ops';
import { portalRoutes } from '../web/portal/portal-routes';
import { staffDashboardRoutes } from '../web/staff/staff-routes';
import { temporalCodecRoutes } from '../api/routes/temporal-codec';
import type { PayloadKey } from '../temporal/payload-codec';
import { createSecretBox, type SecretBox } from '../security/secret-box';
import type { LocalPaymentProvider } from '../payments/local-provider';
import type { PaymentProvider } from '../payments/payment-provider';
import { devCheckoutRoutes } from '../web/dev/local-checkout';
import { paymentWebhookRoutes } from '../api/routes/payment-webhooks';
import { serviceIndexRoutes } from '../web/service-index';
import { emailWebhookRoutes } from '../api/routes/email-webhooks';

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
  /** Served at GET /metrics; a fresh registry when not given. `npm start` shares one with its worker. */
  metrics?: AppMetrics;
  /** Required as a bearer token by GET /metrics; without it, /metrics answers loopback clients only. */
  metricsToken?: string;
  /** Base URL of the Temporal Web UI (TEMPORAL_UI_URL): the ops API links each flow to it. */
  temporalUiUrl?: string;
  /** The payload keys, for the Temporal Web UI's codec endpoint (/codec); without them it is not served. */
  payloadKeys?: PayloadKey[];
  /**
   * Slugs of the organisations that operate the deployment (CODEC_OPERATOR_ORGANIZATIONS): only their
   * ops engineers and admins may use /codec. None (the default): the codec refuses everyone.
   */
  codecOperatorOrganizations?: readonly string[];
  /**
   * Opens the integration secrets stored encrypted (webhook signing secrets),
   * and seals and opens the staff's TOTP secrets (second factor).
   * Without it only plaintext secrets open and no second factor can be set
   * up: for tests and benches that need neither. app/from-config.ts always passes it.
   */
  secretBox?: SecretBox;
  /**
   * The card processor (PAYMENTS_PROVIDER): Stripe's webhook is served at
   * /v1/webhooks/payments/stripe; the local one serves its checkout page at
   * /dev/checkout. Without it the portal shows balances but takes no payment.
   */
  payments?: PaymentProvider;
  /**
   * TRUST_PROXY: whose X-Forwarded-For names the client (a hop count, or the
   * proxies' addresses and ranges). Default: a proxy on this machine only.
   */
  trustProxy?: number | string[];
  /**
   * RESEND_WEBHOOK_SECRET: Resend's delivery events are received at
   * /v1/webhooks/email/resend, verified with it. Without it the route is not served.
   */
  emailWebhookSecret?: string;
  /**
   * Lets admins point callbacks (and test pings) at http and private
   * addresses: tests and `npm start`, whose EHR stand-ins are on this machine.
   */
  allowPrivateCallbackTargets?: boolean;
}

/** A webhook is a few kB; anything much larger is a mistake or an attack. */
const BODY_LIMIT = '64kb';

export function createApp(deps: ApiDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? 'loopback');

  const metrics = deps.metrics ?? createMetrics();
  // Use cases write status changes inside transactions that see only `tx`: count this client's commits.
  countStatusTransitions(deps.db, metrics);

  app.use(requestContext(deps.logger));
  app.use(httpMetrics(metrics));
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
  const jsonBody = express.json({
    limit: BODY_LIMIT,
    strict: true,
    type: ['application/json', 'application/*+json'],
    // Webhook signatures cover the exact bytes sent, not our re-serialisation of them.
    verify: keepRawBody,
  });
  // Before the JSON parser: Svix signs the exact bytes, which this route reads raw.
  if (deps.emailWebhookSecret) app.use(emailWebhookRoutes({ ...deps, secret: deps.emailWebhookSecret }));
  // Larger bodies wait for their route's own parser, which runs after the caller is authenticated.
  app.use((req, res, next) => (isParsedAfterAuth(req) ? next() : jsonBody(req, res, next)));

  app.use(healthRoutes(deps));
  // A person opening the bare address finds the dashboard, the portal and the docs, not a JSON 404.
  app.use(serviceIndexRoutes({ db: deps.db, outboxDir: deps.outboxDir }));
  app.use(metricsRoutes({ metrics, metricsToken: deps.metricsToken }));
  const openApi = openApiDocument(deps.publicBaseUrl, {
    paymentsProvider: deps.payments?.kind ?? null,
    codec: Boolean(deps.payloadKeys),
    emailEvents: Boolean(deps.emailWebhookSecret),
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(ehrWebhookRoutes({ ...deps, secretBox: deps.secretBox ?? createSecretBox([]) }));
  app.use(onboardingRoutes(deps));
  app.use(portalUserRoutes(deps));
  app.use(opsRoutes(deps));
  app.use(formRoutes(deps));
  app.use(clientAuditRoutes(deps));
  app.use(integrationCallbackRoutes(deps));
  app.use(integrationRoutes({ ...deps, secretBox: deps.secretBox ?? createSecretBox([]) }));
  app.use(practiceSettingsRoutes(deps));
  app.use(apiKeyRoutes(deps));
  app.use(staffInvitationRoutes(deps));
  app.use(staffRoutes(deps));
  // The local provider reports in-process; only a real provider posts webhooks to us.
  if (deps.payments && deps.payments.kind !== 'local')
    app.use(paymentWebhookRoutes({ ...deps, payments: deps.payments }));
  app.use(portalRoutes({ ...deps, payments: deps.payments ?? null }));
  if (deps.payments?.kind === 'local') {
    app.use(devCheckoutRoutes({ ...deps, payments: deps.payments as LocalPaymentProvider }));
  }
  if (deps.payloadKeys) {
    app.use(
      temporalCodecRoutes({
        db: deps.db,
        payloadKeys: deps.payloadKeys,
        temporalUiUrl: deps.temporalUiUrl,
        secureCookies: deps.publicBaseUrl.startsWith('https://'),
        operatorOrganizations: deps.codecOperatorOrganizations ?? [],
      }),
    );
  }
  app.use(staffDashboardRoutes({ ...deps, metrics, secretBox: deps.secretBox ?? createSecretBox([]) }));
  if (deps.outboxDir) app.use(devEmailRoutes({ outboxDir: deps.outboxDir }));

  app.use(methodNotAllowed(openApi as { paths: Record<string, object> }));
  app.use((_req, _res, next) => {
    next(new AppError('NOT_FOUND', 'no such route'));
  });
  app.use(errorHandler(deps.logger, (path) => practiceOfPath(deps.db, path)));
  return app;
}
