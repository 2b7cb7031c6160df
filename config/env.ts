/**
 * The service's whole configuration, read from environment variables once and
 * validated with zod. Nothing else in the code base reads process.env, so this
 * file (and the README's table, which mirrors it) is the list of knobs.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { temporalConfig } from '../temporal.config';

const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const port = z.coerce.number().int().min(0).max(65535);

/** Names Express (proxy-addr) understands for its own address ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function isAddressOrSubnet(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies' X-Forwarded-For to believe, so rate limits, the audit trail
 * and e-signatures see the client's address and not the load balancer's:
 * a hop count (`1` behind one ingress) or addresses and CIDR ranges of the
 * proxies (`10.0.0.0/8,loopback`). The default believes only a proxy on this
 * machine.
 */
const ZTrustProxy = z
  .string()
  .default('loopback')
  .transform((raw, ctx): number | string[] => {
    if (/^\d+$/.test(raw)) {
      const hops = Number(raw);
      if (hops > 10) {
        ctx.addIssue({ code: 'custom', message: 'must be a hop count from 0 to 10, or proxy addresses/CIDR ranges' });
        return z.NEVER;
      }
      return hops;
    }
    const entries = raw
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    if (entries.length === 0 || !entries.every(isAddressOrSubnet)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'must be a hop count (e.g. 1) or comma-separated proxy addresses and CIDR ranges (e.g. 10.0.0.0/8,loopback)',
      });
      return z.NEVER;
    }
    return entries;
  });

const ZServerEnv = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  /** Without a trailing slash, so links are built as `${base}/path` everywhere. */
  PUBLIC_BASE_URL: z
    .url()
    .default('http://localhost:3000')
    .transform((url) => url.replace(/\/+$/, '')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: ZTrustProxy,
});

const ZDatabaseEnv = z.object({
  DATABASE_URL: z
    .string({ error: 'is required (a postgresql:// connection string)' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection string'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
});

const ZTemporalEnv = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default(`localhost:${temporalConfig.devServer.port}`),
  TEMPORAL_NAMESPACE: z.string().min(1).default(temporalConfig.namespace),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(temporalConfig.taskQueue),
  /** Temporal Cloud API key; implies TLS. */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: bool.optional(),
  /** mTLS client certificate and key (PEM file paths). */
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** Base URL of the Temporal Web UI, for links printed to operators. */
  TEMPORAL_UI_URL: z.url().optional(),
  /**
   * How many workflows the worker keeps in memory between their tasks (the
   * SDK's maxCachedWorkflows); unset, the SDK's default, sized from the
   * process's memory. A smaller cache trades memory for replays when a cold
   * workflow wakes (npm run bench:waiting measures both).
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(1_000_000).optional(),
});

/**
 * Keys that encrypt every Temporal payload: "keyId:base64key" pairs,
 * comma-separated, newest first. The first encrypts; all decrypt, so a key can
 * be rotated without losing flows that are still running.
 */
const ZPayloadKeys = z.string({ error: 'is required: "keyId:base64-of-32-bytes[,older...]"' }).transform((raw, ctx) => {
  const keys: { id: string; key: Buffer }[] = [];
  for (const entry of raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(':');
    const id = separator > 0 ? entry.slice(0, separator) : '';
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id) || key.length !== 32) {
      ctx.addIssue({
        code: 'custom',
        message: 'each entry must be "keyId:base64" with a 32-byte key (openssl rand -base64 32)',
      });
      return z.NEVER;
    }
    keys.push({ id, key });
  }
  if (keys.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'needs at least one key' });
    return z.NEVER;
  }
  return keys;
});

/** Comma-separated organisation slugs (as in /staff/<slug>); blank entries ignored. */
const ZSlugList = z.string().transform((raw, ctx) => {
  const slugs = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (slugs.some((slug) => !/^[a-z0-9-]{1,64}$/.test(slug))) {
    ctx.addIssue({ code: 'custom', message: 'must be organisation slugs (a-z, 0-9, -), comma-separated' });
    return z.NEVER;
  }
  return [...new Set(slugs)];
});

