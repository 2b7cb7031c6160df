import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, loadMigrationConfig, loadSecretsKeys } from '../../config/env';

const key = `k1:${randomBytes(32).toString('base64')}`;
const minimal = {
  DATABASE_URL: 'postgresql://u:p@db:5432/onboarding',
  PAYLOAD_ENCRYPTION_KEYS: key,
  TOKEN_SIGNING_KEY: randomBytes(32).toString('base64'),
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults for everything but the database and the payload keys', () => {
    const config = loadConfig(minimal);
    expect(config.temporal).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
      taskQueue: 'client-onboarding',
    });
    expect(config.server.port).toBe(3000);
    expect(config.email.transport).toBe('outbox');
    expect(config.payloadKeys).toHaveLength(1);
    expect(config.payloadKeys[0]!.key).toHaveLength(32);
  });

  it('names every missing or bad variable at once', () => {
    const problems = problemsOf({ PORT: 'eighty', EMAIL_TRANSPORT: 'resend' });
    expect(problems.join('\n')).toMatch(/DATABASE_URL/);
    expect(problems.join('\n')).toMatch(/PAYLOAD_ENCRYPTION_KEYS/);
    expect(problems.join('\n')).toMatch(/TOKEN_SIGNING_KEY/);
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/RESEND_API_KEY is required when EMAIL_TRANSPORT=resend/);
  });

  it('never echoes a secret value in its message', () => {
    const badKey = `k1:${randomBytes(16).toString('base64')}`;
    const problems = problemsOf({ ...minimal, PAYLOAD_ENCRYPTION_KEYS: badKey });
    expect(problems.join('\n')).toMatch(/PAYLOAD_ENCRYPTION_KEYS/);
    expect(problems.join('\n')).not.toContain(badKey.slice(3));
  });

  it('treats an empty variable as unset', () => {
    expect(problemsOf({ ...minimal, DATABASE_URL: '' }).join('\n')).toMatch(/DATABASE_URL is required/);
  });

  it('turns on TLS for Temporal Cloud API keys and requires both halves of an mTLS pair', () => {
    expect(loadConfig({ ...minimal, TEMPORAL_API_KEY: 'secret' }).temporal.tls).toBeDefined();
    expect(problemsOf({ ...minimal, TEMPORAL_TLS_CERT_PATH: '/tls/client.pem' }).join('\n')).toMatch(
      /TEMPORAL_TLS_KEY_PATH/,
    );
  });

  it('accepts several payload keys for rotation, newest first', () => {
    const older = `k0:${randomBytes(32).toString('base64')}`;
    const config = loadConfig({ ...minimal, PAYLOAD_ENCRYPTION_KEYS: `${key},${older}` });
    expect(config.payloadKeys.map((k) => k.id)).toEqual(['k1', 'k0']);
  });
});

describe('PUBLIC_BASE_URL', () => {
  it('loses its trailing slash, so links never get a double one', () => {
    expect(loadConfig({ ...minimal, PUBLIC_BASE_URL: 'https://portal.example.com/' }).server.publicBaseUrl).toBe(
      'https://portal.example.com',
    );
  });
});

describe('SECRETS_ENCRYPTION_KEYS', () => {
  it('defaults to the payload keys, so existing deployments need nothing new', () => {
    const config = loadConfig(minimal);
    expect(config.secretsKeys).toEqual(config.payloadKeys);
    expect(loadSecretsKeys({ PAYLOAD_ENCRYPTION_KEYS: key })).toEqual(config.payloadKeys);
  });

  it('takes keys of its own, newest first, in the payload keys’ format', () => {
    const own = `s2:${randomBytes(32).toString('base64')},s1:${randomBytes(32).toString('base64')}`;
    const config = loadConfig({ ...minimal, SECRETS_ENCRYPTION_KEYS: own });
    expect(config.secretsKeys.map((k) => k.id)).toEqual(['s2', 's1']);
    expect(config.payloadKeys.map((k) => k.id)).toEqual(['k1']);
    expect(loadSecretsKeys({ PAYLOAD_ENCRYPTION_KEYS: key, SECRETS_ENCRYPTION_KEYS: own }).map((k) => k.id)).toEqual([
      's2',
      's1',
    ]);
  });

  it('names a malformed or missing key list without echoing it', () => {
    const badKey = `s1:${randomBytes(16).toString('base64')}`;
    const problems = problemsOf({ ...minimal, SECRETS_ENCRYPTION_KEYS: badKey }).join('\n');
    expect(problems).toMatch(/SECRETS_ENCRYPTION_KEYS/);
    expect(problems).not.toContain(badKey.slice(3));
    expect(() => loadSecretsKeys({})).toThrow(/SECRETS_ENCRYPTION_KEYS \(or PAYLOAD_ENCRYPTION_KEYS\) is required/);
  });
});

describe('CODEC_OPERATOR_ORGANIZATIONS', () => {
  it('is empty by default: nobody may use the codec endpoint', () => {
    expect(loadConfig(minimal).codecOperatorOrganizations).toEqual([]);
  });

  it('lists the slugs of the organisations that operate the deployment', () => {
    const config = loadConfig({
      ...minimal,
      CODEC_OPERATOR_ORGANIZATIONS: ' platform-ops, demo-practice,,platform-ops ',
    });
    expect(config.codecOperatorOrganizations).toEqual(['platform-ops', 'demo-practice']);
  });

  it('names an entry that is not a slug', () => {
    expect(problemsOf({ ...minimal, CODEC_OPERATOR_ORGANIZATIONS: 'ops,Not A Slug' }).join('\n')).toMatch(
      /CODEC_OPERATOR_ORGANIZATIONS must be organisation slugs/,
    );
  });
});

