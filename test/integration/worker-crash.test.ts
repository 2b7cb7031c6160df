/**
 * Durability: a worker killed in the middle of a batch of onboardings (as by
 * an OOM kill or a lost machine) loses and duplicates nothing once another
 * worker takes over: no chart, invitation or email twice. Runs the production worker entry point as a real
 * process and kills it with SIGKILL: no graceful shutdown, tasks in flight.
 */
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import { listOutbox } from '../../emails/mailer';
import { getOnboardingStateQuery } from '../../workflows';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { eventually, startTestService, type TestService } from '../support/service';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process';

const ONBOARDINGS = 120;

let service: TestService;
let org: TestOrganization;
const processes: WorkerProcess[] = [];

beforeAll(async () => {
  service = await startTestService();
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  for (const worker of processes) worker.child.kill('SIGKILL');
  await service?.stop();
});

async function countByStatus() {
  const rows = await service.database.db.onboarding.groupBy({
    by: ['status'],
    where: { organizationId: org.organizationId },
    _count: true,
  });
  return Object.fromEntries(rows.map((row) => [row.status, row._count]));
}

it('completes every onboarding exactly once after the worker is killed mid-batch', async () => {
  // Webhooks accepted while no worker runs: the flows wait in Temporal, nothing is lost.
  const accepted: TWebhookAccepted[] = [];
  for (let i = 0; i < ONBOARDINGS; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, ONBOARDINGS - i) }, () =>
        service.post(`/v1/webhooks/ehr/${org.integrationId}`, chartCreatedWebhook()),
      ),
    );
    expect(batch.map((response) => response.status)).toEqual(batch.map(() => 202));
    accepted.push(...((await Promise.all(batch.map((response) => response.json()))) as TWebhookAccepted[]));
  }
  expect(await countByStatus()).toEqual({ PENDING: ONBOARDINGS });
  const { db } = service.database;
  const invitationsSent = () =>
    db.emailMessage.count({ where: { organizationId: org.organizationId, status: 'SENT' } });

  const first = spawnWorkerProcess(service.processEnv);
  processes.push(first);
  const doneAtKill = await eventually(
    async () => {
      const done = await invitationsSent();
      return done >= 5 ? done : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 5, what: `the first worker to start working (output: ${first.output()})` },
  );
  first.child.kill('SIGKILL');
  expect(await first.exited).toBe('SIGKILL');
  // If this fails the machine was too fast for the test to kill the worker mid-batch: raise ONBOARDINGS.
  expect(doneAtKill).toBeLessThan(ONBOARDINGS);

  const second = spawnWorkerProcess(service.processEnv);
  processes.push(second);
  await eventually(async () => ((await invitationsSent()) === ONBOARDINGS ? true : undefined), {
    timeoutMs: 90_000,
    intervalMs: 100,
    what: 'every invitation to go out',
  }).catch(async (error: Error) => {
    const emails = await db.emailMessage.groupBy({
      by: ['status'],
      where: { organizationId: org.organizationId },
      _count: true,
    });
    throw new Error(
      `${error.message}; statuses ${JSON.stringify(await countByStatus())}, emails ${JSON.stringify(emails)}; ` +
        `worker output: ${second.output().slice(-3000)}`,
    );
  });

  // Every flow did each step exactly once: one chart, one invitation, one email (a killed
  // send retried under the same idempotency key), and every flow now waits for its client.
  const ids = accepted.map((body) => body.onboardingId);
  expect(await countByStatus()).toEqual({ INVITED: ONBOARDINGS });
  expect(await db.client.count({ where: { organizationId: org.organizationId } })).toBe(ONBOARDINGS);
  expect(await db.invitation.count({ where: { onboardingId: { in: ids } } })).toBe(ONBOARDINGS);
  expect(await db.onboardingEvent.count({ where: { onboardingId: { in: ids } } })).toBe(2 * ONBOARDINGS);
  const outbox = await listOutbox(service.outboxDir);
  expect(outbox).toHaveLength(ONBOARDINGS);
  expect(new Set(outbox.map((message) => message.to)).size).toBe(ONBOARDINGS);
  const states = await Promise.all(
    ids.map((id) => service.env.client.workflow.getHandle(`onboarding-${id}`).query(getOnboardingStateQuery)),
  );
  expect(states.every((state) => state.status === 'INVITED' && state.invitation?.sequence === 1)).toBe(true);

  // A redeploy stops the worker with SIGTERM: it drains and exits cleanly.
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  // Two worker processes start and a batch runs on a shared 2-core machine: more than the default minute.
}, 150_000);
