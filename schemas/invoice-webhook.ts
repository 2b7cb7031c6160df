import { z } from 'zod';
import { ZExternalChartId } from '../domain/chart';
import { ZInvoice } from '../domain/billing';

/**
 * The EHR's "invoice upserted" event, in the Standard Webhooks envelope: the
 * EHR owns billing and sends each invoice (new, or changed: insurance paid,
 * written off, voided) to the same webhook URL as its charts.
 */
export const ZInvoiceUpsertedWebhook = z
  .object({
    type: z.literal('invoice.upserted', { error: 'must be "invoice.upserted"' }),
    timestamp: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
    data: z.object({
      externalChartId: ZExternalChartId,
      invoice: ZInvoice,
      /**
       * Receipt numbers of portal payments (from our payment.succeeded
       * callbacks) that balanceCents already reflects. A portal payment not
       * listed here is still taken off the balance, so an update sent before
       * the EHR applied it cannot bring the paid amount back.
       */
      appliedReceiptNumbers: z
        .array(z.string().regex(/^R-[A-Z0-9]{10}$/, 'must be a receipt number such as "R-1A2B3C4D5E"'))
        .max(500)
        .default([]),
    }),
  })
  .describe('InvoiceUpsertedWebhook');
export type TInvoiceUpsertedWebhook = z.infer<typeof ZInvoiceUpsertedWebhook>;

export const ZInvoiceAccepted = z.object({
  invoiceId: z.uuid(),
  /** What the client owes on it now, in cents. */
  balanceCents: z.int(),
  status: z.enum(['OPEN', 'PAID', 'VOID']),
  /** True for a redelivered webhook-id: nothing was changed. */
  duplicate: z.boolean(),
});
export type TInvoiceAccepted = z.infer<typeof ZInvoiceAccepted>;
