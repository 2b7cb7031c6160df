/**
 * Encryption at rest of the integration secrets (issue 5): the webhook signing
 * and callback secrets are stored sealed (security/secret-box.ts), so the
 * database never holds a key that forges webhooks. The database refuses a
 * plaintext one, whoever writes it; rows written before encryption at rest
 * are sealed by the API and the worker when they start (several at once
 * included); `npm run secrets:encrypt` moves secrets to a new key after a
 * rotation, and `-- --seal` seals one for writing by hand.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { createActivities } from '../../activities';
import type { Db } from '../../db/client';
import { createSecretBox, isSealed, sealedKeyId } from '../../security/secret-box';
import { newWebhookSecret, verifyWebhook } from '../../security/standard-webhooks';
import { testActivityDeps } from '../support/activity-deps';
import {
  chartCreatedWebhook,
  createTestOrganization,
  newOnboarding,
  signedWebhookHeaders,
  testSecretBox,
  testSecretKeys,
} from '../support/factories';
import { eventually, startTestService, type TestService } from '../support/service';
import { testPayloadKeys, testPayloadKeysEnv } from '../support/temporal';
import { spawnServiceProcess, type WorkerProcess } from '../support/worker-process';

const root = path.resolve(__dirname, '..', '..');
let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(async () => {
  await service?.stop();
});

interface SecretColumns {
  signing_secret: string;
  previous_signing_secret: string | null;
  callback_secret: string | null;
}

/** The columns as a dump or a read replica would show them. */
async function rawSecrets(integrationId: string): Promise<SecretColumns> {
  const rows = await service.database.db.$queryRaw<SecretColumns[]>`
    SELECT signing_secret, previous_signing_secret, callback_secret
    FROM ehr_integration WHERE id = ${integrationId}::uuid`;
  return rows[0]!;
}

/** The base64 HMAC key inside a `whsec_` secret: what must not appear in the database. */
const keyPart = (secret: string) => secret.slice('whsec_'.length);

function postWebhook(integrationId: string, secret: string): Promise<Response> {
  const body = JSON.stringify(chartCreatedWebhook({ invite: false }));
  return service.post(`/v1/webhooks/ehr/${integrationId}`, body, signedWebhookHeaders(secret, body));
}

/** `npm run secrets:encrypt [-- args]` against the test database, with the given key list (and standard input). */
async function encryptScript(
  keysEnv: string,
  options: { args?: string[]; stdin?: string } = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  const run = promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'scripts', 'encrypt-secrets.ts'), ...(options.args ?? [])],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: service.database.url, SECRETS_ENCRYPTION_KEYS: keysEnv },
      timeout: 60_000,
    },
  );
  run.child.stdin?.end(options.stdin ?? '');
  try {
    const { stdout, stderr } = await run;
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

/**
 * Writes secrets in plaintext as this service did before encryption at rest,
 * past the trigger that now refuses them (replica mode skips ordinary
 * triggers; only the owner, a superuser in tests, may set it): the rows an
 * upgrade finds.
 */
async function writeAsBeforeEncryption(
  db: Db,
  integrationId: string,
  secrets: { signing: string; previous?: string; callback?: string },
): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`SET LOCAL session_replication_role = replica`;
    await tx.$executeRaw`
      UPDATE ehr_integration
      SET signing_secret = ${secrets.signing}, previous_signing_secret = ${secrets.previous ?? null},
          previous_secret_expires_at = now() + interval '1 hour', callback_secret = ${secrets.callback ?? null}
      WHERE id = ${integrationId}::uuid`;
  });
}

function countOf(stdout: string, label: string): number {
  const match = new RegExp(`${label}\\s+(\\d+)`).exec(stdout);
  if (!match) throw new Error(`no "${label}" count in: ${stdout}`);
  return Number(match[1]);
}

