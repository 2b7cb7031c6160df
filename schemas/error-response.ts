import { z } from 'zod';
import { APP_ERROR_CODES } from '../use-cases/app-error';

export const ZErrorResponse = z.object({
  error: z.object({
    code: z.enum(Object.keys(APP_ERROR_CODES) as [keyof typeof APP_ERROR_CODES]),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    requestId: z.string(),
  }),
});
export type TErrorResponse = z.infer<typeof ZErrorResponse>;
