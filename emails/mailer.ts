import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Resend, type ErrorResponse } from 'resend';
import { z } from 'zod';
import type { AppConfig } from '../config/env';
import { simulateDeliveryEvents, type DeliveryEventSink } from './delivery-simulation';

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /**
   * Same key, same email: the transport sends it once however often it is
   * called. Built from the workflow id and the step (at most 256 characters).
   */
  idempotencyKey: string;
  /** Identifiers for filtering in the provider's dashboard; never PHI (Resend stores and shows them). */
  tags?: Record<string, string>;
}

export interface SentEmail {
  providerMessageId: string;
}

export interface Mailer {
  readonly kind: 'resend' | 'outbox';
  send(email: OutgoingEmail): Promise<SentEmail>;
}

/**
 * A send that did not happen. `retryable` says whether the same request may
 * succeed later (rate limits, provider outages, network trouble) or will be
 * refused again (a malformed request or address). The message names the
 * provider's status and error code and never contains the recipient's
 * address or the email's content, so it can go into logs and Temporal
 * failures as-is.
 */
export class EmailDeliveryError extends Error {
  override readonly name = 'EmailDeliveryError';
  readonly retryable: boolean;
  /** HTTP status from the provider; null when no answer came back. */
  readonly statusCode: number | null;
  /** The provider's error name, e.g. Resend's `validation_error`. */
  readonly providerCode: string | null;

