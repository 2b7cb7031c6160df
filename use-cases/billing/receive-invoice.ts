import type { Db } from '../../db/client';
import { invoiceTotalCents } from '../../domain/billing';
import { AppError } from '../app-error';
import type { TInvoiceAccepted, TInvoiceUpsertedWebhook } from '../../schemas/invoice-webhook';
import type { VerifiedIntegration } from '../integrations/ehr-webhook-auth';

/**
 * A verified invoice.upserted delivery: the invoice stored (or updated) under
 * the EHR's id, its balance less portal payments the EHR has not applied yet.
 * A redelivered webhook-id changes nothing.
 */
export async function receiveInvoice(
  db: Db,
  integration: VerifiedIntegration,
  webhookId: string,
  event: TInvoiceUpsertedWebhook,
): Promise<TInvoiceAccepted & { clientId: string }> {
  if (!integration.active) throw new AppError('INTEGRATION_DISABLED');
  const { organizationId } = integration;
  const { invoice, externalChartId, appliedReceiptNumbers } = event.data;
  const client = await db.client.findUnique({
    where: { organizationId_externalChartId: { organizationId, externalChartId } },
    select: { id: true, onboarding: { select: { id: true } } },
  });
  if (!client) throw new AppError('UNKNOWN_CHART', 'invoice for a chart not received');

  return db.$transaction(async (tx) => {
    const seen = await tx.inboundWebhook.findUnique({
      where: { integrationId_webhookId: { integrationId: integration.id, webhookId } },
      select: { id: true },
    });
    const existing = await tx.invoice.findUnique({
      where: { organizationId_externalInvoiceId: { organizationId, externalInvoiceId: invoice.externalInvoiceId } },
    });
    if (existing && existing.clientId !== client.id) {
      throw new AppError('CONFLICT', 'invoice id already used for another chart', {
        publicMessage: 'This invoice id belongs to another chart.',
      });
    }
    if (seen && existing) {
      return {
        invoiceId: existing.id,
        balanceCents: existing.balanceCents,
        status: existing.status,
        duplicate: true,
        clientId: client.id,
      };
    }
    const unapplied = existing
      ? (
          await tx.payment.findMany({
            where: { clientId: client.id, receiptNumber: { notIn: appliedReceiptNumbers } },
            select: { allocations: true },
          })
        )
          .flatMap((payment) => payment.allocations as { invoiceId: string; amountCents: number }[])
          .filter((entry) => entry.invoiceId === existing.id)
          .reduce((sum, entry) => sum + entry.amountCents, 0)
      : 0;
    const balanceCents = Math.max(0, invoice.balanceCents - unapplied);
    const status = invoice.status === 'VOID' ? 'VOID' : balanceCents === 0 ? 'PAID' : 'OPEN';
    const data = {
      issuedOn: new Date(`${invoice.issuedOn}T00:00:00Z`),
      status,
      currency: invoice.currency,
      totalCents: invoiceTotalCents(invoice.lines),
      balanceCents,
      document: invoice,
    } as const;
    const saved = existing
      ? await tx.invoice.update({ where: { id: existing.id }, data })
      : await tx.invoice.create({
          data: { ...data, organizationId, clientId: client.id, externalInvoiceId: invoice.externalInvoiceId },
        });
    await tx.inboundWebhook.createMany({
      data: [
        {
          integrationId: integration.id,
          webhookId,
          eventType: event.type,
          onboardingId: client.onboarding?.id ?? null,
        },
      ],
      skipDuplicates: true,
    });
    return {
      invoiceId: saved.id,
      balanceCents: saved.balanceCents,
      status: saved.status,
      duplicate: false,
      clientId: client.id,
    };
  });
}
