/**
 * Production processes are configured by environment variables only; a bad
 * or missing one stops them at once with a message naming it, never its value.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

function start(script: 'start-worker' | 'start-api', env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', `${script}.ts`)], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe.each(['start-worker', 'start-api'] as const)('npm run %s', (script) => {
  it('refuses to start without its required settings, naming each', () => {
    const result = start(script, {});
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Invalid configuration');
    for (const name of ['DATABASE_URL', 'PAYLOAD_ENCRYPTION_KEYS', 'TOKEN_SIGNING_KEY']) {
      expect(result.stderr).toContain(name);
    }
  });

  it('names a malformed setting without printing the secret it was given', () => {
    const secret = 'c2hvcnQta2V5LW5vdC0zMi1ieXRlcw==';
    const result = start(script, {
      DATABASE_URL: 'mysql://db/onboarding',
      PAYLOAD_ENCRYPTION_KEYS: `k1:${secret}`,
      TOKEN_SIGNING_KEY: secret,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/DATABASE_URL must be a postgresql:\/\/ connection string/);
    expect(result.stderr).toMatch(/PAYLOAD_ENCRYPTION_KEYS/);
    expect(result.stderr).not.toContain(secret);
  });
});

describe.each(['start-worker', 'start-api'] as const)('npm run %s with NODE_ENV=production', (script) => {
  it('refuses the development settings, each named, and exits 2', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const result = start(script, {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://u:p@localhost:1/none',
      PAYLOAD_ENCRYPTION_KEYS: `k1:${key}`,
      TOKEN_SIGNING_KEY: key,
      PAYMENTS_PROVIDER: 'local',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/PAYMENTS_PROVIDER=local is for development only/);
    expect(result.stderr).toMatch(/EMAIL_TRANSPORT=outbox is for development only/);
    expect(result.stderr).toMatch(/PUBLIC_BASE_URL must be an https:\/\/ URL in production/);
    expect(result.stderr).not.toContain(key);
  });
});