const ZSecurityEnv = z.object({
  PAYLOAD_ENCRYPTION_KEYS: ZPayloadKeys,
  /**
   * The organisations that run this deployment: their ops engineers and
   * admins may use the codec endpoint (/codec), which decrypts any
   * practice's workflow payloads (there is one payload key per deployment).
   * Unset: nobody may, and the codec answers 403.
   */
  CODEC_OPERATOR_ORGANIZATIONS: ZSlugList.optional(),
  /**
   * Keys that encrypt the integration secrets stored in the database (webhook
   * signing and callback secrets), same format as PAYLOAD_ENCRYPTION_KEYS.
   * Unset: the payload keys. Newest first; `npm run secrets:encrypt`
   * re-encrypts every stored secret under the first.
   */
  SECRETS_ENCRYPTION_KEYS: ZPayloadKeys.optional(),
  /**
   * Signs registration-link tokens and CSRF tokens (HMAC, one purpose label
   * each). Changing it invalidates open forms, not stored links: those are
   * looked up by hash.
   */
  TOKEN_SIGNING_KEY: z
    .string({ error: 'is required: base64 of at least 32 random bytes (openssl rand -base64 32)' })
    .transform((raw) => Buffer.from(raw, 'base64'))
    .refine((key) => key.length >= 32, 'must be base64 of at least 32 bytes (openssl rand -base64 32)'),
  /**
   * Lets the worker call status callbacks over http and to loopback or private
   * addresses, so a harness on this machine (`npm run chaos`) can be the EHR.
   * Refused with NODE_ENV=production: there a callback must go over https to a
   * public address, or a practice could point it at our own network.
   */
  ALLOW_PRIVATE_CALLBACK_TARGETS: bool.default(false),
});

const ZEmailEnv = z.object({
  EMAIL_TRANSPORT: z.enum(['outbox', 'resend']).default('outbox'),
  EMAIL_FROM: z.string().min(3).default('Client Portal <portal@localhost>'),
  RESEND_API_KEY: z.string().min(1).optional(),
  /** Resend's API base URL; tests point it at a local stand-in. */
  RESEND_BASE_URL: z.url().optional(),
  /**
   * Signing secret of Resend's webhook (whsec_…, shown in Resend's dashboard
   * for the endpoint /v1/webhooks/email/resend). Unset: no delivery events are
   * received (and the outbox simulates none).
   */
  RESEND_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, 'must be a Resend webhook signing secret (whsec_ and base64)')
    .optional(),
  OUTBOX_DIR: z.string().min(1).default('.data/outbox'),
});

const ZPaymentsEnv = z.object({
  /**
   * The card processor: `stripe` (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET),
   * `local` (a test checkout page served by the API itself, for `npm start`:
   * no card is ever asked for), or `none` (the portal shows balances and
   * invoices but takes no payment, whatever a practice's switch says).
   */
  PAYMENTS_PROVIDER: z.enum(['none', 'stripe', 'local']).default('none'),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\S+$/, 'must be a Stripe secret or restricted key (sk_… or rk_…)')
    .optional(),
  /** Signing secret of the Stripe webhook endpoint /v1/webhooks/payments/stripe (whsec_…). */
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_\S+$/, 'must be a Stripe webhook signing secret (whsec_…)')
    .optional(),
  /** Stripe's API base URL; tests point it at stripe-mock. */
  STRIPE_API_BASE_URL: z.url().optional(),
});

const ZObservabilityEnv = z.object({
  /**
   * Bearer token a scraper must send to GET /metrics (API and worker). Unset:
   * the API serves /metrics to loopback clients only.
   */
  METRICS_TOKEN: z
    .string()
    .regex(/^\S{16,}$/, 'must be at least 16 characters without spaces (openssl rand -hex 24)')
    .optional(),
  /** The worker's own /metrics server, on HOST; unset = none. */
  WORKER_METRICS_PORT: port.optional(),
  /** host:port where Temporal Core exports the SDK's own metrics (Prometheus); unset = off. */
  TEMPORAL_METRICS_BIND_ADDRESS: z
    .string()
    .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9465')
    .optional(),
});

