/**
 * The EHR's status-callback endpoint, as the chaos harness plays it: it checks
 * each POST's Standard Webhooks signature, answers 204 and records what it
 * answered per webhook id, so the accounting asks the EHR's side what it got
 * rather than the database's word for it. Two faults: the endpoint down for a
 * stretch (every connection dropped unanswered, as a host that is gone looks
 * to the worker) and answering 410 Gone to the next few callbacks (the EHR
 * saying "stop sending me this", which the worker must take as final).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { newWebhookSecret, verifyWebhook } from '../security/standard-webhooks';

export interface CallbackReceipt {
  webhookId: string;
  /** The payload's type (the event), as the EHR read it. */
  type: string;
  /** 204 taken, 410 refused for good, 401 a bad signature; 0 when the endpoint was down and dropped it. */
  status: number;
  at: number;
}

export interface EhrCallbackStandIn {
  /** The callback URL to configure on the integration (http, on this machine). */
  url: string;
  /** The secret the integration signs with, in the clear: the harness seals it for the database. */
  secret: string;
  receipts: CallbackReceipt[];
  /** Drops every connection until `up()`. */
  down(): void;
  up(): void;
  /** The next `times` callbacks are answered 410 Gone. */
  goneNext(times: number): void;
  stop(): Promise<void>;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function startEhrCallbackStandIn(): Promise<EhrCallbackStandIn> {
  const secret = newWebhookSecret();
  const receipts: CallbackReceipt[] = [];
  const sockets = new Set<Socket>();
  let isDown = false;
  let gone = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const webhookId = header(request, 'webhook-id') ?? '';
      let type = '';
      try {
        const parsed = (JSON.parse(body) as { type?: unknown }).type;
        type = typeof parsed === 'string' ? parsed : '';
      } catch {
        // Recorded with an empty type: the accounting then finds a callback it cannot match.
      }
      const at = Date.now();
      if (isDown) {
        // Down: the connection dies unanswered, which the worker cannot tell from a host that is gone.
        receipts.push({ webhookId, type, status: 0, at });
        request.socket.destroy();
        return;
      }
      const verification = verifyWebhook(
        [secret],
        {
          id: webhookId,
          timestamp: header(request, 'webhook-timestamp'),
          signature: header(request, 'webhook-signature'),
        },
        body,
      );
      let status = 204;
      if (verification !== 'valid') status = 401;
      else if (gone > 0) {
        gone -= 1;
        status = 410;
      }
      receipts.push({ webhookId, type, status, at });
      response.writeHead(status).end();
    });
  });
  server.on('connection', (socket: Socket) => {
    // Not refused here while down: the request is read first, so the receipt can name the callback that was dropped.
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ehr/callbacks`,
    secret,
    receipts,
    down() {
      isDown = true;
      // Connections open now die too: a host that goes away takes its sockets with it.
      for (const socket of sockets) socket.destroy();
    },
    up() {
      isDown = false;
    },
    goneNext(times: number) {
      gone += times;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
