import type { Db } from '../db/client';
import type { Logger } from '../observability/logger';
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
  /** Secrets already encrypted under the newest key (with `plaintextOnly`: under any key), left alone. */
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
 * overwritten with the old value, and several processes running it at once
 * seal each secret once (the others find the row changed and leave it).
 *
 * `plaintextOnly`: seal plaintext secrets and leave every sealed one as it is,
 * under whichever key (what processes do at start-up: moving secrets to a new
 * key is for `npm run secrets:encrypt`, once every process has that key).
 */
export async function resealIntegrationSecrets(
  db: Db,
  box: SecretBox,
  options: { plaintextOnly?: boolean } = {},
): Promise<ResealCounts> {
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
        if (!box.needsReseal(stored) || (options.plaintextOnly && isSealed(stored))) {
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

/** Between attempts when the database could not be reached at start-up. */
const START_RETRY_MS = 30_000;

/**
 * What the API and the worker run when they start (app/from-config.ts): seal
 * every integration secret still stored in plaintext (rows from before
 * encryption at rest; the database refuses new ones), so plaintext survives at
 * most until the first start after an upgrade. Safe when several processes
 * start at once (see resealIntegrationSecrets). If the database cannot be
 * reached, the process starts anyway (it still opens plaintext secrets) and
 * tries again every 30 s until it succeeds or `stop` is called. Logs counts
 * and error types only, never a secret.
 */
export async function sealPlaintextSecretsAtStart(
  db: Db,
  box: SecretBox,
  logger: Logger,
  options: { retryMs?: number } = {},
): Promise<{ stop(): void }> {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = async (): Promise<void> => {
    try {
      const counts = await resealIntegrationSecrets(db, box, { plaintextOnly: true });
      if (counts.encrypted > 0) {
        logger.info(
          { encrypted: counts.encrypted, keyId: box.activeKeyId },
          'sealed the integration secrets stored in plaintext',
        );
      }
    } catch (error) {
      if (stopped) return;
      logger.error(
        { errorType: error instanceof Error ? error.name : typeof error },
        'could not seal the plaintext integration secrets; trying again',
      );
      timer = setTimeout(() => void attempt(), options.retryMs ?? START_RETRY_MS);
      timer.unref();
    }
  };
  await attempt();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