  constructor(
    message: string,
    options: { retryable: boolean; statusCode?: number | null; providerCode?: string | null; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
    this.statusCode = options.statusCode ?? null;
    this.providerCode = options.providerCode ?? null;
  }
}

// Resend's limit; the outbox keeps the same one so that a key that works in development works in production.
const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

function assertIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new EmailDeliveryError(`idempotency key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, {
      retryable: false,
    });
  }
}

// ---------------------------------------------------------------------------
// Resend

const RESEND_API_URL = 'https://api.resend.com';

/**
 * Whether the same request can succeed later. Yes for rate limits and quotas
 * (429), Resend outages (5xx), no answer at all, and `concurrent_idempotent_requests`
 * (409: our own earlier attempt with this key is still in flight).
 *
 * Also yes for 401 and 403: a revoked API key or an unverified sending domain
 * is our configuration, not the email. Failing every onboarding's email for
 * good while it is broken would leave staff to re-send each by hand; retrying
 * lets them all go out once ops fix it, and the failing activity shows the
 * cause meanwhile.
 *
 * No for what a retry cannot change: a malformed request or address (400,
 * 422) or an idempotency key reused for a different email (409).
 */
const RETRYABLE_STATUSES = new Set([401, 403, 429]);

/** The same decision by Resend's error name, for an error body without a status. */
const RETRYABLE_RESEND_ERRORS = new Set<string>([
  'application_error',
  'internal_server_error',
  'rate_limit_exceeded',
  'daily_quota_exceeded',
  'monthly_quota_exceeded',
  'concurrent_idempotent_requests',
  'missing_api_key',
  'invalid_api_key',
  'restricted_api_key',
]);

function isRetryable(error: ErrorResponse): boolean {
  const status: unknown = error.statusCode;
  if (error.name === 'concurrent_idempotent_requests') return true;
  // The SDK reports a request that got no answer (refused connection, DNS, reset) with a null status.
  if (status === null) return true;
  if (typeof status !== 'number') return RETRYABLE_RESEND_ERRORS.has(error.name);
  return RETRYABLE_STATUSES.has(status) || status >= 500;
}

/** Resend tags allow ASCII letters, digits, `_` and `-`, up to 256 characters, in names and values. */
function sanitizeTagPart(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);
}

function toResendTags(tags: Record<string, string> | undefined): { name: string; value: string }[] | undefined {
  if (!tags) return undefined;
  const byName = new Map<string, string>();
  for (const [name, value] of Object.entries(tags)) {
    if (name.length > 0 && value.length > 0) byName.set(sanitizeTagPart(name), sanitizeTagPart(value));
  }
  return byName.size > 0 ? [...byName].map(([name, value]) => ({ name, value })) : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const EMAIL_ADDRESS = /[^\s<>()[\]"'`,;:]+@[^\s<>()[\]"'`,;:]+/g;

/**
 * Resend's messages sometimes quote an address ("You can only send testing
 * emails to your own email address (…)"). Strip the recipient however it is
 * written, and any other address, before the message goes anywhere.
 */
function redact(message: string, recipient: string): string {
  const withoutRecipient = recipient
    ? message.replace(new RegExp(escapeRegExp(recipient), 'gi'), '[recipient]')
    : message;
  return withoutRecipient.replace(EMAIL_ADDRESS, '[address]').slice(0, 300);
}

/**
 * Sends through Resend's API with the official SDK. `baseUrl` (tests point
 * it at a local stand-in) is passed to the SDK's constructor; we always pass
 * one, so the SDK never falls back to reading `RESEND_BASE_URL` from the
 * environment itself: config/env.ts is the one place that reads it.
 *
 * The idempotency key goes out as Resend's `Idempotency-Key` header. Resend
 * remembers keys for 24 hours: a retry later than that would send again,
 * which Temporal's retry profiles for email activities must stay well within.
 */
export function createResendMailer(options: { apiKey: string; from: string; baseUrl?: string }): Mailer {
  if (!options.apiKey) throw new Error('createResendMailer needs an API key');
  // The SDK appends paths such as "/emails" to the base URL as they are.
  const baseUrl = (options.baseUrl ?? RESEND_API_URL).replace(/\/+$/, '');
  const resend = new Resend(options.apiKey, { baseUrl });

  return {
    kind: 'resend',
    async send(email) {
      assertIdempotencyKey(email.idempotencyKey);
      const tags = toResendTags(email.tags);
      let result: Awaited<ReturnType<typeof resend.emails.send>>;
      try {
        result = await resend.emails.send(
          {
            from: options.from,
            to: [email.to],
            subject: email.subject,
            html: email.html,
            text: email.text,
            ...(tags ? { tags } : {}),
          },
          { idempotencyKey: email.idempotencyKey },
        );
      } catch (error) {
        // The SDK turns failures into `{ error }` results; anything thrown is unexpected and probably transient.
        throw new EmailDeliveryError('Resend request failed before an answer came back', {
          retryable: true,
          cause: error,
        });
      }
      if (result.error) {
        const { statusCode, name } = result.error;
        const status = typeof statusCode === 'number' ? statusCode : null;
        const message = redact(String(result.error.message), email.to);
        throw new EmailDeliveryError(
          status === null
            ? `Resend could not be reached (${name}): ${message}`
            : `Resend refused the email (${status} ${name}): ${message}`,
          { retryable: isRetryable(result.error), statusCode: status, providerCode: name },
        );
      }
      if (!result.data?.id) {
        throw new EmailDeliveryError('Resend answered without a message id', { retryable: true });
      }
      return { providerMessageId: result.data.id };
    },
  };
}

// ---------------------------------------------------------------------------
// Outbox

export const ZOutboxMessage = z.object({
  /** File name without extension; what readOutboxMessage takes. */
  id: z.string(),
  providerMessageId: z.string(),
  idempotencyKey: z.string(),
  to: z.string(),
  from: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  tags: z.record(z.string(), z.string()),
  createdAt: z.iso.datetime(),
});

export type TOutboxMessage = z.infer<typeof ZOutboxMessage>;

const OUTBOX_ID = /^[A-Za-z0-9_-]{1,160}$/;

/**
 * A file name for an idempotency key: the key itself when it is safe as a
 * name, otherwise the key with unsafe characters replaced plus a hash of the
 * original, so that "a:b" and "a_b" never share a file.
 */
function outboxIdOf(idempotencyKey: string): string {
  const safe = idempotencyKey.replace(/[^A-Za-z0-9_-]/g, '_');
  if (safe === idempotencyKey && safe.length <= 120) return safe;
  const hash = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 16);
  return `${safe.slice(0, 100)}-${hash}`;
}

// Duck-typed: errors from Node's fs are not `instanceof Error` in every realm (jest's sandbox, for one).
function isErrnoException(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

/** Writes `content` to `file` unless it exists; false when it did. */
async function writeIfAbsent(file: string, content: string): Promise<boolean> {
  try {
    await writeFile(file, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if (isErrnoException(error, 'EEXIST')) return false;
    throw error;
  }
}

/**
 * Development transport: each email becomes `<id>.json` (everything, for the
 * dev outbox page and tests) and `<id>.html` (to open in a browser) in `dir`.
 *
 * Idempotent like Resend: the first send for a key wins and later ones change
 * nothing and return the same id. The JSON file appears atomically (written
 * aside, then hard-linked into place, which fails if the name exists), so
 * two racing sends cannot both win or leave a half-written message.
 */
export function createOutboxMailer(options: {
  dir: string;
  from: string;
  /** Where to post the delivery events Resend would send (emails/delivery-simulation.ts); none: no events. */
  deliveryEvents?: DeliveryEventSink;
}): Mailer {
  const { dir, from } = options;
  return {
    kind: 'outbox',
    async send(email) {
      assertIdempotencyKey(email.idempotencyKey);
      await mkdir(dir, { recursive: true });
      const id = outboxIdOf(email.idempotencyKey);
      const providerMessageId = `outbox-${id}`;
      const message: TOutboxMessage = {
        id,
        providerMessageId,
        idempotencyKey: email.idempotencyKey,
        to: email.to,
        from,
        subject: email.subject,
        text: email.text,
        html: email.html,
        tags: email.tags ?? {},
        createdAt: new Date().toISOString(),
      };
      const jsonFile = path.join(dir, `${id}.json`);
      // Dot-prefixed and not ending in .json: listOutbox never sees a draft.
      const draft = path.join(dir, `.${id}.${randomUUID()}.tmp`);
      await writeFile(draft, `${JSON.stringify(message, null, 2)}\n`);
      let first = true;
      try {
        await link(draft, jsonFile);
      } catch (error) {
        if (!isErrnoException(error, 'EEXIST')) throw error;
        first = false;
      } finally {
        await unlink(draft);
      }
      // Also on a repeat: a crash between the two files must not leave the HTML missing for good.
      const html = first ? message.html : (await readOutboxMessage(dir, id))?.html;
      if (html !== undefined) await writeIfAbsent(path.join(dir, `${id}.html`), html);
      if (first && options.deliveryEvents) {
        simulateDeliveryEvents(options.deliveryEvents, {
          providerMessageId,
          to: email.to,
          from,
          subject: email.subject,
        });
      }
      return { providerMessageId };
    },
  };
}

/** One message of the outbox, or undefined when there is none with that id (or the id is not one we make). */
export async function readOutboxMessage(dir: string, id: string): Promise<TOutboxMessage | undefined> {
  // The id may come from a URL on the dev page: only names we generate, so no path can escape `dir`.
  if (!OUTBOX_ID.test(id)) return undefined;
  let raw: string;
  try {
    raw = await readFile(path.join(dir, `${id}.json`), 'utf8');
  } catch (error) {
    if (isErrnoException(error, 'ENOENT')) return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = ZOutboxMessage.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** Every message in the outbox, newest first; an outbox never written to is empty. */
export async function listOutbox(dir: string): Promise<TOutboxMessage[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isErrnoException(error, 'ENOENT')) return [];
    throw error;
  }
  const ids = names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
  const messages = await Promise.all(ids.map((id) => readOutboxMessage(dir, id)));
  return messages
    .filter((message): message is TOutboxMessage => message !== undefined)
    .sort((a, b) => compare(b.createdAt, a.createdAt) || compare(a.id, b.id));
}

// Code-unit order: ISO timestamps of one format sort chronologically this way, whatever the locale.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------

/**
 * The transport the configuration asks for (EMAIL_TRANSPORT). The outbox
 * posts simulated delivery events to `deliveryEventsUrl` when the webhook's
 * secret is configured.
 */
export function createMailer(email: AppConfig['email'], options: { deliveryEventsUrl?: string } = {}): Mailer {
  switch (email.transport) {
    case 'resend':
      if (!email.resendApiKey) throw new Error('RESEND_API_KEY is required when EMAIL_TRANSPORT=resend');
      return createResendMailer({
        apiKey: email.resendApiKey,
        from: email.from,
        ...(email.resendBaseUrl ? { baseUrl: email.resendBaseUrl } : {}),
      });
    case 'outbox':
      return createOutboxMailer({
        dir: email.outboxDir,
        from: email.from,
        ...(email.webhookSecret && options.deliveryEventsUrl
          ? { deliveryEvents: { url: () => options.deliveryEventsUrl ?? '', secret: email.webhookSecret } }
          : {}),
      });
  }
}
