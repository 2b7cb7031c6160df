import type { Db } from '../../db/client';

export interface EmailTrailStep {
  kind: 'queued' | 'sent' | 'delivered' | 'delivery_delayed' | 'bounced' | 'complained' | 'suppressed';
  at: Date;
  bounceType: string | null;
  /** The provider's words, without addresses. */
  reason: string | null;
}

export interface EmailTrail {
  id: string;
  template: string;
  steps: EmailTrailStep[];
}

const KINDS = new Set<string>(['delivered', 'delivery_delayed', 'bounced', 'complained']);

/**
 * Every email of an onboarding with what became of it: queued, sent, and
 * what the provider reported since (delivered, delayed, bounced with its
 * reason, marked as spam), oldest first. No recipient or content: the email
 * rows hold none. The caller has checked the reader may see this client.
 */
export async function emailTrails(db: Db, onboardingId: string): Promise<EmailTrail[]> {
  const emails = await db.emailMessage.findMany({
    where: { onboardingId },
    orderBy: { createdAt: 'asc' },
    select: {
      id: true,
      template: true,
      createdAt: true,
      sentAt: true,
      deliveryStatus: true,
      deliveryUpdatedAt: true,
      deliveryEvents: {
        orderBy: { occurredAt: 'asc' },
        select: { kind: true, occurredAt: true, bounceType: true, reason: true },
      },
    },
  });
  return emails.map((email) => {
    const steps: EmailTrailStep[] = [{ kind: 'queued', at: email.createdAt, bounceType: null, reason: null }];
    if (email.sentAt) steps.push({ kind: 'sent', at: email.sentAt, bounceType: null, reason: null });
    if (email.deliveryStatus === 'suppressed' && email.deliveryUpdatedAt) {
      steps.push({ kind: 'suppressed', at: email.deliveryUpdatedAt, bounceType: null, reason: null });
    }
    for (const event of email.deliveryEvents) {
      if (!KINDS.has(event.kind)) continue;
      steps.push({
        kind: event.kind as EmailTrailStep['kind'],
        at: event.occurredAt,
        bounceType: event.bounceType,
        reason: event.reason,
      });
    }
    return { id: email.id, template: email.template, steps };
  });
}
