/**
 * The optional payment step of onboarding (issue 7): a practice may ask each
 * new client to put a card on file, or to pay an intake deposit, once they
 * have registered (organization.onboarding_payment_step). The client sees it
 * on their portal home; staff and the EHR see it beside the onboarding's
 * status. It is a step beside the forms, not a gate: Complete still means the
 * forms are signed, and the step says on its own whether it is done.
 */
import type { Db } from '../../db/client';

export type PaymentStepStatus = 'OUTSTANDING' | 'IN_PROGRESS' | 'DONE';

export interface PaymentStep {
  kind: 'CARD_ON_FILE' | 'DEPOSIT';
  /** The deposit asked for; null for a card on file. */
  amountCents: number | null;
  status: PaymentStepStatus;
  /** The newest attempt at it, if any. */
  paymentRequestId: string | null;
  /** The onboarding it belongs to. */
  onboardingId: string;
}

export async function onboardingPaymentStep(
  db: Db,
  onboarding: { organizationId: string; id: string; clientId: string | null },
): Promise<PaymentStep | null> {
  const org = await db.organization.findUniqueOrThrow({
    where: { id: onboarding.organizationId },
    select: { paymentsEnabled: true, onboardingPaymentStep: true, intakeDepositCents: true },
  });
  if (!org.paymentsEnabled || org.onboardingPaymentStep === 'NONE') return null;
  const kind = org.onboardingPaymentStep;
  if (kind === 'DEPOSIT' && !org.intakeDepositCents) return null;
  const latest = await db.paymentRequest.findFirst({
    where: { onboardingId: onboarding.id, kind: kind === 'DEPOSIT' ? 'DEPOSIT' : 'CARD_SETUP' },
    orderBy: { createdAt: 'desc' },
    select: { id: true, status: true },
  });
  const hasCard =
    kind === 'CARD_ON_FILE' && onboarding.clientId
      ? (await db.paymentCard.count({ where: { clientId: onboarding.clientId, removedAt: null } })) > 0
      : false;
  const done = latest?.status === 'SUCCEEDED' || hasCard;
  const inProgress = latest && ['PENDING', 'AWAITING_PAYMENT', 'PROCESSING'].includes(latest.status);
  return {
    kind,
    amountCents: kind === 'DEPOSIT' ? org.intakeDepositCents : null,
    status: done ? 'DONE' : inProgress ? 'IN_PROGRESS' : 'OUTSTANDING',
    paymentRequestId: latest?.id ?? null,
    onboardingId: onboarding.id,
  };
}

/** The payment step of a client's onboarding (what the portal knows: the client, not the onboarding). */
export async function clientPaymentStep(
  db: Db,
  client: { organizationId: string; clientId: string },
): Promise<PaymentStep | null> {
  const onboarding = await db.onboarding.findUnique({ where: { clientId: client.clientId }, select: { id: true } });
  return onboarding ? onboardingPaymentStep(db, { ...client, id: onboarding.id }) : null;
}
