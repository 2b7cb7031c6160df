import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCliExecutable } from './temporal-binaries';

export interface TemporalDevServer {
  address: string;
  uiUrl: string | null;
  stop(): Promise<void>;
}

export interface TemporalDevServerOptions {
  /** Folder for the SQLite file; omitted = in memory, gone on stop. */
  dataDir?: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
}

/**
 * Runs `temporal server start-dev` as a child process. With a data folder its
 * SQLite store (WAL, so the store is not the bottleneck) survives restarts,
 * which is what lets a second `npm start` find its flows again.
 */
export async function startTemporalDevServer(options: TemporalDevServerOptions = {}): Promise<TemporalDevServer> {
  let dbFilename: string | undefined;
  if (options.dataDir) {
    await mkdir(options.dataDir, { recursive: true });
    dbFilename = path.join(options.dataDir, 'temporal.sqlite');
  }
  const ui = options.uiPort !== undefined;
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: temporalCliExecutable(),
      ip: '127.0.0.1',
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(ui ? { ui: true, uiPort: options.uiPort } : {}),
      ...(dbFilename ? { dbFilename } : {}),
      namespace: options.namespace ?? 'default',
      log: { format: 'json', level: 'error' },
      extraArgs: ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL'],
    },
  });
  return {
    address: env.address,
    uiUrl: ui ? `http://127.0.0.1:${options.uiPort}` : null,
    stop: () => env.teardown(),
  };
}
