/**
 * The `Idempotency-Key` request header of the staff actions (http/idempotency.ts):
 * its name, what it may hold, and the header that marks a replayed answer.
 * Here, beside the other schemas, so the OpenAPI document and the middleware
 * read the same definition.
 */
import { z } from 'zod';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** What the header may hold: 1–255 visible ASCII characters (a UUID is the usual choice). */
export const ZIdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7E]{1,255}$/, 'must be 1 to 255 visible ASCII characters (a UUID, say)');

/** Says that the answer is the one stored for the key, not a new action. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
