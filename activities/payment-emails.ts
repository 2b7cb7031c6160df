/**
 * What a payment tells people once it is recorded (workflows/payment.ts): the
 * client's receipt and the staff's notice. Each email has an idempotency key
 * of the request (and the staff member), so a retried step sends nothing twice.
 */
import type { PaymentActivityDeps } from './payments';
import { sendTemplatedEmail } from './emails';
import { loadPaymentRequest } from './payment-request';
import { staffToNotify } from './staff-recipients';

export function createPaymentEmailActivities(deps: PaymentActivityDeps) {
  const { db, publicBaseUrl } = deps;
  return {
    /** The client's receipt (seed 002), to the portal user who paid, once per payment. */
    async sendPaymentReceipt({ paymentRequestId }: { paymentRequestId: string }): Promise<{ sent: boolean }> {
      const request = await loadPaymentRequest(db, paymentRequestId);
      const payment = await db.payment.findUniqueOrThrow({ where: { paymentRequestId } });
      const account = await db.portalAccount.findFirst({
        where: request.portalAccountId ? { id: request.portalAccountId } : { clientId: request.clientId },
        select: { email: true, ownerName: true, client: { select: { firstName: true } } },
      });
      if (!account) return { sent: false };
      const { onboarding } = request.client;
      const sent = await sendTemplatedEmail(deps, {
        organizationId: request.organizationId,
        onboardingId: onboarding?.id ?? null,
        idempotencyKey: `payment-receipt:${paymentRequestId}`,
        template: 'payment-receipt',
        to: account.email,
        props: {
          practiceName: request.organization.name,
          brandColor: request.organization.brandColor ?? undefined,
          timeZone: request.organization.timeZone,
          recipientName: account.ownerName ?? account.client.firstName,
          amountCents: payment.amountCents,
          currency: 'usd',
          paidAt: payment.paidAt.toISOString(),
          receiptNumber: payment.receiptNumber,
          cardBrand: payment.cardBrand,
          cardLast4: payment.cardLast4,
          receiptUrl: `${publicBaseUrl}/portal/${request.organization.slug}/account/payments/${paymentRequestId}`,
          savedCard: request.saveCard && payment.cardLast4 !== null,
        },
      });
      return { sent };
    },

    /**
     * Seed 003: "Both the Administrator and the assigned Therapist will
     * receive a payment notification." By chart id only, no client PHI.
     */
    async notifyStaffOfPayment({ paymentRequestId }: { paymentRequestId: string }): Promise<{ notified: number }> {
      const request = await loadPaymentRequest(db, paymentRequestId);
      const payment = await db.payment.findUniqueOrThrow({ where: { paymentRequestId } });
      const { onboarding, externalChartId } = request.client;
      const staff = await staffToNotify(db, request.organizationId, onboarding?.assignedStaffId);
      for (const member of staff) {
        await sendTemplatedEmail(deps, {
          organizationId: request.organizationId,
          onboardingId: onboarding?.id ?? null,
          idempotencyKey: `payment-received:${paymentRequestId}:${member.id}`,
          template: 'payment-received-staff',
          to: member.email,
          props: {
            practiceName: request.organization.name,
            brandColor: request.organization.brandColor ?? undefined,
            timeZone: request.organization.timeZone,
            recipientName: member.displayName,
            externalChartId,
            amountCents: payment.amountCents,
            currency: 'usd',
            paidAt: payment.paidAt.toISOString(),
            receiptNumber: payment.receiptNumber,
            dashboardUrl: onboarding
              ? `${publicBaseUrl}/staff/${request.organization.slug}/onboardings/${onboarding.id}`
              : `${publicBaseUrl}/staff/${request.organization.slug}`,
          },
        });
      }
      return { notified: staff.length };
    },
  };
}
