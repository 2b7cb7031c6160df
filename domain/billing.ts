/**
 * Invoices as the EHR sends them (the EHR owns billing; seed 002's My
 * Account shows them). One zod schema is the webhook's body, the stored
 * shape and the input of the invoice and superbill PDFs.
 *
 * No clinical information: a line names a service ("Psychotherapy, 53 min")
 * and its procedure code, never a diagnosis (seed 003: clients never see
 * clinical information in the portal).
 */
import { z } from 'zod';
import { isStorableText, UNSTORABLE_TEXT } from './form-definition';
import { MAX_PAYMENT_CENTS } from './money';

const ZCents = z
  .int()
  .min(0)
  .max(MAX_PAYMENT_CENTS * 10);
const ZText = (max: number) => z.string().trim().min(1).max(max).refine(isStorableText, UNSTORABLE_TEXT);

export const ZInvoiceLine = z.object({
  serviceDate: z.iso.date(),
  description: ZText(200),
  /** CPT/HCPCS code of the service, e.g. "90837"; printed on the superbill. */
  serviceCode: z
    .string()
    .trim()
    .regex(/^[A-Z0-9]{4,7}$/, 'must be a procedure code such as "90837"')
    .nullish(),
  units: z.int().min(1).max(100).default(1),
  amountCents: ZCents,
});
export type TInvoiceLine = z.infer<typeof ZInvoiceLine>;

/** What a superbill needs beyond the invoice: the rendering provider's identifiers. */
export const ZSuperbillDetails = z.object({
  providerName: ZText(120),
  npi: z.string().regex(/^\d{10}$/, 'must be a 10-digit NPI'),
  taxId: z
    .string()
    .regex(/^\d{2}-?\d{7}$/, 'must be a 9-digit tax id')
    .nullish(),
  /** CMS place-of-service code, e.g. "11" (office) or "10" (telehealth at home). */
  placeOfService: z
    .string()
    .regex(/^\d{2}$/)
    .nullish(),
});
export type TSuperbillDetails = z.infer<typeof ZSuperbillDetails>;

export const INVOICE_STATUSES = ['OPEN', 'PAID', 'VOID'] as const;

export const ZInvoice = z
  .object({
    /** The EHR's id of the invoice: the same id again updates it. */
    externalInvoiceId: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._:-]+$/, 'may hold letters, digits and . _ : - only'),
    issuedOn: z.iso.date(),
    dueOn: z.iso.date().nullish(),
    currency: z.literal('usd').default('usd'),
    lines: z.array(ZInvoiceLine).min(1).max(100),
    /** What the client still owes on it, as the EHR computes it (after insurance and earlier payments). */
    balanceCents: ZCents,
    status: z.enum(INVOICE_STATUSES).default('OPEN'),
    superbill: ZSuperbillDetails.nullish(),
  })
  .superRefine((invoice, ctx) => {
    const total = invoice.lines.reduce((sum, line) => sum + line.amountCents, 0);
    if (invoice.balanceCents > total) {
      ctx.addIssue({ code: 'custom', path: ['balanceCents'], message: 'cannot exceed the total of the lines' });
    }
  });
export type TInvoice = z.infer<typeof ZInvoice>;

export function invoiceTotalCents(lines: readonly Pick<TInvoiceLine, 'amountCents'>[]): number {
  return lines.reduce((sum, line) => sum + line.amountCents, 0);
}
