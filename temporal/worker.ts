import { type NativeConnection, Worker } from '@temporalio/worker';
import type { Activities } from '../activities';
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
}

export function createOnboardingWorker(options: OnboardingWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    dataConverter: createDataConverter(options.payloadKeys),
  });
}
