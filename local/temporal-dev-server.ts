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
  /**
   * The remote codec the Web UI sends payloads to (--ui-codec-endpoint). The
   * dev server has no flag to make the UI include credentials: an operator
   * ticks that once in the UI's Codec Server settings (see start-local).
   */
  uiCodecEndpoint?: string;
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
      extraArgs: [
        '--sqlite-pragma',
        'journal_mode=WAL',
        '--sqlite-pragma',
        'synchronous=NORMAL',
        ...(ui && options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
      ],
    },
  });
  return {
    address: env.address,
    // localhost, like the API's PUBLIC_BASE_URL: the UI's codec calls carry the staff
    // dashboard cookie only same-site, and 127.0.0.1 and localhost are different sites.
    uiUrl: ui ? `http://localhost:${options.uiPort}` : null,
    stop: () => env.teardown(),
  };
}
