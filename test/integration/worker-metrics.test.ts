/**
 * The production worker process (`npm run start:worker`) with its metrics
 * switched on: its own /metrics on WORKER_METRICS_PORT (behind
 * METRICS_TOKEN), Temporal Core's metrics on TEMPORAL_METRICS_BIND_ADDRESS,
 * one log line per activity carrying the workflow id, and both servers gone
 * after a graceful stop.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { metricValue } from '../support/metrics';
import { eventually, startTestService, type TestService } from '../support/service';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process';

const METRICS_TOKEN = randomBytes(24).toString('hex');

let service: TestService;
let org: TestOrganization;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  service = await startTestService();
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  worker?.child.kill('SIGKILL');
  await service?.stop();
});

/** A port free right now, for the one setting that takes an address rather than port 0. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** The worker's JSON log lines (pino), skipping anything else it printed. */
function logLines(output: string): Record<string, unknown>[] {
  return output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

it('serves its own metrics and Temporal’s, logs activities by workflow id, and closes both on stop', async () => {
  const temporalMetricsAddress = `127.0.0.1:${await freePort()}`;
  worker = spawnWorkerProcess({
    ...service.processEnv,
    LOG_LEVEL: 'info',
    METRICS_TOKEN,
    WORKER_METRICS_PORT: '0',
    TEMPORAL_METRICS_BIND_ADDRESS: temporalMetricsAddress,
  });
  const started = await eventually(
    () => Promise.resolve(logLines(worker!.output()).find((line) => line.msg === 'worker started')),
    { timeoutMs: 90_000, what: 'the worker to start' },
  );
  const metricsUrl = String(started.metricsUrl);
  expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

  const event = chartCreatedWebhook();
  const response = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event);
  expect(response.status).toBe(202);
  const { onboardingId } = (await response.json()) as TWebhookAccepted;

  const text = await eventually(
    async () => {
      const scraped = await fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(scraped.status).toBe(200);
      const body = await scraped.text();
      const sent = metricValue(body, 'emails_sent_total', { template: 'portal-invitation', outcome: 'sent' });
      return sent === 1 ? body : undefined;
    },
    { what: 'the worker to count the invitation email' },
  );
  expect(metricValue(text, 'activity_executions_total', { activity: 'createChart', outcome: 'completed' })).toBe(1);
  expect(metricValue(text, 'onboarding_status_transitions_total', { status: 'INVITED' })).toBe(1);
  expect(text).not.toContain(event.data.client.lastName);
  expect((await fetch(metricsUrl)).status).toBe(401);

  const core = await (await fetch(`http://${temporalMetricsAddress}/metrics`)).text();
  expect(core).toMatch(/^temporal_\w+/m);

  const activityLines = logLines(worker.output()).filter((line) => line.msg === 'activity');
  expect(activityLines).toContainEqual(
    expect.objectContaining({
      workflowId: `onboarding-${onboardingId}`,
      activityType: 'createChart',
      outcome: 'completed',
    }),
  );
  expect(worker.output()).not.toContain(event.data.client.lastName);
  expect(worker.output()).not.toContain(event.data.client.email!);

  worker.child.kill('SIGTERM');
  expect(await worker.exited).toBe(0);
  await expect(fetch(metricsUrl)).rejects.toThrow();
});
