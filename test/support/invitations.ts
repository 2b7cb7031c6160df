import type { Db } from '../../db/client';
import { listOutbox } from '../../emails/mailer';

/** The registration-link token in the newest email to `to` in the outbox. */
export async function latestRegistrationToken(outboxDir: string, to: string): Promise<string> {
  const messages = await listOutbox(outboxDir);
  const message = messages.find((candidate) => candidate.to === to && /\/portal\/register\//.test(candidate.text));
  const token = message && /\/portal\/register\/([A-Za-z0-9_-]{43})/.exec(message.text)?.[1];
  if (!token) throw new Error(`no registration link to ${to} in the outbox`);
  return token;
}

/** Templates of the emails an onboarding sent, oldest first. */
export async function emailsSent(db: Db, onboardingId: string): Promise<string[]> {
  const rows = await db.emailMessage.findMany({
    where: { onboardingId, status: 'SENT' },
    orderBy: { createdAt: 'asc' },
    select: { template: true },
  });
  return rows.map((row) => row.template);
}

export async function timelineOf(db: Db, onboardingId: string): Promise<string[]> {
  const rows = await db.onboardingEvent.findMany({
    where: { onboardingId },
    orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
    select: { type: true },
  });
  return rows.map((row) => row.type);
}
