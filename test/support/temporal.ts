import { randomBytes, randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import type { AppMetrics } from '../../observability/metrics';
import { activityObservability } from '../../temporal/activity-observability';
import { temporalCliExecutable, temporalTestServerExecutable } from '../../local/temporal-binaries';
import { createDataConverter } from '../../temporal/data-converter';
import type { PayloadKey } from '../../temporal/payload-codec';

/** A fresh payload key per test file, as production would have its own. */
export function testPayloadKeys(): PayloadKey[] {
  return [{ id: `test-${randomBytes(3).toString('hex')}`, key: randomBytes(32) }];
}

export function testPayloadKeysEnv(keys: PayloadKey[]): string {
  return keys.map(({ id, key }) => `${id}:${key.toString('base64')}`).join(',');
}

/** The time-skipping test server: 7-day timers fire in milliseconds. */
export function createTimeSkippingEnv(keys: PayloadKey[]): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: temporalTestServerExecutable() },
    client: { dataConverter: createDataConverter(keys) },
  });
}

/** A real Temporal dev server (in memory) on a random port. */
export function createDevServerEnv(keys: PayloadKey[]): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: temporalCliExecutable(), ip: '127.0.0.1', log: { format: 'json', level: 'never' } },
    client: { dataConverter: createDataConverter(keys) },
  });
}

/** A unique task queue per test, so workers of different tests never steal each other's tasks. */
export function testTaskQueue(): string {
  return `test-${randomUUID()}`;
}

/** A worker on the test environment that runs the pre-built workflow bundle (test/support/global-setup.ts). */
export function createTestWorker(
  env: TestWorkflowEnvironment,
  options: { taskQueue: string; activities: Partial<Activities>; keys: PayloadKey[]; metrics?: AppMetrics },
): Promise<Worker> {
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('TEST_WORKFLOW_BUNDLE is not set: run tests through jest (global setup)');
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: options.taskQueue,
    activities: options.activities,
    workflowBundle: { codePath },
    dataConverter: createDataConverter(options.keys),
    // The production worker's activity interceptor (temporal/worker.ts), when the test looks at metrics.
    ...(options.metrics ? { interceptors: { activity: [activityObservability({ metrics: options.metrics })] } } : {}),
  });
}