describe('TRUST_PROXY (issue 14, item 2)', () => {
  it('is a hop count or a list of proxy addresses and CIDR ranges; loopback only by default', () => {
    expect(loadConfig(minimal).server.trustProxy).toEqual(['loopback']);
    expect(loadConfig({ ...minimal, TRUST_PROXY: '1' }).server.trustProxy).toBe(1);
    expect(loadConfig({ ...minimal, TRUST_PROXY: '10.0.0.0/8, fd00::/8,loopback' }).server.trustProxy).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
      'loopback',
    ]);
  });

  it.each(['true', 'everyone', '10.0.0.0/33', '300.1.1.1', '11', 'fd00::/129', '10.0.0.0/8/1'])(
    'refuses %s at start',
    (value) => {
      expect(problemsOf({ ...minimal, TRUST_PROXY: value }).join('\n')).toMatch(/TRUST_PROXY/);
    },
  );
});

describe('NODE_ENV=production refuses development settings (issue 14, item 5)', () => {
  const production = {
    ...minimal,
    NODE_ENV: 'production',
    EMAIL_TRANSPORT: 'resend',
    RESEND_API_KEY: 're_test_key',
    PUBLIC_BASE_URL: 'https://portal.example.com',
  };

  it('accepts a production configuration', () => {
    expect(loadConfig(production).server.publicBaseUrl).toBe('https://portal.example.com');
  });

  it.each([
    [{ PAYMENTS_PROVIDER: 'local' }, /PAYMENTS_PROVIDER=local is for development only/],
    [{ EMAIL_TRANSPORT: 'outbox' }, /EMAIL_TRANSPORT=outbox is for development only/],
    [{ EMAIL_TRANSPORT: '' }, /EMAIL_TRANSPORT=outbox is for development only/],
    [{ PUBLIC_BASE_URL: 'http://portal.example.com' }, /PUBLIC_BASE_URL must be an https:\/\/ URL in production/],
    [{ PUBLIC_BASE_URL: '' }, /PUBLIC_BASE_URL must be an https:\/\/ URL in production/],
    [{ ALLOW_PRIVATE_CALLBACK_TARGETS: 'true' }, /ALLOW_PRIVATE_CALLBACK_TARGETS is for test harnesses only/],
    [{ ALLOW_PRIVATE_CALLBACK_TARGETS: '1' }, /ALLOW_PRIVATE_CALLBACK_TARGETS is for test harnesses only/],
  ])('refuses %j', (change, message) => {
    expect(problemsOf({ ...production, ...change }).join('\n')).toMatch(message);
  });

  it('leaves development alone', () => {
    expect(loadConfig({ ...minimal, PAYMENTS_PROVIDER: 'local' }).payments.provider).toBe('local');
  });

  it('calls callbacks only over https to public addresses unless a harness asks otherwise (issue 21)', () => {
    expect(loadConfig(production).allowPrivateCallbackTargets).toBe(false);
    expect(loadConfig({ ...production, ALLOW_PRIVATE_CALLBACK_TARGETS: 'false' }).allowPrivateCallbackTargets).toBe(
      false,
    );
    expect(loadConfig(minimal).allowPrivateCallbackTargets).toBe(false);
    expect(loadConfig({ ...minimal, ALLOW_PRIVATE_CALLBACK_TARGETS: 'true' }).allowPrivateCallbackTargets).toBe(true);
  });
});

describe('RESEND_WEBHOOK_SECRET (issue 20)', () => {
  it('is off by default, and taken when it is a Resend signing secret', () => {
    expect(loadConfig(minimal).email.webhookSecret).toBeUndefined();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    expect(loadConfig({ ...minimal, RESEND_WEBHOOK_SECRET: secret }).email.webhookSecret).toBe(secret);
  });

  it('names a value that is not one, without echoing it', () => {
    const wrong = `sk_${randomBytes(24).toString('hex')}`;
    const problems = problemsOf({ ...minimal, RESEND_WEBHOOK_SECRET: wrong }).join('\n');
    expect(problems).toMatch(/RESEND_WEBHOOK_SECRET/);
    expect(problems).not.toContain(wrong);
  });
});

describe('DATABASE_MIGRATE_URL and DATABASE_URL: the owner and the service (issue 14, item 4)', () => {
  const owner = 'postgresql://owner:o@db:5432/portal';
  const service = 'postgresql://portal_app:s@db:5432/portal';

  it('migrates as the owner and gives the service its own login', () => {
    expect(loadMigrationConfig({ DATABASE_MIGRATE_URL: owner, DATABASE_URL: service })).toEqual({
      migrateUrl: owner,
      serviceUrl: service,
    });
  });

  it('falls back to one role for both when only one URL is set', () => {
    expect(loadMigrationConfig({ DATABASE_URL: service })).toEqual({ migrateUrl: service, serviceUrl: service });
    expect(loadMigrationConfig({ DATABASE_MIGRATE_URL: owner })).toEqual({ migrateUrl: owner, serviceUrl: owner });
  });

  it('refuses a missing or non-PostgreSQL URL, naming the variable', () => {
    expect(() => loadMigrationConfig({})).toThrow(/DATABASE_MIGRATE_URL \(the owner, for migrations\) or DATABASE_URL/);
    expect(() => loadMigrationConfig({ DATABASE_MIGRATE_URL: 'mysql://x', DATABASE_URL: service })).toThrow(
      ConfigError,
    );
    expect(() => loadMigrationConfig({ DATABASE_MIGRATE_URL: 'mysql://x' })).toThrow(
      /DATABASE_MIGRATE_URL must be a postgresql:\/\/ connection string/,
    );
  });
});
