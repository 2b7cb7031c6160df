/**
 * Runs the floor (bench/floor-workflow.ts) on the bench's own Temporal dev
 * server: a worker of its own on a task queue of its own, `n` starts with
 * at most `concurrency` in flight, as the EHR's webhooks are sent, and the
 * time from each start to its "invitation". Temporal's default data
 * converter: payload encryption is part of our cost, not of the floor.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFloorActivities } from './floor-activities';
import { say, summarize, type Figures } from './bench-stack';

const TASK_QUEUE = 'bench-floor';
const WAIT_TIMEOUT_MS = 5 * 60_000;

export interface FloorResult {
  throughputPerSec: number | null;
  wallMs: number;
  startToInvitationMs: Figures;
}

export async function runFloor(address: string, n: number, concurrency: number): Promise<FloorResult> {
  const handedOver = new Map<string, number>();
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('./floor-workflow'),
    activities: createFloorActivities(handedOver),
  });
  const running = worker.run();
  try {
    const client = new Client({ connection: clientConnection });
    const runId = randomBytes(4).toString('hex');
    const startedAt = new Map<string, number>();
    let next = 0;
    const starter = async () => {
      while (next < n) {
        const id = `floor-${runId}-${next++}`;
        startedAt.set(id, Date.now());
        await client.workflow.start('onboardingFloor', {
          taskQueue: TASK_QUEUE,
          workflowId: id,
          args: [{ onboardingId: id }],
        });
      }
    };
    const first = Date.now();
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, starter));
    const deadline = Date.now() + WAIT_TIMEOUT_MS;
    while (handedOver.size < n) {
      if (Date.now() > deadline) throw new Error(`floor: only ${handedOver.size} of ${n} reached the invitation`);
      await sleep(20);
    }
    const latencies = [...handedOver].map(([id, at]) => at - (startedAt.get(id) ?? at));
    const wallMs = Math.max(...handedOver.values()) - first;
    say(`  floor: ${n} in ${wallMs} ms`);
    return {
      throughputPerSec: wallMs > 0 ? Number(((n * 1000) / wallMs).toFixed(1)) : null,
      wallMs,
      startToInvitationMs: summarize(latencies, 0),
    };
  } finally {
    // The floor's workflows wait for a registration that never comes; the server is thrown away after the run.
    await sleep(200);
    worker.shutdown();
    await running;
    await clientConnection.close();
    await connection.close();
  }
}