const ZEnv = ZServerEnv.extend(ZDatabaseEnv.shape)
  .extend(ZTemporalEnv.shape)
  .extend(ZSecurityEnv.shape)
  .extend(ZEmailEnv.shape)
  .extend(ZPaymentsEnv.shape)
  .extend(ZObservabilityEnv.shape);

/**
 * Rules between variables. Checked on the raw environment, apart from the
 * schema, so they are reported together with every other problem.
 */
function crossFieldProblems(env: Record<string, string>): string[] {
  const problems: string[] = [];
  if (env.EMAIL_TRANSPORT === 'resend' && !env.RESEND_API_KEY) {
    problems.push('RESEND_API_KEY is required when EMAIL_TRANSPORT=resend');
  }
  if (env.PAYMENTS_PROVIDER === 'stripe') {
    for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']) {
      if (!env[name]) problems.push(`${name} is required when PAYMENTS_PROVIDER=stripe`);
    }
  }
  if (env.NODE_ENV === 'production') problems.push(...developmentSettingsInProduction(env));
  if (Boolean(env.TEMPORAL_TLS_CERT_PATH) !== Boolean(env.TEMPORAL_TLS_KEY_PATH)) {
    problems.push(
      `${env.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH'} is required: ` +
        'mTLS needs both TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH',
    );
  }
  return problems;
}

/**
 * The production start scripts set NODE_ENV=production; then the settings
 * made for a developer's machine are refused: each would put PHI or money at
 * risk on a server reachable by others.
 */
function developmentSettingsInProduction(env: Record<string, string>): string[] {
  const problems: string[] = [];
  if (env.PAYMENTS_PROVIDER === 'local') {
    problems.push(
      'PAYMENTS_PROVIDER=local is for development only (its checkout page marks payments paid without a card): use stripe or none in production',
    );
  }
  if ((env.EMAIL_TRANSPORT ?? 'outbox') === 'outbox') {
    problems.push(
      'EMAIL_TRANSPORT=outbox is for development only (it writes emails, with their links and names, to local files): set EMAIL_TRANSPORT=resend in production',
    );
  }
  if (env.ALLOW_PRIVATE_CALLBACK_TARGETS === 'true' || env.ALLOW_PRIVATE_CALLBACK_TARGETS === '1') {
    problems.push(
      'ALLOW_PRIVATE_CALLBACK_TARGETS is for test harnesses only (it lets callbacks reach this machine and the private network): unset it in production',
    );
  }
  if (!(env.PUBLIC_BASE_URL ?? '').startsWith('https://')) {
    problems.push(
      'PUBLIC_BASE_URL must be an https:// URL in production (the links in emails and the secure cookies depend on it)',
    );
  }
  return problems;
}

export interface AppConfig {
  server: {
    host: string;
    port: number;
    publicBaseUrl: string;
    logLevel: z.infer<typeof ZServerEnv>['LOG_LEVEL'];
    /** TRUST_PROXY: a hop count, or the proxies' addresses and ranges, for Express's `trust proxy`. */
    trustProxy: number | string[];
  };
  database: { url: string; poolMax: number };
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
    uiUrl?: string;
    /** WORKER_MAX_CACHED_WORKFLOWS; unset: the SDK's default. */
    maxCachedWorkflows?: number;
  };
  payloadKeys: { id: string; key: Buffer }[];
  /** CODEC_OPERATOR_ORGANIZATIONS: slugs of the organisations whose ops and admins may use /codec; empty = nobody. */
  codecOperatorOrganizations: string[];
  /** SECRETS_ENCRYPTION_KEYS, or the payload keys when it is unset. */
  secretsKeys: { id: string; key: Buffer }[];
  tokenSigningKey: Buffer;
  /** ALLOW_PRIVATE_CALLBACK_TARGETS: never true with NODE_ENV=production (loadConfig refuses it). */
  allowPrivateCallbackTargets: boolean;
  email: {
    transport: 'outbox' | 'resend';
    from: string;
    resendApiKey?: string;
    resendBaseUrl?: string;
    /** RESEND_WEBHOOK_SECRET: verifies Resend's delivery events (and signs the outbox's simulated ones). */
    webhookSecret?: string;
    outboxDir: string;
  };
  payments: PaymentsConfig;
  observability: ObservabilityConfig;
}

