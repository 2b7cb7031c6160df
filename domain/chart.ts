/**
 * A client's chart as an EHR sends it. This is PHI: it travels in workflow
 * payloads only encrypted (temporal/payload-codec.ts) and is never logged.
 */
import { z } from 'zod';

/** Names compare case-, accent- and whitespace-insensitively later; store them as given, trimmed. */
const ZPersonName = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');

const ZDateOfBirth = z.iso.date('must be a date in the form YYYY-MM-DD').refine((value) => {
  const date = new Date(`${value}T00:00:00Z`);
  return date.getUTCFullYear() >= 1900 && date.getTime() <= Date.now();
}, 'must be a real date between 1900 and today');

export const ZChartDemographics = z.object({
  firstName: ZPersonName,
  lastName: ZPersonName,
  dateOfBirth: ZDateOfBirth,
  email: z
    .email('must be a valid email address')
    .max(254, 'must be at most 254 characters')
    .transform((email) => email.toLowerCase())
    .optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()./-]{7,20}$/, 'must be a phone number')
    .optional(),
});
export type TChartDemographics = z.infer<typeof ZChartDemographics>;

/** The EHR's own id for the chart: our key for "never create a duplicate client". */
export const ZExternalChartId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -');

export const ZChartDetails = z.object({
  externalChartId: ZExternalChartId,
  client: ZChartDemographics,
});
export type TChartDetails = z.infer<typeof ZChartDetails>;
