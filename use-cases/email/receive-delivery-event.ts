import { WorkflowNotFoundError, type Client as TemporalClient } from '@temporalio/client';
import { applyOnboardingProgress } from '../../activities/onboarding-progress';
import { invitationBouncedSignal, invitationDelayedSignal } from '../../workflows/client-onboarding';
import { AppError } from '../app-error';
import type { Db } from '../../db/client';
import type { DeliveryEvent } from '../../emails/delivery-events';
import { suppressionHash, type SuppressionReason } from '../../emails/suppression';

/** The emails that carry a client's registration link: what goes wrong with them shows on the onboarding. */
export const INVITATION_TEMPLATES: readonly string[] = [
  'portal-invitation',
  'invitation-resent',
  'invitation-reminder',
];

/** The timeline code of each event on an invitation (web/staff/timeline-labels.ts words them). */
const INVITATION_EVENT_TYPES = {
  bounced: 'invitation.bounced',
  complained: 'invitation.complained',
  delivery_delayed: 'invitation.delayed',
} as const;

export interface ReceivedDeliveryEvent {
  /** False when no email of ours has the provider's id (yet): nothing was written. */
  matched: boolean;
  /** True for an event id taken before: nothing was written again. */
  duplicate: boolean;
  emailMessageId: string | null;
}

/**
 * A verified delivery event, written to its email's trail once (by event id)
 * and, when it is the newest word on that email, to its delivery status.
 * An event naming no email of ours writes nothing: Resend sends the events of
 * every email of the account, and the simulation retries until its email's
 * id is recorded.
 */
export async function receiveDeliveryEvent(
  deps: { db: Db; tokenSigningKey: Buffer; temporal: TemporalClient },
  event: DeliveryEvent,
): Promise<ReceivedDeliveryEvent> {
  const { db } = deps;
  const email = await db.emailMessage.findFirst({
    where: { providerMessageId: event.providerMessageId },
    select: { id: true, organizationId: true, onboardingId: true, template: true, idempotencyKey: true },
  });
  if (!email) return { matched: false, duplicate: false, emailMessageId: null };
  if (!event.kind) return { matched: true, duplicate: false, emailMessageId: email.id };
  const kind = event.kind;
  const seen = await db.emailDeliveryEvent.findUnique({ where: { eventId: event.eventId }, select: { eventId: true } });
  if (seen) return { matched: true, duplicate: true, emailMessageId: email.id };
  const undeliverable = kind === 'complained' || (kind === 'bounced' && event.bounceType === 'hard');
  const invitationId = INVITATION_KEY.exec(email.idempotencyKey)?.[1];
  // Signalled before the event is recorded: if Temporal is down the answer is 503 and Svix's retry signals again.
  if (undeliverable && email.onboardingId && invitationId) {
    await signalOnboarding(deps, email.onboardingId, invitationBouncedSignal, invitationId);
  }
  // Delayed for now: the provider retries; the workflow escalates only if it never lands in the practice's window.
  const delayed = kind === 'delivery_delayed' || (kind === 'bounced' && event.bounceType === 'soft');
  if (delayed && email.onboardingId && invitationId) {
    await signalOnboarding(deps, email.onboardingId, invitationDelayedSignal, invitationId);
  }
  const recorded = await db.$transaction(async (tx) => {
    const inserted = await tx.emailDeliveryEvent.createMany({
      data: {
        eventId: event.eventId,
        emailMessageId: email.id,
        kind,
        bounceType: event.bounceType,
        reason: event.reason,
        occurredAt: event.occurredAt,
      },
      skipDuplicates: true,
    });
    if (inserted.count === 0) return false;
    // Events can arrive out of order: an older one joins the trail without overwriting the status.
    await tx.emailMessage.updateMany({
      where: {
        id: email.id,
        OR: [{ deliveryUpdatedAt: null }, { deliveryUpdatedAt: { lte: event.occurredAt } }],
      },
      data: { deliveryStatus: kind, bounceType: event.bounceType, deliveryUpdatedAt: event.occurredAt },
    });
    const suppression: SuppressionReason | null = !undeliverable
      ? null
      : kind === 'complained'
        ? 'complaint'
        : 'hard_bounce';
    if (suppression && event.recipient) {
      await tx.emailSuppression.createMany({
        data: {
          organizationId: email.organizationId,
          addressHash: suppressionHash(deps.tokenSigningKey, event.recipient),
          reason: suppression,
        },
        skipDuplicates: true,
      });
    }
    if (email.onboardingId && INVITATION_TEMPLATES.includes(email.template) && kind !== 'delivered') {
      await applyOnboardingProgress(tx, {
        onboardingId: email.onboardingId,
        event: {
          key: `email-event:${event.eventId}`,
          type: INVITATION_EVENT_TYPES[kind],
          detail: { template: email.template, bounceType: event.bounceType },
        },
      });
    }
    return true;
  });
  return { matched: true, duplicate: !recorded, emailMessageId: email.id };
}

/** The invitation an email carries: `invitation:<id>` (first and resent) and `invitation-reminder:<id>:<day>`. */
const INVITATION_KEY = /^invitation(?:-reminder)?:([0-9a-f-]{36})(?::|$)/;

async function signalOnboarding(
  deps: { db: Db; temporal: TemporalClient },
  onboardingId: string,
  signal: typeof invitationBouncedSignal | typeof invitationDelayedSignal,
  invitationId: string,
): Promise<void> {
  const onboarding = await deps.db.onboarding.findUnique({
    where: { id: onboardingId },
    select: { workflowId: true },
  });
  if (!onboarding) return;
  try {
    await deps.temporal.workflow.getHandle(onboarding.workflowId).signal(signal, { invitationId });
  } catch (error) {
    // Finished (registered, cancelled): a bounce or a delay changes nothing there.
    if (error instanceof WorkflowNotFoundError) return;
    throw new AppError('UNAVAILABLE', 'could not signal the onboarding workflow', { cause: error });
  }
}
