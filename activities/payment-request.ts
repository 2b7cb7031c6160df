import type { Db } from '../db/client';

/**
 * A payment request with what its steps need around it: the practice (for
 * pages and emails), the client's provider customer and chart, and the
 * client's onboarding (the timeline, the EHR callback and the staff to notify
 * hang off it).
 */
export function loadPaymentRequest(db: Db, paymentRequestId: string) {
  return db.paymentRequest.findUniqueOrThrow({
    where: { id: paymentRequestId },
    include: {
      organization: { select: { id: true, slug: true, name: true, timeZone: true, brandColor: true } },
      client: {
        select: {
          id: true,
          paymentCustomerId: true,
          externalChartId: true,
          onboarding: { select: { id: true, status: true, assignedStaffId: true } },
        },
      },
    },
  });
}

/** Deterministic, so the receipt a retry emails carries the number the first attempt recorded. */
export function receiptNumberOf(paymentRequestId: string): string {
  return `R-${paymentRequestId.replace(/-/g, '').slice(0, 10).toUpperCase()}`;
}
