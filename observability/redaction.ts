/**
 * The safety net under every log line (observability/logger.ts, and the
 * Temporal SDK's own lines through temporal/sdk-logger.ts): code should log
 * ids only, but a mistake, an error message quoting a value, or a library's
 * metadata must not put PHI or secrets into a log pipeline that is not
 * covered like the database is. pino's `redact` takes fixed paths only, so
 * this walks the whole object instead, bounded and cycle-safe.
 */
import { types } from 'node:util';

export const CENSOR = '[redacted]';

/**
 * Keys whose values are dropped wherever they appear, compared without case,
 * `_` or `-`. IP addresses are here too: alone they are not PHI, but beside a
 * sign-in they identify a client, and the audit trail (in the database) is
 * where an address is kept, joined to these lines by the request id.
 */
const REDACTED_KEY = [
  /^password/,
  /hash$/,
  /token/,
  /secret/,
  /^authorization$/,
  /cookie/,
  /^(api|signing|private|encryption|payload|access)?key$/,
  /^name$/,
  /(first|last|middle|full|display|signer|owner|preferred|typed|legal|given|family|sur|client|patient|guardian|contact|user)name$/,
  /email/,
  /^(dateofbirth|dob|birthdate|birthday)$/,
  /phone/,
  /^(home|mailing|street|postal|billing)?address(line\d*)?$/,
  /^(street|city|postcode|postalcode|zip|zipcode)$/,
  /^answers?$/,
  /^(body|html|text|subject|content|notes?|comments?|messages?|reason|signature)$/,
  /^(client|chart|patient|contact|guardian)$/,
  /^(ip|ips|clientip|remoteaddress|ipaddress|forwardedfor|xforwardedfor)$/,
  /^(query|search|q)$/,
  /^(ssn|insurance.*|memberid|diagnos[ie]s)$/,
];

const EMAIL_IN_TEXT = /[^\s@"'<>()[\]{},;:]+@[^\s@"'<>()[\]{},;:]+\.[A-Za-z]{2,}/g;

const MAX_DEPTH = 8;
const MAX_KEYS = 100;
const MAX_ITEMS = 50;
const MAX_STRING = 2000;

export function isRedactedKey(key: string): boolean {
  const normal = key.toLowerCase().replace(/[-_]/g, '');
  return REDACTED_KEY.some((pattern) => pattern.test(normal));
}

function isError(value: unknown): value is Error {
  // isNativeError: errors made in the workflow sandbox come from another realm.
  return value instanceof Error || types.isNativeError(value);
}

/** A string as it may be logged: an email address inside free text is masked, a long text cut. */
function safeString(value: string): string {
  const cut = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  return cut.replace(EMAIL_IN_TEXT, CENSOR);
}

/** Only the `at …` lines of a stack: its first line repeats the message, which may quote a value. */
function stackFrames(error: Error): string[] {
  return (typeof error.stack === 'string' ? error.stack.split('\n') : [])
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 30)
    .map(safeString);
}

function primitiveOrUndefined(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'string') return safeString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

/**
 * An error as a log may carry it: what kind, its code and status, and where
 * (stack frames), never its message or details, which may quote the values
 * that failed. Prisma errors keep the constraint they hit (`meta.target`),
 * zod errors the paths of the bad fields, Temporal failures their type; causes
 * the same way, a few deep. The application's own AppError keeps its message:
 * app-error.ts makes it internal text that never carries PHI.
 */
export function serializeError(error: Error, depth = 0): Record<string, unknown> {
  const fields = error as unknown as Record<string, unknown>;
  const name = typeof error.name === 'string' ? error.name : 'Error';
  const out: Record<string, unknown> = { type: name };
  const code = primitiveOrUndefined(fields.code);
  if (code !== undefined) out.code = code;
  for (const key of ['status', 'statusCode', 'clientVersion', 'nonRetryable', 'category'] as const) {
    const value = primitiveOrUndefined(fields[key]);
    if (value !== undefined) out[key] = value;
  }
  // Temporal's ApplicationFailure: its type names the failure (EmailInUse), its details may hold anything.
  const failureType = primitiveOrUndefined(
    fields.failureType ?? (name === 'ApplicationFailure' ? fields.type : undefined),
  );
  if (failureType !== undefined) out.failureType = failureType;
  const meta = fields.meta as { target?: unknown; modelName?: unknown } | undefined;
  if (meta && typeof meta === 'object') {
    const target = Array.isArray(meta.target) ? meta.target.map(String) : primitiveOrUndefined(meta.target);
    if (target !== undefined || typeof meta.modelName === 'string') {
      out.meta = {
        ...(target !== undefined ? { target } : {}),
        ...(typeof meta.modelName === 'string' ? { modelName: meta.modelName } : {}),
      };
    }
  }
  if (Array.isArray(fields.issues)) {
    out.issues = (fields.issues as { path?: unknown; code?: unknown }[]).slice(0, MAX_ITEMS).map((issue) => ({
      path: Array.isArray(issue.path) ? issue.path.map(String).join('.') : '',
      code: primitiveOrUndefined(issue.code),
    }));
  }
  if (name === 'AppError' && typeof error.message === 'string') out.message = safeString(error.message);
  const frames = stackFrames(error);
  out.stack = [`${name}${code !== undefined ? ` [${String(code)}]` : ''}`, ...frames].join('\n');
  if (isError(fields.cause) && depth < 3) out.cause = serializeError(fields.cause, depth + 1);
  return out;
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return safeString(value);
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'function' || typeof value === 'symbol') return undefined;
    return value;
  }
  if (isError(value)) return serializeError(value);
  if (value instanceof Date) return value;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_ITEMS).map((item) => walk(item, depth + 1, seen));
      return value.length > MAX_ITEMS ? [...items, `[${value.length - MAX_ITEMS} more]`] : items;
    }
    const entries =
      value instanceof Map ? [...value.entries()].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries.slice(0, MAX_KEYS)) {
      out[key] = isRedactedKey(key) ? CENSOR : walk(item, depth + 1, seen);
    }
    if (entries.length > MAX_KEYS) out['[more keys]'] = entries.length - MAX_KEYS;
    return out;
  } finally {
    // A value seen twice side by side is not a cycle; only one inside itself is.
    seen.delete(value);
  }
}

/** A copy of a log object with every PHI- or secret-named key censored, at any depth, and errors reduced to their kind. */
export function redactForLog(fields: Record<string, unknown>): Record<string, unknown> {
  return walk(fields, 0, new WeakSet()) as Record<string, unknown>;
}
