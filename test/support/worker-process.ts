import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/**
 * Runs the production worker entry point (`npm run start:worker`) as its own
 * process, so a test can kill it the way a crash or a redeploy would.
 */
export function spawnWorkerProcess(env: NodeJS.ProcessEnv): WorkerProcess {
  return spawnServiceProcess('start-worker', env);
}

/** Runs a production entry point (`npm run start:worker` or `start:api`) as its own process. */
export function spawnServiceProcess(script: 'start-worker' | 'start-api', env: NodeJS.ProcessEnv): WorkerProcess {
  const root = path.resolve(__dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', `${script}.ts`)], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { child, output: () => output, exited };
}
