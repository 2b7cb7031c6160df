import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A form-encoded body or query string (`a[b][0]=x`) as the nested object it stands for. */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };

export interface RecordedApiRequest {
  method: string;
  /** Without the query string, e.g. /v1/checkout/sessions/cs_123/expire. */
  path: string;
  query: Record<string, FormValue>;
  /** The form body, nested: params.line_items[0].price_data.unit_amount === '12500'. */
  params: Record<string, FormValue>;
  rawBody: string;
  idempotencyKey: string | undefined;
  authorization: string | undefined;
  stripeVersion: string | undefined;
  /** What the client got back. */
  status: number;
  /** The parsed JSON the client got back (null for a dropped connection). */
  response: unknown;
  /** True when the answer came from a test override instead of upstream. */
  injected: boolean;
}

export interface RequestMatch {
  method?: string;
  /** Exact path, or a pattern tested against the path. */
  path: string | RegExp;
}

type Override =
  | { kind: 'reply'; status: number; body: unknown }
  | { kind: 'drop' }
  | { kind: 'rewrite'; rewrite: (json: Record<string, unknown>) => Record<string, unknown> };

export interface RecordingProxy {
  /** Base URL to give the client instead of the upstream's. */
  url: string;
  /** Every request, in arrival order. */
  requests: RecordedApiRequest[];
  /** Requests with this method and path. */
  matching(match: RequestMatch): RecordedApiRequest[];
  /** Answer the next `times` matching requests with this status and JSON body, without asking upstream. */
  replyNext(match: RequestMatch, status: number, body: unknown, times?: number): void;
  /** Close the connection of the next matching request without answering (a network failure). */
  dropNext(match: RequestMatch, times?: number): void;
  /** Forward the next matching request and change upstream's JSON answer before returning it. */
  rewriteNext(
    match: RequestMatch,
    rewrite: (json: Record<string, unknown>) => Record<string, unknown>,
    times?: number,
  ): void;
  stop(): Promise<void>;
}

export function parseForm(text: string): Record<string, FormValue> {
  const root: Record<string, FormValue> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const parts = (key.match(/^[^[]+|\[[^\]]*\]/g) ?? [key]).map((part) => part.replace(/^\[(.*)\]$/, '$1'));
    let node: Record<string, FormValue> | FormValue[] = root;
    parts.forEach((part, index) => {
      const container = node as Record<string, FormValue>;
      if (index === parts.length - 1) {
        container[part] = value;
        return;
      }
      container[part] ??= /^\d+$/.test(parts[index + 1]!) ? [] : {};
      node = container[part] as Record<string, FormValue>;
    });
  }
  return root;
}

function matches(match: RequestMatch, method: string, path: string): boolean {
  if (match.method && match.method.toUpperCase() !== method) return false;
  return typeof match.path === 'string' ? match.path === path : match.path.test(path);
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A local HTTP proxy in front of an API stand-in (here stripe-mock) that
 * records what the client sent: method, path, query, form body, the
 * Idempotency-Key header. stripe-mock keeps no state and cannot decline a card
 * or be unreachable, so a test can also make the proxy answer one request
 * itself (an error Stripe would send), drop its connection, or change a field
 * of stripe-mock's fixture (a status stripe-mock never returns); everything
 * else is stripe-mock's answer, untouched.
 */
export async function startRecordingProxy(upstreamBaseUrl: string): Promise<RecordingProxy> {
  const upstream = new URL(upstreamBaseUrl);
  const requests: RecordedApiRequest[] = [];
  const overrides: { match: RequestMatch; override: Override; remaining: number }[] = [];

  function takeOverride(method: string, path: string): Override | undefined {
    const index = overrides.findIndex((entry) => matches(entry.match, method, path));
    if (index < 0) return undefined;
    const entry = overrides[index]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) overrides.splice(index, 1);
    return entry.override;
  }

  function forward(request: IncomingMessage, body: Buffer): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        {
          protocol: upstream.protocol,
          hostname: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: upstream.host },
        },
        (answer) => {
          readBody(answer).then(
            (buffer) => resolve({ status: answer.statusCode ?? 502, text: buffer.toString('utf8') }),
            reject,
          );
        },
      );
      outgoing.once('error', reject);
      outgoing.end(body);
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://proxy.invalid');
    const rawBody = body.toString('utf8');
    const recorded: RecordedApiRequest = {
      method,
      path: url.pathname,
      query: parseForm(url.search.slice(1)),
      params: parseForm(rawBody),
      rawBody,
      idempotencyKey: headerOf(request, 'idempotency-key'),
      authorization: headerOf(request, 'authorization'),
      stripeVersion: headerOf(request, 'stripe-version'),
      status: 0,
      response: null,
      injected: false,
    };
    requests.push(recorded);

    const override = takeOverride(method, url.pathname);
    if (override?.kind === 'drop') {
      request.socket.destroy();
      return;
    }
    let status: number;
    let json: unknown;
    if (override?.kind === 'reply') {
      status = override.status;
      json = override.body;
      recorded.injected = true;
    } else {
      const answer = await forward(request, body);
      status = answer.status;
      json = parseJson(answer.text);
      if (override?.kind === 'rewrite' && typeof json === 'object' && json !== null) {
        json = override.rewrite(json as Record<string, unknown>);
        recorded.injected = true;
      }
    }
    recorded.status = status;
    recorded.response = json;
    response.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_proxy_${requests.length}` });
    response.end(typeof json === 'string' ? json : JSON.stringify(json));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((cause: unknown) => {
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { type: 'api_error', message: `recording proxy: ${String(cause)}` } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const add = (match: RequestMatch, override: Override, times: number) =>
    overrides.push({ match, override, remaining: times });

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    matching: (match) => requests.filter((request) => matches(match, request.method, request.path)),
    replyNext: (match, status, body, times = 1) => add(match, { kind: 'reply', status, body }, times),
    dropNext: (match, times = 1) => add(match, { kind: 'drop' }, times),
    rewriteNext: (match, rewrite, times = 1) => add(match, { kind: 'rewrite', rewrite }, times),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
