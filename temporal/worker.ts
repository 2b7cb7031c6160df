import { type NativeConnection, Worker } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { Logger } from '../observability/logger';
import type { AppMetrics } from '../observability/metrics';
import { activityObservability } from './activity-observability';
import type { PayloadKey } from './payload-codec';
import { createDataConverter } from './data-converter';

/** The module the worker bundles as workflow code. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface OnboardingWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  payloadKeys: readonly PayloadKey[];
  /** A bundle made ahead of time (tests, production images) instead of bundling at start-up. */
  workflowBundle?: { codePath: string };
  /** Activity counts and durations (temporal/activity-observability.ts). */
  metrics?: AppMetrics;
  /** One log line per activity attempt, with its workflow id. */
  logger?: Logger;
  /** Workflows kept in memory between tasks; unset: the SDK's default. */
  maxCachedWorkflows?: number;
}

export function createOnboardingWorker(options: OnboardingWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    dataConverter: createDataConverter(options.payloadKeys),
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    interceptors: { activity: [activityObservability({ metrics: options.metrics, logger: options.logger })] },
  });
}
