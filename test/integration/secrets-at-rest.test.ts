/**
 * Encryption at rest of the integration secrets (issue 5): the webhook signing
 * and callback secrets are stored sealed (security/secret-box.ts), so the
 * database never holds a key that forges webhooks, and `npm run
 * secrets:encrypt` seals rows written before, or under an older key.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { createActivities } from '../../activities';
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
import { startTestService, type TestService } from '../support/service';
import { testPayloadKeys, testPayloadKeysEnv } from '../support/temporal';

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

/** `npm run secrets:encrypt` against the test database, with the given key list. */
async function encryptScript(keysEnv: string): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'scripts', 'encrypt-secrets.ts')],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: service.database.url, SECRETS_ENCRYPTION_KEYS: keysEnv },
        timeout: 60_000,
      },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
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

  it('secrets:encrypt seals plaintext rows in place, prints counts only, and is idempotent', async () => {
    const { db } = service.database;
    const org = await createTestOrganization(db);
    const [previous, callback] = [newWebhookSecret(), newWebhookSecret()];
    // A row as written before encryption at rest: every secret in plaintext.
    await db.$executeRaw`
      UPDATE ehr_integration
      SET signing_secret = ${org.webhookSecret}, previous_signing_secret = ${previous},
          previous_secret_expires_at = now() + interval '1 hour', callback_secret = ${callback}
      WHERE id = ${org.integrationId}::uuid`;
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
