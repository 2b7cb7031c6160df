import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/client';
import { createLogger } from '../../observability/logger';
import { sealPlaintextSecretsAtStart } from '../../security/reseal-integration-secrets';
import { createSecretBox, isSealed } from '../../security/secret-box';

const box = createSecretBox([{ id: 'k1', key: randomBytes(32) }]);
const logger = createLogger({ level: 'silent' });

/** An ehr_integration table of one row, in memory, whose first `failures` reads fail like an unreachable database. */
function integrations(failures: number) {
  const row = { id: 'i1', signingSecret: 'whsec_plain', previousSigningSecret: null, callbackSecret: null };
  let reads = 0;
  const db = {
    ehrIntegration: {
      findMany: ({ cursor }: { cursor?: unknown }) => {
        reads += 1;
        if (reads <= failures) return Promise.reject(new Error('connect ECONNREFUSED'));
        return Promise.resolve(cursor ? [] : [{ ...row }]);
      },
      updateMany: ({ where, data }: { where: { signingSecret: string }; data: { signingSecret?: string } }) => {
        if (where.signingSecret !== row.signingSecret) return Promise.resolve({ count: 0 });
        Object.assign(row, data);
        return Promise.resolve({ count: 1 });
      },
    },
  } as unknown as Db;
  return { db, row, reads: () => reads };
}

describe('sealing plaintext secrets at start-up', () => {
  it('seals them before the process goes on', async () => {
    const { db, row } = integrations(0);
    const sealing = await sealPlaintextSecretsAtStart(db, box, logger);
    sealing.stop();
    expect(isSealed(row.signingSecret)).toBe(true);
    expect(box.open(row.signingSecret)).toBe('whsec_plain');
  });

  it('lets the process start when the database is not there yet, and tries again until it is', async () => {
    const { db, row, reads } = integrations(2);
    const sealing = await sealPlaintextSecretsAtStart(db, box, logger, { retryMs: 10 });
    expect(row.signingSecret).toBe('whsec_plain');
    const deadline = Date.now() + 5000;
    while (!isSealed(row.signingSecret) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    sealing.stop();
    expect(isSealed(row.signingSecret)).toBe(true);
    expect(reads()).toBeGreaterThanOrEqual(3);
  });

  it('stops trying when told to', async () => {
    const { db, row, reads } = integrations(Number.POSITIVE_INFINITY);
    const sealing = await sealPlaintextSecretsAtStart(db, box, logger, { retryMs: 10 });
    sealing.stop();
    const after = reads();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reads()).toBe(after);
    expect(row.signingSecret).toBe('whsec_plain');
  });
});
