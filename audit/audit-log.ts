import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/client';

export type AuditActorType = 'staff' | 'portal_user' | 'ehr_integration' | 'system' | 'anonymous';
export type AuditOutcome = 'success' | 'denied' | 'refused' | 'failed';

export interface AuditEntry {
  organizationId: string | null;
  actor: { type: AuditActorType; id?: string | null };
  /** What was done, as `noun.verb`: onboarding.read, invitation.resend, portal.register... */
  action: string;
  clientId?: string | null;
  onboardingId?: string | null;
  outcome: AuditOutcome;
  /** Where the request came from, when there was one. */
  origin?: { ip?: string | null; userAgent?: string | null; requestId?: string | null };
  /** Ids and codes only, never PHI. */
  detail?: Record<string, string | number | boolean | null>;
}

/**
 * Appends one entry to the audit trail (table audit_event, append-only by
 * trigger). Every read or change of a client's PHI and every staff action
 * goes through here, so "who saw or changed this client's record" has one
 * answer. Pass a transaction to record the entry with the change itself.
 */
export async function recordAudit(db: Db | Prisma.TransactionClient, entry: AuditEntry): Promise<void> {
  await db.auditEvent.create({
    data: {
      organizationId: entry.organizationId,
      actorType: entry.actor.type,
      actorId: entry.actor.id ?? null,
      action: entry.action,
      clientId: entry.clientId ?? null,
      onboardingId: entry.onboardingId ?? null,
      outcome: entry.outcome,
      ip: entry.origin?.ip ?? null,
      userAgent: entry.origin?.userAgent?.slice(0, 300) ?? null,
      requestId: entry.origin?.requestId ?? null,
      detail: entry.detail ?? {},
    },
  });
}
