import type { Db } from '../db/client';
import { isSealed, SecretBoxError, type SecretBox } from './secret-box';

/** The secret columns of `ehr_integration`, all sealed by the same box. */
const SECRET_FIELDS = ['signingSecret', 'previousSigningSecret', 'callbackSecret'] as const;
type SecretField = (typeof SECRET_FIELDS)[number];

const BATCH = 200;

/** What a run did, in numbers only: never a secret. */
export interface ResealCounts {
  /** Rows of ehr_integration looked at. */
  integrations: number;
  /** Plaintext secrets now encrypted under the newest key. */
  encrypted: number;
  /** Secrets moved from an older key to the newest. */
  reencrypted: number;
  /** Secrets already encrypted under the newest key, left alone. */
  current: number;
  /** Secrets that could not be opened (their key is not configured, or the value was altered), left alone. */
  unreadable: number;
  /** Rows whose secrets changed while this ran (a rotation), left for the next run. */
  changedMeanwhile: number;
}

/**
 * Encrypts every plaintext integration secret, and re-encrypts every one
 * under an older key, with the box's newest key, in place. Idempotent: a
 * second run finds everything current. Each row is written only if its
 * secrets are still the ones read, so a rotation made meanwhile is never
 * overwritten with the old value.
 */
export async function resealIntegrationSecrets(db: Db, box: SecretBox): Promise<ResealCounts> {
  const counts: ResealCounts = {
    integrations: 0,
    encrypted: 0,
    reencrypted: 0,
    current: 0,
    unreadable: 0,
    changedMeanwhile: 0,
  };
  let cursor: string | undefined;
  for (;;) {
    const rows = await db.ehrIntegration.findMany({
      select: { id: true, signingSecret: true, previousSigningSecret: true, callbackSecret: true },
      orderBy: { id: 'asc' },
      take: BATCH,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (rows.length === 0) break;
    cursor = rows[rows.length - 1]!.id;
    for (const row of rows) {
      counts.integrations += 1;
      const data: Partial<Record<SecretField, string>> = {};
      let encrypted = 0;
      let reencrypted = 0;
      for (const field of SECRET_FIELDS) {
        const stored = row[field];
        if (stored === null) continue;
        if (!box.needsReseal(stored)) {
          counts.current += 1;
          continue;
        }
        try {
          data[field] = box.seal(box.open(stored));
        } catch (error: unknown) {
          if (!(error instanceof SecretBoxError)) throw error;
          counts.unreadable += 1;
          continue;
        }
        if (isSealed(stored)) reencrypted += 1;
        else encrypted += 1;
      }
      if (Object.keys(data).length === 0) continue;
      const { count } = await db.ehrIntegration.updateMany({
        where: {
          id: row.id,
          signingSecret: row.signingSecret,
          previousSigningSecret: row.previousSigningSecret,
          callbackSecret: row.callbackSecret,
        },
        data,
      });
      if (count === 0) {
        counts.changedMeanwhile += 1;
        continue;
      }
      counts.encrypted += encrypted;
      counts.reencrypted += reencrypted;
    }
  }
  return counts;
}
