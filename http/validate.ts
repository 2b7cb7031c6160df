import type { z } from 'zod';
import { fieldErrors } from './error-handler';

/** Parses a request part with its schema; a failure becomes a 400 with field-level errors. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, prefix: string[] = []): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fieldErrors(parsed.error, prefix);
  return parsed.data;
}
