import type { Db } from '../../db/client';
import type { DeliveryEvent } from '../../emails/delivery-events';

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
export async function receiveDeliveryEvent(db: Db, event: DeliveryEvent): Promise<ReceivedDeliveryEvent> {
  const email = await db.emailMessage.findFirst({
    where: { providerMessageId: event.providerMessageId },
    select: { id: true },
  });
  if (!email) return { matched: false, duplicate: false, emailMessageId: null };
  if (!event.kind) return { matched: true, duplicate: false, emailMessageId: email.id };
  const kind = event.kind;
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
    return true;
  });
  return { matched: true, duplicate: !recorded, emailMessageId: email.id };
}
