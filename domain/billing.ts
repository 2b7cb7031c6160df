/**
 * Invoices as the EHR sends them (the EHR owns billing; seed 002's My
 * Account shows them). One zod schema is the webhook's body, the stored
 * shape and the input of the invoice and superbill PDFs.
 *
 * No clinical information by default: a line names a service ("Psychotherapy,
 * 53 min") and its procedure code. The EHR may send the invoice's diagnosis
 * codes, which only a superbill prints, and only where the practice turned
 * superbillDiagnosisCodes on (seed 003: clients never see clinical
 * information in the portal unless the practice chooses to show it).
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

/**
 * What the EHR took off the total before the balance, one entry each:
 * insurance payments, adjustments and write-offs (contractual allowances,
 * courtesy discounts), and payments the client made outside the portal (at the
 * front desk). Portal payments are not listed: the portal knows them itself.
 */
export const ZInvoiceCredit = z.object({
  kind: z.enum(['INSURANCE_PAYMENT', 'ADJUSTMENT', 'CLIENT_PAYMENT']),
  /** As the client should read it, e.g. "Aetna payment, claim 4471" or "Contractual adjustment". */
  description: ZText(200).nullish(),
  postedOn: z.iso.date().nullish(),
  amountCents: ZCents,
});
export type TInvoiceCredit = z.infer<typeof ZInvoiceCredit>;

/** An ICD-10-CM code such as "F41.1" or "Z63.0". */
export const ZDiagnosisCode = z
  .string()
  .trim()
  .regex(/^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/, 'must be an ICD-10-CM code such as "F41.1"');

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
    credits: z
      .array(ZInvoiceCredit)
      .max(100)
      .default([])
      .describe(
        'What the EHR took off the total: insurance payments, adjustments and write-offs, and client payments made outside the portal (not portal payments, which the portal knows). With portal payments, what takes the total to balanceCents; invoices and superbills print each kind on its own line, and any difference the EHR did not itemise as "Other payments and adjustments".',
      ),
    diagnosisCodes: z
      .array(ZDiagnosisCode)
      .max(12)
      .default([])
      .describe(
        'ICD-10-CM codes of the services, as the EHR’s claim has them. Printed on the superbill only when the practice’s superbillDiagnosisCodes setting is on (off by default); never on the invoice or anywhere else in the portal.',
      ),
  })
  .superRefine((invoice, ctx) => {
    const total = invoiceTotalCents(invoice.lines);
    if (invoice.balanceCents > total) {
      ctx.addIssue({ code: 'custom', path: ['balanceCents'], message: 'cannot exceed the total of the lines' });
    } else if (invoice.balanceCents + creditCents(invoice.credits) > total) {
      ctx.addIssue({
        code: 'custom',
        path: ['credits'],
        message: 'with balanceCents, cannot exceed the total of the lines',
      });
    }
  });
export type TInvoice = z.infer<typeof ZInvoice>;

export function invoiceTotalCents(lines: readonly Pick<TInvoiceLine, 'amountCents'>[]): number {
  return lines.reduce((sum, line) => sum + line.amountCents, 0);
}

function creditCents(credits: readonly TInvoiceCredit[], kind?: TInvoiceCredit['kind']): number {
  return credits.filter((credit) => !kind || credit.kind === kind).reduce((sum, credit) => sum + credit.amountCents, 0);
}

/**
 * The arithmetic an invoice or superbill prints, so that it adds up:
 * total − insurance − adjustments − other client payments − portal payments
 * − otherCents = balance. otherCents is what the EHR's balance reflects but it
 * did not itemise (an EHR that sends no credits); it is 0 when it did.
 */
export interface InvoiceSummary {
  totalCents: number;
  insuranceCents: number;
  adjustmentCents: number;
  /** Client payments the EHR recorded outside the portal. */
  clientPaidElsewhereCents: number;
  portalPaidCents: number;
  otherCents: number;
  balanceCents: number;
}

export function invoiceSummary(
  invoice: Pick<TInvoice, 'lines' | 'credits' | 'balanceCents'>,
  portalPaidCents: number,
): InvoiceSummary {
  const totalCents = invoiceTotalCents(invoice.lines);
  const credits = invoice.credits ?? [];
  const insuranceCents = creditCents(credits, 'INSURANCE_PAYMENT');
  const adjustmentCents = creditCents(credits, 'ADJUSTMENT');
  const clientPaidElsewhereCents = creditCents(credits, 'CLIENT_PAYMENT');
  const otherCents =
    totalCents - insuranceCents - adjustmentCents - clientPaidElsewhereCents - portalPaidCents - invoice.balanceCents;
  return {
    totalCents,
    insuranceCents,
    adjustmentCents,
    clientPaidElsewhereCents,
    portalPaidCents,
    otherCents,
    balanceCents: invoice.balanceCents,
  };
}
