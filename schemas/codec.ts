import { z } from 'zod';

const ZBase64 = z
  .string()
  .max(4_000_000)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
/** The Temporal remote codec's request (api/routes/temporal-codec.ts), and its answer: Temporal's JSON payloads. */
export const ZCodecRequest = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string().max(200), ZBase64).default({}), data: ZBase64.default('') }))
    .max(1000),
});
