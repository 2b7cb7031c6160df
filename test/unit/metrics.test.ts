import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { sendTemplatedEmail } from '../../activities/emails';
import { startApiServer, type RunningApi } from '../../app/http-server';
import type { Db } from '../../db/client';
import { EmailDeliveryError, type Mailer, type OutgoingEmail } from '../../emails/mailer';
import { portalInvitationPreviewProps } from '../../emails/portal-invitation';
import { createLogger } from '../../observability/logger';
import { isLoopback } from '../../observability/metrics-access';
import { createMetrics, type AppMetrics } from '../../observability/metrics';
import { invitationToken } from '../../security/tokens';
import { metricValue } from '../support/metrics';

/** Just enough database for the routes these tests call: no registration link is known, the client's or a contact's. */
const noInvitations = {
  invitation: { findUnique: () => Promise.resolve(null) },
  portalUserInvitation: { findUnique: () => Promise.resolve(null) },
} as unknown as Db;

async function startApi(metrics: AppMetrics, metricsToken?: string): Promise<RunningApi> {
  return startApiServer(
    {
      db: noInvitations,
      temporal: {} as Client,
      taskQueue: 'test',
      logger: createLogger({ level: 'silent' }),
      tokenSigningKey: randomBytes(32),
      publicBaseUrl: 'http://localhost:3000',
      metrics,
      ...(metricsToken ? { metricsToken } : {}),
    },
    { host: '127.0.0.1', port: 0 },
  );
}

describe('the API’s /metrics', () => {
  let metrics: AppMetrics;
  let api: RunningApi;

  beforeEach(async () => {
    metrics = createMetrics({ processMetrics: false });
    api = await startApi(metrics);
  });

  afterEach(async () => {
    await api.close();
  });

  const scrape = async () => {
    const response = await fetch(`${api.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    return response.text();
  };

  it('labels a registration-link request with its route template, and the token appears nowhere', async () => {
    const token = invitationToken(randomBytes(32), randomUUID());
    const response = await fetch(`${api.url}/portal/register/${token}`);
    expect(response.status).toBe(410);

    const text = await scrape();
    expect(
      metricValue(text, 'http_requests_total', { method: 'GET', route: '/portal/register/:token', status: '410' }),
    ).toBe(1);
    expect(text).not.toContain(token);
  });

  it('labels a path no route matched as unmatched, without the path', async () => {
    const secret = randomUUID();
    expect((await fetch(`${api.url}/nowhere/${secret}`)).status).toBe(404);

    const text = await scrape();
    expect(metricValue(text, 'http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toContain(secret);
  });

  it('counts every request and records its duration in the histogram', async () => {
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${api.url}/healthz`)).status).toBe(200);

    const text = await scrape();
    const labels = { method: 'GET', route: '/healthz', status: '200' };
    expect(metricValue(text, 'http_requests_total', labels)).toBe(3);
    expect(metricValue(text, 'http_request_duration_seconds_count', labels)).toBe(3);
    expect(metricValue(text, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(3);
    expect(metricValue(text, 'http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
  });

  it('without a token, answers clients on this host only, also behind a local reverse proxy', async () => {
    const proxied = await fetch(`${api.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(proxied.status).toBe(404);
    expect(await proxied.text()).not.toContain('http_requests_total');
    expect((await fetch(`${api.url}/metrics`)).status).toBe(200);
  });
});

describe('the API’s /metrics with METRICS_TOKEN set', () => {
  it('requires the token as a bearer token, even from this host', async () => {
    const token = randomBytes(24).toString('hex');
    const api = await startApi(createMetrics({ processMetrics: false }), token);
    try {
      const url = `${api.url}/metrics`;
      const anonymous = await fetch(url);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
      expect((await fetch(url, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);

      const scraped = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('http_requests_total');
    } finally {
      await api.close();
    }
  });
});

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])('takes %s for this host', (ip) => {
    expect(isLoopback(ip)).toBe(true);
  });

  it.each(['10.0.0.1', '::ffff:10.0.0.1', '1127.0.0.1', '::2', '', undefined])('takes %s for elsewhere', (ip) => {
    expect(isLoopback(ip)).toBe(false);
  });
});

describe('emails_sent_total', () => {
  /** The email log's idempotency as the real table has it: one row per key, marked SENT once sent. */
  function emailLog(): Db {
    const rows = new Map<string, { status: string }>();
    return {
      emailMessage: {
        upsert: ({ where }: { where: { idempotencyKey: string } }) => {
          const row = rows.get(where.idempotencyKey) ?? { status: 'PENDING' };
          rows.set(where.idempotencyKey, row);
          return Promise.resolve({ status: row.status });
        },
        update: ({ where, data }: { where: { idempotencyKey: string }; data: { status: string } }) => {
          rows.get(where.idempotencyKey)!.status = data.status;
          return Promise.resolve({});
        },
      },
    } as unknown as Db;
  }

  function invitation(idempotencyKey: string) {
    return {
      organizationId: randomUUID(),
      onboardingId: randomUUID(),
      idempotencyKey,
      template: 'portal-invitation' as const,
      to: 'client@example.test',
      props: portalInvitationPreviewProps,
    };
  }

  it('counts a first send as sent and the same key again as duplicate', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const sent: OutgoingEmail[] = [];
    const mailer: Mailer = {
      kind: 'outbox',
      send: (email) => {
        sent.push(email);
        return Promise.resolve({ providerMessageId: randomUUID() });
      },
    };
    const deps = { db: emailLog(), mailer, metrics };
    const key = `invitation:${randomUUID()}`;

    expect(await sendTemplatedEmail(deps, invitation(key))).toBe(true);
    expect(await sendTemplatedEmail(deps, invitation(key))).toBe(false);

    expect(sent).toHaveLength(1);
    const text = await metrics.registry.metrics();
    const labels = { template: 'portal-invitation', transport: 'outbox' };
    expect(metricValue(text, 'emails_sent_total', { ...labels, outcome: 'sent' })).toBe(1);
    expect(metricValue(text, 'emails_sent_total', { ...labels, outcome: 'duplicate' })).toBe(1);
    expect(text).not.toContain('client@example.test');
  });

  it('counts an address the provider refuses as rejected, and a transient failure as error', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const failures = [
      new EmailDeliveryError('resend 422 validation_error', { retryable: false, statusCode: 422 }),
      new EmailDeliveryError('resend 503', { retryable: true, statusCode: 503 }),
    ];
    const mailer: Mailer = { kind: 'resend', send: () => Promise.reject(failures.shift()!) };
    const deps = { db: emailLog(), mailer, metrics };

    await expect(sendTemplatedEmail(deps, invitation(`invitation:${randomUUID()}`))).rejects.toThrow('422');
    await expect(sendTemplatedEmail(deps, invitation(`invitation:${randomUUID()}`))).rejects.toThrow('503');

    const text = await metrics.registry.metrics();
    const labels = { template: 'portal-invitation', transport: 'resend' };
    expect(metricValue(text, 'emails_sent_total', { ...labels, outcome: 'rejected' })).toBe(1);
    expect(metricValue(text, 'emails_sent_total', { ...labels, outcome: 'error' })).toBe(1);
    expect(metricValue(text, 'emails_sent_total', { ...labels, outcome: 'sent' })).toBeUndefined();
  });
});
