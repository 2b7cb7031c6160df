/**
 * Addresses a practice no longer mails: Resend reported a hard bounce or a
 * spam complaint for them. Kept as a keyed hash (HMAC with the token signing
 * key), so the table names nobody, and checked before every send.
 */
import { createHmac } from 'node:crypto';
import type { Db } from '../db/client';

export type SuppressionReason = 'hard_bounce' | 'complaint';

export function suppressionHash(key: Buffer, address: string): string {
  return createHmac('sha256', key).update(`email-suppression:${address.trim().toLowerCase()}`).digest('hex');
}

export async function isSuppressed(db: Db, key: Buffer, organizationId: string, address: string): Promise<boolean> {
  const row = await db.emailSuppression.findUnique({
    where: { organizationId_addressHash: { organizationId, addressHash: suppressionHash(key, address) } },
    select: { reason: true },
  });
  return row !== null;
}
