import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), served on a local port so the
 * service talks to it with the same pg driver and Prisma adapter as to a real
 * server: one schema, one set of migrations, no install.
 *
 * PGlite is a single session. pglite-socket's multiplexer lets several
 * connections share it and keeps a transaction to the connection that opened
 * it (others wait), so a few connections are allowed; with a limit of one it
 * drops a connection that replaces a just-closed one (seen with pg-pool after
 * an error). The service itself keeps its pool at one here: nothing is
 * gained by more.
 *
 * @param dataDir folder to persist to; omitted = in memory.
 */
export async function startEmbeddedPostgres(
  options: { dataDir?: string; port?: number } = {},
): Promise<EmbeddedPostgres> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? 'memory://');
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections: 4 });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgresql://postgres:postgres@${address}/postgres?sslmode=disable`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