describe('integration secrets at rest', () => {
  it('stores the signing secret encrypted, and webhooks signed with it still verify', async () => {
    const org = await createTestOrganization(service.database.db);
    expect((await postWebhook(org.integrationId, org.webhookSecret)).status).toBe(202);

    const { signing_secret: stored } = await rawSecrets(org.integrationId);
    expect(stored).not.toContain(org.webhookSecret);
    expect(stored).not.toContain(keyPart(org.webhookSecret));
    expect(stored).toMatch(/^enc:v1:[A-Za-z0-9._-]+:[A-Za-z0-9+/]+={0,2}$/);
    expect(sealedKeyId(stored)).toBe(testSecretKeys[0]!.id);
    expect(testSecretBox.open(stored)).toBe(org.webhookSecret);

    expect((await postWebhook(org.integrationId, newWebhookSecret())).status).toBe(401);
  });

  it('answers a server error, not a bad signature, for a secret under a key the API lacks', async () => {
    const org = await createTestOrganization(service.database.db);
    const elsewhere = createSecretBox(testPayloadKeys());
    await service.database.db.ehrIntegration.update({
      where: { id: org.integrationId },
      data: { signingSecret: elsewhere.seal(org.webhookSecret) },
    });
    const response = await postWebhook(org.integrationId, org.webhookSecret);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain(keyPart(org.webhookSecret));
    // Back to a secret this API opens, so the script's runs below read every row.
    await service.database.db.ehrIntegration.update({
      where: { id: org.integrationId },
      data: { signingSecret: testSecretBox.seal(org.webhookSecret) },
    });
  });

  it('signs status callbacks with the encrypted callback secret, and logs only the key id when it cannot', async () => {
    const { db } = service.database;
    const org = await createTestOrganization(db);
    const callbackSecret = newWebhookSecret();
    const received: { headers: Record<string, string>; body: string }[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers as Record<string, string>, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      await db.ehrIntegration.update({
        where: { id: org.integrationId },
        data: {
          callbackUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callbacks`,
          callbackSecret: testSecretBox.seal(callbackSecret),
        },
      });
      expect((await rawSecrets(org.integrationId)).callback_secret).not.toContain(keyPart(callbackSecret));
      const { input } = await newOnboarding(db, org.organizationId, { integrationId: org.integrationId });
      const event = {
        onboardingId: input.onboardingId,
        event: 'onboarding.registered' as const,
        status: 'REGISTERED' as const,
        occurredAt: new Date().toISOString(),
      };

      const delivered = await createActivities(testActivityDeps(db)).deliverStatusCallback({
        ...event,
        webhookId: `cb_${randomUUID()}`,
      });
      expect(delivered).toEqual({ outcome: 'delivered', attempts: 1 });
      const [delivery] = received;
      const verdict = verifyWebhook(
        [callbackSecret],
        {
          id: delivery!.headers['webhook-id'],
          timestamp: delivery!.headers['webhook-timestamp'],
          signature: delivery!.headers['webhook-signature'],
        },
        delivery!.body,
      );
      expect(verdict).toBe('valid');

      // A worker without the key: retried (a redeploy with the key heals it), nothing sent, no secret logged.
      const webhookId = `cb_${randomUUID()}`;
      const keyless = createActivities({ ...testActivityDeps(db), secretBox: createSecretBox(testPayloadKeys()) });
      await expect(keyless.deliverStatusCallback({ ...event, webhookId })).rejects.toMatchObject({
        type: 'CallbackSecretUnreadable',
        nonRetryable: false,
      });
      expect(received).toHaveLength(1);
      const log = await db.outboundWebhook.findUniqueOrThrow({ where: { webhookId } });
      expect(log.lastError).toBe(
        `cannot decrypt the callback secret: stored secret is sealed with key "${testSecretKeys[0]!.id}", which is not configured (SECRETS_ENCRYPTION_KEYS)`,
      );
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('refuses to store a secret in plaintext, whoever writes it, and takes a sealed one', async () => {
    const { db } = service.database;
    const org = await createTestOrganization(db);
    const plaintext = newWebhookSecret();
    const refused = /must be stored encrypted/;
    for (const data of [
      { signingSecret: plaintext },
      { previousSigningSecret: plaintext },
      { callbackSecret: plaintext },
    ]) {
      await expect(db.ehrIntegration.update({ where: { id: org.integrationId }, data })).rejects.toThrow(refused);
    }
    await expect(
      db.$executeRaw`UPDATE ehr_integration SET signing_secret = ${plaintext} WHERE id = ${org.integrationId}::uuid`,
    ).rejects.toThrow(refused);
    await expect(
      db.ehrIntegration.create({
        data: { organizationId: org.organizationId, name: 'Hand-made EHR', signingSecret: plaintext },
      }),
    ).rejects.toThrow(refused);
    expect(isSealed((await rawSecrets(org.integrationId)).signing_secret)).toBe(true);

    // Sealed, the same secret is taken, and a new previous secret can be set next to it.
    await db.ehrIntegration.update({
      where: { id: org.integrationId },
      data: {
        signingSecret: testSecretBox.seal(plaintext),
        previousSigningSecret: testSecretBox.seal(org.webhookSecret),
      },
    });
    expect((await postWebhook(org.integrationId, plaintext)).status).toBe(202);

    // A row still in plaintext from before can be changed in other ways until it is sealed.
    await writeAsBeforeEncryption(service.database.ownerDb, org.integrationId, { signing: plaintext });
    await db.ehrIntegration.update({ where: { id: org.integrationId }, data: { name: 'Renamed EHR' } });
    expect((await rawSecrets(org.integrationId)).signing_secret).toBe(plaintext);
    await db.ehrIntegration.update({
      where: { id: org.integrationId },
      data: { signingSecret: testSecretBox.seal(org.webhookSecret), previousSigningSecret: null },
    });
  });

  it('secrets:encrypt -- --seal seals one secret from standard input, for writing it by hand', async () => {
    const { db } = service.database;
    const org = await createTestOrganization(db);
    const fresh = newWebhookSecret();
    const run = await encryptScript(testPayloadKeysEnv(testSecretKeys), { args: ['--seal'], stdin: `${fresh}\n` });
    expect(run.code).toBe(0);
    const sealed = run.stdout.trim();
    expect(sealed).toMatch(/^enc:v1:[A-Za-z0-9._-]+:[A-Za-z0-9+/]+={0,2}$/);
    expect(run.stdout + run.stderr).not.toContain(keyPart(fresh));
    await db.$executeRaw`
      UPDATE ehr_integration SET previous_signing_secret = signing_secret,
        previous_secret_expires_at = now() + interval '7 days', signing_secret = ${sealed}
      WHERE id = ${org.integrationId}::uuid`;
    expect((await postWebhook(org.integrationId, fresh)).status).toBe(202);
    expect((await postWebhook(org.integrationId, org.webhookSecret)).status).toBe(202);

    const nothing = await encryptScript(testPayloadKeysEnv(testSecretKeys), { args: ['--seal'], stdin: '' });
    expect(nothing.code).toBe(2);
    expect(nothing.stdout).toBe('');
  });

  it('secrets:encrypt seals plaintext rows in place, prints counts only, and is idempotent', async () => {
    const { db } = service.database;
    const org = await createTestOrganization(db);
    const [previous, callback] = [newWebhookSecret(), newWebhookSecret()];
    // A row as written before encryption at rest: every secret in plaintext.
    await writeAsBeforeEncryption(service.database.ownerDb, org.integrationId, {
      signing: org.webhookSecret,
      previous,
      callback,
    });
    // Plaintext still verifies meanwhile, so a deployment keeps working until the script has run.
    expect((await postWebhook(org.integrationId, org.webhookSecret)).status).toBe(202);
    expect((await postWebhook(org.integrationId, previous)).status).toBe(202);

    const first = await encryptScript(testPayloadKeysEnv(testSecretKeys));
    expect(first.code).toBe(0);
    expect(countOf(first.stdout, 'encrypted \\(were plaintext\\)')).toBe(3);
    expect(countOf(first.stdout, 're-encrypted \\(from older keys\\)')).toBe(0);
    expect(countOf(first.stdout, 'unreadable \\(no key, or altered\\)')).toBe(0);
    const output = first.stdout + first.stderr;
    for (const secret of [org.webhookSecret, previous, callback]) expect(output).not.toContain(keyPart(secret));

    const sealed = await rawSecrets(org.integrationId);
    for (const [column, secret] of [
      [sealed.signing_secret, org.webhookSecret],
      [sealed.previous_signing_secret!, previous],
      [sealed.callback_secret!, callback],
    ] as const) {
      expect(isSealed(column)).toBe(true);
      expect(column).not.toContain(keyPart(secret));
      expect(testSecretBox.open(column)).toBe(secret);
    }
    expect((await postWebhook(org.integrationId, org.webhookSecret)).status).toBe(202);
    expect((await postWebhook(org.integrationId, previous)).status).toBe(202);

    const again = await encryptScript(testPayloadKeysEnv(testSecretKeys));
    expect(again.code).toBe(0);
    expect(countOf(again.stdout, 'encrypted \\(were plaintext\\)')).toBe(0);
    expect(countOf(again.stdout, 're-encrypted \\(from older keys\\)')).toBe(0);
    expect(countOf(again.stdout, 'already current')).toBeGreaterThanOrEqual(3);
    expect(await rawSecrets(org.integrationId)).toEqual(sealed);
  });

  it('secrets:encrypt moves every secret to the newest key after a rotation', async () => {
    const { db } = service.database;
    const org = await createTestOrganization(db);
    const before = await rawSecrets(org.integrationId);
    const [newest] = testPayloadKeys();
    const rotated = [newest!, ...testSecretKeys];

    const run = await encryptScript(testPayloadKeysEnv(rotated));
    expect(run.code).toBe(0);
    const total = await db.ehrIntegration.count();
    expect(countOf(run.stdout, 're-encrypted \\(from older keys\\)')).toBeGreaterThanOrEqual(total);
    expect(countOf(run.stdout, 'already current')).toBe(0);

    const after = await rawSecrets(org.integrationId);
    expect(sealedKeyId(after.signing_secret)).toBe(newest!.id);
    expect(after.signing_secret).not.toBe(before.signing_secret);
    expect(createSecretBox([newest!]).open(after.signing_secret)).toBe(org.webhookSecret);

    // Without the old key, a row the script could not open is counted and left alone, failing the run.
    await db.ehrIntegration.update({
      where: { id: org.integrationId },
      data: { callbackSecret: testSecretBox.seal(newWebhookSecret()) },
    });
    const withoutOld = await encryptScript(testPayloadKeysEnv([newest!]));
    expect(withoutOld.code).toBe(1);
    expect(countOf(withoutOld.stdout, 'unreadable \\(no key, or altered\\)')).toBe(1);
  });

  it('secrets:encrypt names a missing setting without running', async () => {
    const run = await encryptScript('');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SECRETS_ENCRYPTION_KEYS \(or PAYLOAD_ENCRYPTION_KEYS\) is required/);
  });
});

describe('at start-up', () => {
  const processes: WorkerProcess[] = [];

  afterAll(async () => {
    for (const running of processes) running.child.kill('SIGKILL');
    await Promise.all(processes.map((running) => running.exited));
  });

  it('the API and the worker seal every plaintext secret, several starting at once, and leave sealed ones', async () => {
    const { db } = service.database;
    const [first, second] = [await createTestOrganization(db), await createTestOrganization(db)];
    const [previous, callback] = [newWebhookSecret(), newWebhookSecret()];
    await writeAsBeforeEncryption(service.database.ownerDb, first.integrationId, {
      signing: first.webhookSecret,
      previous,
      callback,
    });
    await writeAsBeforeEncryption(service.database.ownerDb, second.integrationId, { signing: second.webhookSecret });
    // The second row's callback secret is sealed under the key being rotated away from: left for secrets:encrypt.
    const underOlderKey = testSecretBox.seal(newWebhookSecret());
    await db.ehrIntegration.update({ where: { id: second.integrationId }, data: { callbackSecret: underOlderKey } });

    // A deploy with a new key first: two API instances and a worker, all starting at the same moment.
    const [newest] = testPayloadKeys();
    const keys = [newest!, ...testSecretKeys];
    const env = { ...service.processEnv, SECRETS_ENCRYPTION_KEYS: testPayloadKeysEnv(keys), LOG_LEVEL: 'info' };
    const started = [
      spawnServiceProcess('start-api', env),
      spawnServiceProcess('start-api', env),
      spawnServiceProcess('start-worker', env),
    ];
    processes.push(...started);
    for (const [index, running] of started.entries()) {
      await eventually(
        async () => {
          const output = running.output();
          if (/"msg":"(api listening|worker started)"/.test(output)) return true;
          if (running.child.exitCode !== null) throw new Error(`process ${index} exited: ${output}`);
          return undefined;
        },
        { timeoutMs: 120_000, intervalMs: 200, what: `process ${index} to start (output: ${running.output()})` },
      );
    }

    const box = createSecretBox(keys);
    const [one, two] = [await rawSecrets(first.integrationId), await rawSecrets(second.integrationId)];
    for (const [stored, plaintext] of [
      [one.signing_secret, first.webhookSecret],
      [one.previous_signing_secret!, previous],
      [one.callback_secret!, callback],
      [two.signing_secret, second.webhookSecret],
    ] as const) {
      expect(sealedKeyId(stored)).toBe(newest!.id);
      expect(stored).not.toContain(keyPart(plaintext));
      expect(box.open(stored)).toBe(plaintext);
    }
    expect(two.callback_secret).toBe(underOlderKey);
    const output = started.map((running) => running.output()).join('\n');
    expect(output).toMatch(/sealed the integration secrets stored in plaintext/);
    expect(output).not.toMatch(/could not seal/);
    for (const secret of [first.webhookSecret, previous, callback, second.webhookSecret]) {
      expect(output).not.toContain(keyPart(secret));
    }

    // Put the rows back under this file's key, so what runs after reads them.
    for (const [org, columns] of [
      [first, one],
      [second, two],
    ] as const) {
      await db.ehrIntegration.update({
        where: { id: org.integrationId },
        data: {
          signingSecret: testSecretBox.seal(box.open(columns.signing_secret)),
          previousSigningSecret: null,
          callbackSecret: testSecretBox.seal(box.open(columns.callback_secret!)),
        },
      });
    }
  }, 180_000);
});