export type PaymentsConfig =
  | { provider: 'none' }
  | { provider: 'local' }
  | { provider: 'stripe'; secretKey: string; webhookSecret: string; apiBaseUrl?: string };

export interface ObservabilityConfig {
  metricsToken?: string;
  workerMetricsPort?: number;
  temporalMetricsBindAddress?: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/**
 * Parses the environment. Throws ConfigError naming every bad or missing
 * variable (never its value: some are secrets).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = withoutEmptyStrings(env);
  const parsed = ZEnv.safeParse(raw);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'} ${issue.message}`)),
    ...crossFieldProblems(raw),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const tlsWanted = e.TEMPORAL_TLS ?? Boolean(e.TEMPORAL_API_KEY || e.TEMPORAL_TLS_CERT_PATH || e.TEMPORAL_TLS_CA_PATH);
  return {
    server: {
      host: e.HOST,
      port: e.PORT,
      publicBaseUrl: e.PUBLIC_BASE_URL,
      logLevel: e.LOG_LEVEL,
      trustProxy: e.TRUST_PROXY,
    },
    database: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      ...(e.WORKER_MAX_CACHED_WORKFLOWS !== undefined ? { maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS } : {}),
      ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
      ...(tlsWanted
        ? {
            tls: {
              certPath: e.TEMPORAL_TLS_CERT_PATH,
              keyPath: e.TEMPORAL_TLS_KEY_PATH,
              caPath: e.TEMPORAL_TLS_CA_PATH,
              serverName: e.TEMPORAL_TLS_SERVER_NAME,
            },
          }
        : {}),
      ...(e.TEMPORAL_UI_URL ? { uiUrl: e.TEMPORAL_UI_URL } : {}),
    },
    payloadKeys: e.PAYLOAD_ENCRYPTION_KEYS,
    codecOperatorOrganizations: e.CODEC_OPERATOR_ORGANIZATIONS ?? [],
    secretsKeys: e.SECRETS_ENCRYPTION_KEYS ?? e.PAYLOAD_ENCRYPTION_KEYS,
    tokenSigningKey: e.TOKEN_SIGNING_KEY,
    allowPrivateCallbackTargets: e.ALLOW_PRIVATE_CALLBACK_TARGETS,
    email: {
      transport: e.EMAIL_TRANSPORT,
      from: e.EMAIL_FROM,
      ...(e.RESEND_API_KEY ? { resendApiKey: e.RESEND_API_KEY } : {}),
      ...(e.RESEND_BASE_URL ? { resendBaseUrl: e.RESEND_BASE_URL } : {}),
      ...(e.RESEND_WEBHOOK_SECRET ? { webhookSecret: e.RESEND_WEBHOOK_SECRET } : {}),
      outboxDir: e.OUTBOX_DIR,
    },
    payments: paymentsOf(e),
    observability: observabilityOf(e),
  };
}

function paymentsOf(e: z.infer<typeof ZPaymentsEnv>): PaymentsConfig {
  if (e.PAYMENTS_PROVIDER !== 'stripe') return { provider: e.PAYMENTS_PROVIDER };
  return {
    provider: 'stripe',
    // crossFieldProblems has made sure both are there.
    secretKey: e.STRIPE_SECRET_KEY!,
    webhookSecret: e.STRIPE_WEBHOOK_SECRET!,
    ...(e.STRIPE_API_BASE_URL ? { apiBaseUrl: e.STRIPE_API_BASE_URL } : {}),
  };
}

function observabilityOf(e: z.infer<typeof ZObservabilityEnv>): ObservabilityConfig {
  return {
    ...(e.METRICS_TOKEN ? { metricsToken: e.METRICS_TOKEN } : {}),
    ...(e.WORKER_METRICS_PORT !== undefined ? { workerMetricsPort: e.WORKER_METRICS_PORT } : {}),
    ...(e.TEMPORAL_METRICS_BIND_ADDRESS ? { temporalMetricsBindAddress: e.TEMPORAL_METRICS_BIND_ADDRESS } : {}),
  };
}

/**
 * The observability settings alone, for `npm start`, which must install
 * Temporal's runtime (and its metrics exporter) before it has the rest of its
 * configuration. Same schema and messages as loadConfig.
 */
export function loadObservabilityConfig(env: NodeJS.ProcessEnv = process.env): ObservabilityConfig {
  const parsed = ZObservabilityEnv.safeParse(withoutEmptyStrings(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  return observabilityOf(parsed.data);
}

const ZSecretsKeysEnv = z.object({
  PAYLOAD_ENCRYPTION_KEYS: ZPayloadKeys.optional(),
  SECRETS_ENCRYPTION_KEYS: ZPayloadKeys.optional(),
});

/**
 * The integration-secrets keys alone (SECRETS_ENCRYPTION_KEYS, else
 * PAYLOAD_ENCRYPTION_KEYS), for scripts that only touch the database
 * (db:seed, secrets:encrypt). Same schema and messages as loadConfig.
 */
export function loadSecretsKeys(env: NodeJS.ProcessEnv = process.env): { id: string; key: Buffer }[] {
  const parsed = ZSecretsKeysEnv.safeParse(withoutEmptyStrings(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  const keys = parsed.data.SECRETS_ENCRYPTION_KEYS ?? parsed.data.PAYLOAD_ENCRYPTION_KEYS;
  if (!keys) {
    throw new ConfigError([
      'SECRETS_ENCRYPTION_KEYS (or PAYLOAD_ENCRYPTION_KEYS) is required: "keyId:base64-of-32-bytes[,older...]"',
    ]);
  }
  return keys;
}

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection string');

const ZMigrationEnv = z.object({
  /** The service's connection: in production a login that is a member of portal_service, not the owner. */
  DATABASE_URL: postgresUrl.optional(),
  /** The owner's connection, for migrations only; unset = DATABASE_URL (one role for both, as before). */
  DATABASE_MIGRATE_URL: postgresUrl.optional(),
});

export interface MigrationConfig {
  /** Runs the migrations and owns the tables. */
  migrateUrl: string;
  /** What the service connects with; its user is made a login member of portal_service unless it is the owner. */
  serviceUrl: string;
}

/**
 * The two database roles for `npm run db:migrate`: DATABASE_MIGRATE_URL (the
 * owner, runs the migrations) and DATABASE_URL (the service, which may insert
 * into but never rewrite the audit trail). Same messages as loadConfig.
 */
export function loadMigrationConfig(env: NodeJS.ProcessEnv = process.env): MigrationConfig {
  const parsed = ZMigrationEnv.safeParse(withoutEmptyStrings(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  const migrateUrl = parsed.data.DATABASE_MIGRATE_URL ?? parsed.data.DATABASE_URL;
  if (!migrateUrl) {
    throw new ConfigError([
      'DATABASE_MIGRATE_URL (the owner, for migrations) or DATABASE_URL is required (a postgresql:// connection string)',
    ]);
  }
  return { migrateUrl, serviceUrl: parsed.data.DATABASE_URL ?? migrateUrl };
}

/** `FOO=` in a .env file or a shell means "unset", not "the empty string". */
function withoutEmptyStrings(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}
