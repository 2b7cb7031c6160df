/**
 * When a pending invitation next needs the workflow: a reminder not yet sent,
 * or its expiry. Shared by the client's invitation (client-onboarding.ts) and
 * each contact's (portal-user-invitation.ts), so both keep one lifecycle.
 */
import type { InvitationPolicy } from '../activities/invitations';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the workflows keep of a pending invitation (times are workflow-time ISO strings). */
export interface PendingInvitation {
  issuedAt: string;
  expiresAt: string;
  remindersSent: number[];
}

export type Deadline = { kind: 'reminder'; day: number; at: number } | { kind: 'expiry'; at: number };

/** The next thing due for a pending invitation: a reminder not yet sent, or its expiry. */
export function nextDeadline(invitation: PendingInvitation, policy: InvitationPolicy): Deadline {
  const issuedAt = Date.parse(invitation.issuedAt);
  const expiresAt = Date.parse(invitation.expiresAt);
  const reminders = policy.reminderDays
    .filter((day) => !invitation.remindersSent.includes(day))
    .map((day) => ({ kind: 'reminder' as const, day, at: issuedAt + day * DAY_MS }))
    .filter((reminder) => reminder.at < expiresAt)
    .sort((a, b) => a.at - b.at);
  return reminders[0] ?? { kind: 'expiry', at: expiresAt };
}
