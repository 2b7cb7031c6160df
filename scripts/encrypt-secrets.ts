/**
 * `npm run secrets:encrypt`: encrypts the integration secrets stored in the
 * database (ehr_integration's signing, previous signing and callback secrets)
 * under the newest key of SECRETS_ENCRYPTION_KEYS (or PAYLOAD_ENCRYPTION_KEYS):
 * those under an older key (after a rotation), and any still in plaintext
 * (the API and the worker seal those at start-up already). Idempotent;
 * prints counts only, never a secret. Needs DATABASE_URL and the keys; run it
 * once every API and worker has the new key list.
 *
 * `echo '<secret>' | npm run -s secrets:encrypt -- --seal`: prints the sealed
 * form of one secret (read from standard input, so it stays out of the shell
 * history), for writing a new one by hand: the database refuses plaintext.
 * Needs the keys only.
 */
import { text } from 'node:stream/consumers';
import { z } from 'zod';
import { ConfigError, loadSecretsKeys } from '../config/env';
import { createDb } from '../db/client';
import { resealIntegrationSecrets } from '../security/reseal-integration-secrets';
import { createSecretBox, isSealed } from '../security/secret-box';
import { runMain } from './run-main';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `--seal`: one secret from standard input, sealed, to standard output. */
async function sealOne(): Promise<void> {
  const box = createSecretBox(loadSecretsKeys());
  const secret = (await text(process.stdin)).trim();
  if (!secret || isSealed(secret)) {
    process.stderr.write(
      secret ? 'that value is sealed already\n' : "usage: echo '<secret>' | npm run -s secrets:encrypt -- --seal\n",
    );
    process.exit(2);
  }
  say(box.seal(secret));
}

runMain(async () => {
  if (process.argv.includes('--seal')) {
    await sealOne();
    return;
  }
  const problems: string[] = [];
  const url = z
    .string()
    .regex(/^postgres(ql)?:\/\//)
    .safeParse(process.env.DATABASE_URL);
  if (!url.success) problems.push('DATABASE_URL is required (a postgresql:// connection string)');
  let keys: ReturnType<typeof loadSecretsKeys> = [];
  try {
    keys = loadSecretsKeys();
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (!url.success || problems.length > 0) throw new ConfigError(problems);

  const box = createSecretBox(keys);
  const db = createDb(url.data, { poolMax: 1 });
  try {
    const counts = await resealIntegrationSecrets(db, box);
    say(`ehr_integration: ${counts.integrations} integrations, newest key "${box.activeKeyId}"`);
    say(`  encrypted (were plaintext)      ${counts.encrypted}`);
    say(`  re-encrypted (from older keys)  ${counts.reencrypted}`);
    say(`  already current                 ${counts.current}`);
    say(`  unreadable (no key, or altered) ${counts.unreadable}`);
    say(`  changed meanwhile (run again)   ${counts.changedMeanwhile}`);
    if (counts.unreadable > 0 || counts.changedMeanwhile > 0) process.exitCode = 1;
  } finally {
    await db.$disconnect();
  }
});
