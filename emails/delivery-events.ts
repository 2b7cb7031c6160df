/**
 * Resend's delivery events, as its webhook (sent through Svix) posts them:
 * verified with the official `svix` library over the exact bytes received,
 * and reduced to what we keep: which email, what happened, when, and for a
 * bounce whether it is for good. Recipients and subjects are read by nobody
 * here; the bounce reason keeps no address.
 */
import { z } from 'zod';

/** What we record; `sent` and the rest of Resend's kinds (opened, clicked…) change nothing. */
export const DELIVERY_KINDS = ['delivered', 'delivery_delayed', 'bounced', 'complained'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];
export type BounceType = 'hard' | 'soft';

const ZResendEvent = z.object({
  type: z.string().min(1).max(100),
  created_at: z.iso.datetime({ offset: true }),
  data: z.looseObject({
    email_id: z.string().min(1).max(200),
    to: z.array(z.string()).optional(),
    bounce: z
      .looseObject({
        type: z.string().optional(),
        subType: z.string().optional(),
        message: z.string().optional(),
      })
      .optional(),
  }),
});

export interface DeliveryEvent {
  /** The webhook message id (svix-id): the same on every redelivery. */
  eventId: string;
  /** Resend's id of the email, as its send answered it. */
  providerMessageId: string;
  /** Null for a kind we do not record. */
  kind: DeliveryKind | null;
  bounceType: BounceType | null;
  reason: string | null;
  occurredAt: Date;
  /** The address the event is about; only to suppress it, never stored or logged. */
  recipient: string | null;
}

export class DeliveryEventSignatureError extends Error {
  override readonly name = 'DeliveryEventSignatureError';
}
export class DeliveryEventPayloadError extends Error {
  override readonly name = 'DeliveryEventPayloadError';
}

// svix ships only ES modules; this CommonJS build loads it on first use. The part we use, typed here
// because a CommonJS file cannot name an ES module's types without an import attribute our linter does not parse.
interface Svix {
  Webhook: new (secret: string) => {
    verify(payload: Buffer | string, headers: Record<string, string>): unknown;
    sign(msgId: string, timestamp: Date, payload: string): string;
  };
  WebhookVerificationError: abstract new (...args: never[]) => Error;
}
let svix: Promise<Svix> | undefined;
function loadSvix(): Promise<Svix> {
  svix ??= import('svix') as Promise<unknown> as Promise<Svix>;
  return svix;
}

const EMAIL_ADDRESS = /[^\s<>()[\]"'`,;:]+@[^\s<>()[\]"'`,;:]+/g;

/** Resend's `Permanent` is a hard bounce; `Transient` and `Undetermined` may still land, so soft. */
function bounceTypeOf(type: string | undefined): BounceType {
  return type === 'Permanent' ? 'hard' : 'soft';
}

function kindOf(type: string): DeliveryKind | null {
  const kind = type.startsWith('email.') ? type.slice('email.'.length) : '';
  return (DELIVERY_KINDS as readonly string[]).includes(kind) ? (kind as DeliveryKind) : null;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(' ') : (value ?? '');
}

/**
 * The event in `body`, if its Svix signature (svix-id, svix-timestamp within
 * five minutes, svix-signature) is valid for `secret`.
 */
export async function verifyDeliveryEvent(
  secret: string,
  body: Buffer,
  headers: Record<string, string | string[] | undefined>,
): Promise<DeliveryEvent> {
  const { Webhook, WebhookVerificationError } = await loadSvix();
  const svixHeaders = {
    'svix-id': header(headers, 'svix-id'),
    'svix-timestamp': header(headers, 'svix-timestamp'),
    'svix-signature': header(headers, 'svix-signature'),
  };
  try {
    // This svix version checks the signature and returns nothing: the body is parsed below, once trusted.
    new Webhook(secret).verify(body, svixHeaders);
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw new DeliveryEventSignatureError(error.message);
    throw error;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    throw new DeliveryEventPayloadError('body is not JSON');
  }
  const parsed = ZResendEvent.safeParse(payload);
  if (!parsed.success) throw new DeliveryEventPayloadError('body is not a Resend email event');
  const { type, created_at: createdAt, data } = parsed.data;
  const kind = kindOf(type);
  const bounce = kind === 'bounced' ? data.bounce : undefined;
  const reason = bounce ? [bounce.subType, bounce.message].filter(Boolean).join(': ') : '';
  return {
    eventId: svixHeaders['svix-id'],
    providerMessageId: data.email_id,
    kind,
    bounceType: kind === 'bounced' ? bounceTypeOf(bounce?.type) : null,
    reason: reason ? reason.replace(EMAIL_ADDRESS, '[address]').slice(0, 300) : null,
    occurredAt: new Date(createdAt),
    recipient: data.to?.[0] ?? null,
  };
}

/** Svix headers for `body`, as Resend sends them: for the local simulation and for tests. */
export async function signDeliveryEvent(
  secret: string,
  body: string,
  options: { id: string; timestamp?: Date },
): Promise<Record<string, string>> {
  const { Webhook } = await loadSvix();
  const timestamp = options.timestamp ?? new Date();
  return {
    'svix-id': options.id,
    'svix-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'svix-signature': new Webhook(secret).sign(options.id, timestamp, body),
  };
}

/** A Resend signing secret: `whsec_` and base64 of random bytes. */
export function isDeliveryEventSecret(secret: string): boolean {
  return /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/.test(secret);
}
