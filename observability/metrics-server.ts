import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { hasMetricsToken } from './metrics-access';

export interface RunningMetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  url: string;
  close(): Promise<void>;
}

/**
 * A process without an HTTP API of its own (the worker) serves its registry
 * at GET /metrics on a port of its own; nothing else is answered. The port
 * is for scrapers only, so unlike the API it serves any client that can
 * reach it, unless a token is configured (METRICS_TOKEN).
 */
export async function startMetricsServer(options: {
  registry: Registry;
  host: string;
  port: number;
  token?: string;
}): Promise<RunningMetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
      return;
    }
    if (options.token && !hasMetricsToken(req.headers.authorization, options.token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer' }).end('Unauthorized\n');
      return;
    }
    options.registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'Content-Type': options.registry.contentType, 'Cache-Control': 'no-store' }).end(body);
      },
      () => {
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Metrics unavailable\n');
      },
    );
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
