import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { newWebhookSecret } from '../security/standard-webhooks';

/**
 * The payload encryption key of a local `npm start`, made once and kept in the
 * data folder: flows persisted by the local Temporal server can only be
 * decoded with the key they were written with. Production sets
 * PAYLOAD_ENCRYPTION_KEYS instead.
 */
export function localPayloadKeys(dataDir: string): Promise<string> {
  return localSecret(dataDir, 'payload-encryption-keys', () => `local-1:${randomBytes(32).toString('base64')}`);
}

/** The token signing key of a local `npm start`, kept so registration links and open forms survive a restart. */
export function localTokenSigningKey(dataDir: string): Promise<string> {
  return localSecret(dataDir, 'token-signing-key', () => randomBytes(32).toString('base64'));
}

/** The demo admin's API key for a local `npm start`, printed at start-up. */
export function localAdminApiKey(dataDir: string): Promise<string> {
  return localSecret(dataDir, 'demo-admin-api-key', () => randomBytes(32).toString('base64url'));
}

/** The demo admin's dashboard password for a local `npm start`, printed at start-up. */
export function localAdminPassword(dataDir: string): Promise<string> {
  return localSecret(dataDir, 'demo-admin-password', () => randomBytes(12).toString('base64url'));
}

/** The demo EHR integration's webhook signing secret for a local `npm start`. */
export function localWebhookSecret(dataDir: string): Promise<string> {
  return localSecret(dataDir, 'demo-webhook-secret', newWebhookSecret);
}

/** The signing secret of the outbox's simulated Resend delivery events, for a local `npm start`. */
export function localEmailEventsSecret(dataDir: string): Promise<string> {
  return localSecret(dataDir, 'email-events-secret', () => `whsec_${randomBytes(32).toString('base64')}`);
}

async function localSecret(dataDir: string, name: string, create: () => string): Promise<string> {
  const file = path.join(dataDir, name);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const value = create();
  await writeFile(file, `${value}\n`, { mode: 0o600 });
  return value;
}
