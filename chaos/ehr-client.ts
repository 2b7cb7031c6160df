/**
 * How the traffic talks to the API: as an EHR, a client's browser or a staff
 * tool would, retrying what a dropped connection or a restarting server
 * interrupted. Every retry of a webhook carries the same webhook-id.
 */
import { randomUUID } from 'node:crypto';
import { signWebhook } from '../security/standard-webhooks';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One request, asked again (up to `giveUpMs`) while the answer is a dropped
 * connection or a 5xx, as a caller that wants it done would. `retryOn` adds
 * statuses worth asking again (409: a step still in progress).
 */
export async function persist(
  send: () => Promise<Response>,
  options: { giveUpMs: number; retryOn?: number[]; onRetry?: (reason: string) => void },
): Promise<Answer> {
  const deadline = Date.now() + options.giveUpMs;
  let wait = 200;
  for (;;) {
    let reason: string;
    try {
      const response = await send();
      const text = await response.text();
      if (response.status < 500 && !options.retryOn?.includes(response.status)) {
        return { status: response.status, headers: response.headers, text };
      }
      reason = `HTTP ${response.status}`;
    } catch (error) {
      reason = `connection: ${(error as Error).message}`;
    }
    options.onRetry?.(reason);
    if (Date.now() > deadline) throw new Error(`gave up after ${options.giveUpMs} ms (${reason})`);
    await sleep(wait);
    wait = Math.min(wait * 2, 3_000);
  }
}

let webhooksInFlight = 0;

/** How many webhook requests are waiting for their answer: the API fault waits for one, to drop it. */
export function webhooksInFlightNow(): number {
  return webhooksInFlight;
}

export function webhookSender(apiUrl: string, integrationId: string, secret: string) {
  return (body: string, webhookId: string) => async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    webhooksInFlight += 1;
    try {
      return await fetch(`${apiUrl}/v1/webhooks/ehr/${integrationId}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhookId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(secret, webhookId, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(30_000),
      });
    } finally {
      webhooksInFlight -= 1;
    }
  };
}

export function newWebhookId(): string {
  return `msg_${randomUUID()}`;
}
