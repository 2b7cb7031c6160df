/**
 * Invoice and superbill PDFs of My Account, each download audited.
 */
import { Router } from 'express';
import { invoicePdf } from '../../documents/invoice-pdf';
import { superbillPdf } from '../../documents/superbill-pdf';
import { loadInvoice } from '../../use-cases/billing/portal-payments';
import { practiceExtrasOf } from '../../use-cases/practice/practice-contact';
import { accountPages, cardText, ZId } from './account-pages';
import type { PortalContext } from './portal-session';

export function billingDocumentRoutes(deps: PortalContext): Router {
  const router = Router();
  const { signedIn, audit, notFound, pdf } = accountPages(deps);

  router.get('/portal/:orgSlug/account/invoices/:invoiceId/:document', async (req, res) => {
    const session = await signedIn(req, res);
    if (!session) return;
    const { org, holder } = session;
    const kind =
      req.params.document === 'invoice.pdf' ? 'invoice' : req.params.document === 'superbill.pdf' ? 'superbill' : null;
    const id = ZId.safeParse(req.params.invoiceId);
    const found = kind && id.success ? await loadInvoice(deps.db, holder, id.data) : null;
    if (!found || (kind === 'superbill' && !found.document.superbill)) {
      notFound(res, org, 'Invoice');
      return;
    }
    const client = await deps.db.client.findUniqueOrThrow({
      where: { id: holder.clientId },
      select: { firstName: true, lastName: true, dateOfBirth: true },
    });
    await audit(req, holder, kind === 'invoice' ? 'invoice.download' : 'superbill.download', {
      invoiceId: found.invoice.id,
    });
    const invoice = { ...found.document, balanceCents: found.invoice.balanceCents };
    const paidCents = found.applied.reduce((sum, entry) => sum + entry.amountCents, 0);
    const clientName = `${client.firstName} ${client.lastName}`;
    const fileStem = found.invoice.externalInvoiceId.replace(/[^A-Za-z0-9._-]/g, '-');
    if (kind === 'invoice') {
      pdf(
        res,
        `invoice-${fileStem}.pdf`,
        await invoicePdf({
          practiceName: org.name,
          clientName,
          invoice,
          paidCents,
          timeZone: org.timeZone,
          payments: found.applied.map(({ payment, amountCents }) => ({
            paidAt: payment.paidAt.toISOString(),
            amountCents,
            receiptNumber: payment.receiptNumber,
            card: payment.cardLast4 ? cardText({ brand: payment.cardBrand ?? 'card', last4: payment.cardLast4 }) : null,
          })),
        }),
      );
    } else {
      pdf(
        res,
        `superbill-${fileStem}.pdf`,
        await superbillPdf({
          practiceName: org.name,
          clientName,
          dateOfBirth: client.dateOfBirth.toISOString().slice(0, 10),
          invoice,
          paidCents,
          timeZone: org.timeZone,
          showDiagnosisCodes: (await practiceExtrasOf(deps.db, org.id)).superbillDiagnosisCodes,
        }),
      );
    }
  });

  return router;
}
