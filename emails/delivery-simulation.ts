/**
 * What Resend would report about an email, played locally: the outbox (and
 * the tests' Resend stand-in) post real Svix-signed events to our own
 * webhook, so `npm start` and the tests take the same path as production.
 * The recipient's domain picks the story: bounce.test bounces for good,
 * softbounce.test bounces for now, complaint.test is delivered then marked
 * as spam, delayed.test is delayed; any other address is delivered.
 */
import { randomUUID } from 'node:crypto';
import { signDeliveryEvent } from './delivery-events';

export interface DeliveryEventSink {
  /** Our webhook's URL; read at each send (tests learn the API's port after the mailer is made). */
  url(): string;
  secret: string;
}

type Story = { type: string; bounce?: { type: string; subType: string; message: string } }[];

function storyOf(to: string): Story {
  const domain = to.slice(to.lastIndexOf('@') + 1).toLowerCase();
  switch (domain) {
    case 'bounce.test':
      return [
        {
          type: 'email.bounced',
          bounce: {
            type: 'Permanent',
            subType: 'General',
            message: "The recipient's mail server permanently rejected the email (550 5.1.1 user unknown).",
          },
        },
      ];
    case 'softbounce.test':
      return [
        {
          type: 'email.bounced',
          bounce: { type: 'Transient', subType: 'MailboxFull', message: "The recipient's mailbox is full." },
        },
      ];
    case 'complaint.test':
      return [{ type: 'email.delivered' }, { type: 'email.complained' }];
    case 'delayed.test':
      return [{ type: 'email.delivery_delayed' }];
    default:
      return [{ type: 'email.delivered' }];
  }
}

// Our send records the provider's id only after the transport answers: give it that long, then retry while unmatched.
const FIRST_DELAY_MS = 300;
const RETRY_DELAY_MS = 500;
const ATTEMPTS = 20;

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

async function post(sink: DeliveryEventSink, body: string, id: string): Promise<boolean> {
  const headers = await signDeliveryEvent(sink.secret, body, { id });
  const response = await fetch(sink.url(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  if (!response.ok) return false;
  const answer = (await response.json()) as { matched?: unknown };
  return answer.matched === true;
}

/**
 * Posts the events of the recipient's story, in order, in the background.
 * Like Svix, it retries an event until it is taken (here: matched to an
 * email), then gives up quietly.
 */
export function simulateDeliveryEvents(
  sink: DeliveryEventSink,
  email: { providerMessageId: string; to: string; from: string; subject: string },
): void {
  const story = storyOf(email.to);
  void (async () => {
    await sleep(FIRST_DELAY_MS);
    for (const step of story) {
      const id = `msg_${randomUUID().replaceAll('-', '')}`;
      const body = JSON.stringify({
        type: step.type,
        created_at: new Date().toISOString(),
        data: {
          created_at: new Date().toISOString(),
          email_id: email.providerMessageId,
          from: email.from,
          to: [email.to],
          subject: email.subject,
          ...(step.bounce ? { bounce: step.bounce } : {}),
        },
      });
      for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
        const taken = await post(sink, body, id).catch(() => false);
        if (taken) break;
        await sleep(RETRY_DELAY_MS);
      }
    }
  })();
}
