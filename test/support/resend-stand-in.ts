import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simulateDeliveryEvents, type DeliveryEventSink } from '../../emails/delivery-simulation';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: {
    authorization?: string;
    'idempotency-key'?: string;
    'user-agent'?: string;
    'content-type'?: string;
  };
  /** The parsed JSON body; the raw text when it was not JSON. */
  body: unknown;
  /** What the stand-in answered; 0 when it dropped the connection instead (a fault). */
  status: number;
  /** The email id answered, on success (the first id again for an idempotent replay). */
  emailId?: string;
  /** True when this request created an email: not a replay, not a failure. */
  delivered: boolean;
}

export interface ResendStandIn {
  /** Base URL to give the Resend SDK (`baseUrl`), e.g. http://127.0.0.1:54321. */
  url: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** The requests that created an email: one per idempotency key, like Resend. */
  deliveries(): RecordedRequest[];
  /** The next `times` (default 1) requests to /emails fail with `status` and a Resend-style error body. */
  failNext(status: number, times?: number): void;
  /**
   * The next `times` (default 1) requests to /emails meet a fault a real
   * provider can show (the chaos harness, chaos/faults.ts): see StandInFault.
   */
  faultNext(fault: StandInFault, times?: number): void;
  stop(): Promise<void>;
}

/**
 * `status`: an error answer (429 with `retryAfterSeconds` as Resend's
 * Retry-After); `timeout`: no answer for `holdMs`, then the connection is
 * dropped; `drop-after-accept`: the email is accepted (and counted) but the
 * connection is dropped before the answer, so the sender cannot know.
 */
export type StandInFault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  | { kind: 'timeout'; holdMs: number }
  | { kind: 'drop-after-accept' };

/** Resend's error names for the statuses tests simulate. */
const ERROR_NAMES: Record<number, string> = {
  400: 'validation_error',
  401: 'missing_api_key',
  403: 'invalid_api_key',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'invalid_idempotent_request',
  422: 'validation_error',
  429: 'rate_limit_exceeded',
  500: 'internal_server_error',
};

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function recipientOf(body: unknown): string {
  if (typeof body !== 'object' || body === null || !('to' in body)) return '';
  const { to } = body;
  return Array.isArray(to) ? to.map(String).join(', ') : String(to);
}

/**
 * A local HTTP server that plays Resend's `POST /emails` for the real SDK:
 * it checks the bearer token, answers `{ id }`, and honours `Idempotency-Key`
 * as Resend documents it (same key and body: the same id, one email; same key,
 * different body: 409). Tests point the Resend mailer's `baseUrl` at it and
 * assert on exactly what the SDK sent. With `deliveryEvents` it also posts
 * the Svix-signed delivery events Resend would (emails/delivery-simulation.ts).
 */
export async function startResendStandIn(options: { deliveryEvents?: DeliveryEventSink } = {}): Promise<ResendStandIn> {
  const requests: RecordedRequest[] = [];
  const sentByKey = new Map<string, { body: string; id: string }>();
  const failures: StandInFault[] = [];

  function answer(
    response: ServerResponse,
    recorded: Omit<RecordedRequest, 'status' | 'delivered'>,
    status: number,
    json: object,
    outcome: { emailId?: string; delivered?: boolean } = {},
  ): void {
    requests.push({ ...recorded, status, delivered: outcome.delivered ?? false, ...outcome });
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(json));
  }

  function error(status: number, message: string) {
    return { statusCode: status, name: ERROR_NAMES[status] ?? 'application_error', message };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      // Recorded as text; answered below as a validation error.
    }
    const headers: RecordedRequest['headers'] = {};
    for (const name of ['authorization', 'idempotency-key', 'user-agent', 'content-type'] as const) {
      const value = header(request, name);
      if (value !== undefined) headers[name] = value;
    }
    const recorded = { method: request.method ?? '', path: request.url ?? '', headers, body };

    if (recorded.path !== '/emails') return answer(response, recorded, 404, error(404, 'Route not found.'));
    if (recorded.method !== 'POST') return answer(response, recorded, 405, error(405, 'Method not allowed.'));
    if (!/^Bearer \S+$/.test(headers.authorization ?? '')) {
      return answer(response, recorded, 401, error(401, 'Missing API key in the authorization header.'));
    }
    const failure = failures.shift();
    if (failure?.kind === 'status') {
      // Real Resend messages can quote the recipient; the mailer must keep it out of its errors.
      const message = `Simulated failure for ${recipientOf(body)}.`;
      if (failure.retryAfterSeconds !== undefined) response.setHeader('retry-after', String(failure.retryAfterSeconds));
      return answer(response, recorded, failure.status, error(failure.status, message));
    }
    if (failure?.kind === 'timeout') {
      requests.push({ ...recorded, status: 0, delivered: false });
      await new Promise((resolve) => setTimeout(resolve, failure.holdMs));
      response.destroy();
      return;
    }
    const dropAfterAccept = failure?.kind === 'drop-after-accept';
    if (typeof body !== 'object' || body === null) {
      return answer(response, recorded, 422, error(422, 'The request body must be a JSON object.'));
    }
    for (const field of ['from', 'to', 'subject'] as const) {
      if (!(field in body)) {
        return answer(response, recorded, 422, {
          ...error(422, `Missing \`${field}\` field.`),
          name: 'missing_required_field',
        });
      }
    }

    const key = headers['idempotency-key'];
    if (key !== undefined) {
      const earlier = sentByKey.get(key);
      if (earlier && earlier.body !== raw) {
        return answer(
          response,
          recorded,
          409,
          error(409, 'Same idempotency key used with a different request payload. Change your idempotency key.'),
        );
      }
      if (earlier) return answer(response, recorded, 200, { id: earlier.id }, { emailId: earlier.id });
    }
    const id = randomUUID();
    if (key !== undefined) sentByKey.set(key, { body: raw, id });
    if (options.deliveryEvents) {
      const fields = body as { from?: unknown; subject?: unknown };
      const text = (value: unknown) => (typeof value === 'string' ? value : '');
      simulateDeliveryEvents(options.deliveryEvents, {
        providerMessageId: id,
        to: recipientOf(body),
        from: text(fields.from),
        subject: text(fields.subject),
      });
    }
    if (dropAfterAccept) {
      requests.push({ ...recorded, status: 0, emailId: id, delivered: true });
      response.destroy();
      return;
    }
    return answer(response, recorded, 200, { id }, { emailId: id, delivered: true });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((cause: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify(error(500, `stand-in failed: ${String(cause)}`)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    deliveries: () => requests.filter((request) => request.delivered),
    failNext(status, times = 1) {
      for (let i = 0; i < times; i += 1) failures.push({ kind: 'status', status });
    },
    faultNext(fault, times = 1) {
      for (let i = 0; i < times; i += 1) failures.push(fault);
    },
    async stop() {
      // fetch keeps connections alive; close them or close() waits for their timeout.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
