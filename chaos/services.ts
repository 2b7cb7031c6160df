/**
 * The API and the worker as separate processes of the production entry
 * points (scripts/start-api.ts, scripts/start-worker.ts), each of which the
 * episode can SIGKILL and start again. The API keeps its port across
 * restarts: the links in emails and the EHR's webhook URL point at it.
 */
import { spawnServiceProcess, type WorkerProcess } from '../test/support/worker-process';
import { waitFor } from './free-port';

export interface ChaosProcess {
  name: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  /** The last lines it printed, for a failure report. */
  output(): string;
  running(): boolean;
}

function managed(
  name: string,
  script: 'start-api' | 'start-worker',
  env: NodeJS.ProcessEnv,
  ready: () => Promise<void>,
): ChaosProcess {
  let current: WorkerProcess | null = null;
  let earlier = '';
  return {
    name,
    async start() {
      current = spawnServiceProcess(script, env);
      await ready();
    },
    async kill() {
      if (!current) return;
      current.child.kill('SIGKILL');
      await current.exited;
      earlier = (earlier + current.output()).slice(-20_000);
      current = null;
    },
    output: () => (earlier + (current?.output() ?? '')).slice(-20_000),
    running: () => current !== null,
  };
}

export function apiProcess(env: NodeJS.ProcessEnv, url: string): ChaosProcess {
  return managed('api', 'start-api', env, () =>
    waitFor(async () => (await fetch(`${url}/healthz`)).ok, 60_000, 'the API to answer /healthz'),
  );
}

export function workerProcess(name: string, env: NodeJS.ProcessEnv): ChaosProcess {
  // The worker has no port to ask: it is ready once it polls, which the traffic shows.
  return managed(name, 'start-worker', env, async () => undefined);
}
