/**
 * The PostgreSQL the chaos episode may stop and start for real. By default a
 * throw-away cluster of its own (initdb into a temporary folder, its own
 * port), so a stop never touches a server other people's tests use. Or the
 * operator's: CHAOS_DATABASE_URL with CHAOS_PG_STOP and CHAOS_PG_START (shell
 * commands, e.g. `pg_ctlcluster 15 main stop -m immediate`). Without a way
 * to control the server the episode runs on TEST_DATABASE_URL and skips the
 * PostgreSQL fault, saying so.
 */
import { execFile, exec } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const run = promisify(execFile);
const shell = promisify(exec);

export interface ChaosPostgres {
  /** Admin URL of the server (database `postgres`); the episode creates its own database on it. */
  adminUrl: string;
  /** Null when the runner cannot stop this server: the PostgreSQL fault is skipped. */
  control: { stop(): Promise<void>; start(): Promise<void> } | null;
  /** Why `control` is null. */
  uncontrolledBecause?: string;
  dispose(): Promise<void>;
}

function postgresBinDir(): string | null {
  if (process.env.CHAOS_PG_BIN) return process.env.CHAOS_PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
}

/** initdb and postgres refuse to run as root: as root, run them as the postgres user. */
function asServerUser(binary: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
}

async function ownCluster(bin: string): Promise<ChaosPostgres> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chaos-pg-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = path.join(dir, 'data');
  const port = await freePort();
  const pgCtl = async (...args: string[]) => {
    const [command, argv] = asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, ...args]);
    await run(command, argv, { timeout: 60_000 });
  };
  const [initdb, initArgs] = asServerUser(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
  ]);
  await run(initdb, initArgs, { timeout: 120_000 });
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on`;
  const start = () => pgCtl('start', '-w', '-t', '60', '-l', path.join(dir, 'server.log'), '-o', options);
  await start();
  return {
    adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    control: { stop: () => pgCtl('stop', '-m', 'immediate', '-w'), start },
    async dispose() {
      await pgCtl('stop', '-m', 'immediate', '-w').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function startChaosPostgres(say: (line: string) => void): Promise<ChaosPostgres> {
  const { CHAOS_DATABASE_URL, CHAOS_PG_STOP, CHAOS_PG_START, TEST_DATABASE_URL } = process.env;
  if (CHAOS_DATABASE_URL) {
    if (CHAOS_PG_STOP && CHAOS_PG_START) {
      return {
        adminUrl: CHAOS_DATABASE_URL,
        control: {
          stop: async () => void (await shell(CHAOS_PG_STOP, { timeout: 60_000 })),
          start: async () => void (await shell(CHAOS_PG_START, { timeout: 60_000 })),
        },
        dispose: async () => undefined,
      };
    }
    const because = 'CHAOS_DATABASE_URL is set without CHAOS_PG_STOP and CHAOS_PG_START';
    return {
      adminUrl: CHAOS_DATABASE_URL,
      control: null,
      uncontrolledBecause: because,
      dispose: async () => undefined,
    };
  }
  const bin = postgresBinDir();
  if (bin) {
    try {
      return await ownCluster(bin);
    } catch (error) {
      say(`WARNING: could not start a throw-away PostgreSQL cluster (${String(error)})`);
    }
  }
  if (!TEST_DATABASE_URL)
    throw new Error('chaos needs PostgreSQL: install its server binaries or set TEST_DATABASE_URL');
  const because = 'no PostgreSQL server binaries (initdb, pg_ctl) to run a cluster of its own';
  return { adminUrl: TEST_DATABASE_URL, control: null, uncontrolledBecause: because, dispose: async () => undefined };
}
