import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, loadObservabilityConfig } from '../../config/env';

const minimal = {
  DATABASE_URL: 'postgresql://u:p@db:5432/onboarding',
  PAYLOAD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  TOKEN_SIGNING_KEY: randomBytes(32).toString('base64'),
};

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the observability settings', () => {
  it('are all off unless set', () => {
    expect(loadConfig(minimal).observability).toEqual({});
  });

  it('reads the metrics token, the worker metrics port and Temporal’s metrics address', () => {
    const token = randomBytes(24).toString('hex');
    const env = {
      ...minimal,
      METRICS_TOKEN: token,
      WORKER_METRICS_PORT: '9464',
      TEMPORAL_METRICS_BIND_ADDRESS: '0.0.0.0:9465',
    };
    const expected = { metricsToken: token, workerMetricsPort: 9464, temporalMetricsBindAddress: '0.0.0.0:9465' };
    expect(loadConfig(env).observability).toEqual(expected);
    expect(loadObservabilityConfig(env)).toEqual(expected);
  });

  it('names a short metrics token and a bad address or port, without echoing the token', () => {
    const env = {
      ...minimal,
      METRICS_TOKEN: 'hunter2',
      WORKER_METRICS_PORT: '70000',
      TEMPORAL_METRICS_BIND_ADDRESS: 'http://0.0.0.0:9465',
    };
    for (const problems of [problemsOf(() => loadConfig(env)), problemsOf(() => loadObservabilityConfig(env))]) {
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^METRICS_TOKEN /),
          expect.stringMatching(/^WORKER_METRICS_PORT /),
          expect.stringMatching(/^TEMPORAL_METRICS_BIND_ADDRESS must be host:port/),
        ]),
      );
      expect(problems.join('\n')).not.toContain('hunter2');
    }
  });

  it('accepts a bracketed IPv6 address for Temporal’s metrics', () => {
    expect(loadObservabilityConfig({ TEMPORAL_METRICS_BIND_ADDRESS: '[::]:9465' })).toEqual({
      temporalMetricsBindAddress: '[::]:9465',
    });
  });
});
