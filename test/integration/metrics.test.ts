/**
 * Metrics through the real stack: an EHR webhook starts an onboarding, the
 * worker creates the chart and emails the invitation, the client opens the
 * link and registers, and /metrics (behind METRICS_TOKEN) tells an operator
 * what happened by route template, template and activity, with no id, token
 * or PHI in it.
 */
import { randomBytes } from 'node:crypto';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import { createLogger } from '../../observability/logger';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { latestRegistrationToken } from '../support/invitations';
import { metricValue } from '../support/metrics';
import { eventually, startTestService, type TestService } from '../support/service';

const METRICS_TOKEN = randomBytes(24).toString('hex');
const PASSWORD = 'copper lantern orchard nine';

let service: TestService;
let org: TestOrganization;

beforeAll(async () => {
  service = await startTestService({ metricsToken: METRICS_TOKEN });
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await service?.stop();
});

async function scrape(): Promise<string> {
  const response = await service.get('/metrics', { authorization: `Bearer ${METRICS_TOKEN}` });
  expect(response.status).toBe(200);
  return response.text();
}

describe('GET /metrics', () => {
  it('counts the webhook, the invitation email, the activities and the status changes, and names no one', async () => {
    const event = chartCreatedWebhook();
    const { client } = event.data;
    const response = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event);
    expect(response.status).toBe(202);
    const { onboardingId } = (await response.json()) as TWebhookAccepted;

    // The client follows the emailed link (a token in the path) and registers.
    const token = await eventually(() =>
      latestRegistrationToken(service.outboxDir, client.email!).catch(() => undefined),
    );
    expect((await service.get(`/portal/register/${token}`)).status).toBe(200);
    const registered = await registerPortalAccount(
      { db: service.database.db, temporal: service.env.client, logger: createLogger({ level: 'silent' }) },
      token,
      {
        lastName: client.lastName,
        dateOfBirth: client.dateOfBirth,
        password: PASSWORD,
        passwordConfirmation: PASSWORD,
      },
    );
    expect(registered.outcome).toBe('registered');

    const text = await eventually(
      async () => {
        const scraped = await scrape();
        const sent = metricValue(scraped, 'emails_sent_total', { template: 'portal-invitation', outcome: 'sent' });
        return sent && sent >= 1 ? scraped : undefined;
      },
      { what: 'the invitation email to be counted' },
    );

    const webhook = { method: 'POST', route: '/v1/webhooks/ehr/:integrationId', status: '202' };
    expect(metricValue(text, 'http_requests_total', webhook)).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'http_request_duration_seconds_count', webhook)).toBeGreaterThanOrEqual(1);
    expect(
      metricValue(text, 'http_requests_total', { method: 'GET', route: '/portal/register/:token', status: '200' }),
    ).toBe(1);
    expect(
      metricValue(text, 'emails_sent_total', { template: 'portal-invitation', transport: 'outbox', outcome: 'sent' }),
    ).toBe(1);
    const chart = { activity: 'createChart', outcome: 'completed' };
    expect(metricValue(text, 'activity_executions_total', chart)).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'activity_duration_seconds_count', chart)).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'activity_executions_total', { activity: 'issueInvitation' })).toBeGreaterThanOrEqual(1);
    // Written by the worker (chart, invitation) and by the API's registration use case.
    for (const status of ['CHART_CREATED', 'INVITED', 'REGISTERED']) {
      expect(metricValue(text, 'onboarding_status_transitions_total', { status })).toBe(1);
    }
    expect(metricValue(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);

    for (const secret of [
      client.firstName,
      client.lastName,
      client.email!,
      event.data.externalChartId,
      onboardingId,
      org.integrationId,
      token,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('refuses a scrape without the metrics token, or with another one', async () => {
    const anonymous = await service.get('/metrics');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain('http_requests_total');
    expect((await service.get('/metrics', { authorization: `Bearer ${METRICS_TOKEN.slice(1)}` })).status).toBe(401);
  });
});
