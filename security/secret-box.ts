import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encryption at rest of the integration secrets kept in the database (the
 * webhook signing secrets and the callback secret of `ehr_integration`), so a
 * dump or a read replica does not hand out the keys that forge webhooks.
 *
 * AES-256-GCM as in temporal/payload-codec.ts. A sealed value is text, stored
 * in the same columns: `enc:v1:<keyId>:<base64(iv | ciphertext | tag)>`. The
 * first key seals; every listed key opens, so keys rotate (`npm run
 * secrets:encrypt` re-seals under the newest). The header `enc:v1:<keyId>` is
 * the additional authenticated data: a value cannot be passed off as sealed
 * under another key id, nor as one of the payload codec's ciphertexts when the
 * two share keys.
 *
 * A value without the `enc:` prefix is a plaintext secret (`whsec_…`, rows
 * written before encryption) and is returned as it is, so a deployment keeps
 * working until the script has re-sealed its rows.
 */
export const SEALED_PREFIX = 'enc:';
const V1_PREFIX = 'enc:v1:';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface SecretKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** A stored secret could not be opened. The message names the key id at most, never the value. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

export interface SecretBox {
  /** The key new values are sealed with (the first configured), or null when none is. */
  readonly activeKeyId: string | null;
  /** `enc:v1:<activeKeyId>:…` for a plaintext secret. */
  seal(plaintext: string): string;
  /** The plaintext of a sealed value; a plaintext value as it is. Throws SecretBoxError. */
  open(stored: string): string;
  /** True for a plaintext value and for one sealed under a key other than the newest. */
  needsReseal(stored: string): boolean;
}

/** Whether a stored value is sealed (whatever its version or key), rather than plaintext. */
export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX);
}

/** The key id a sealed value names, or null for plaintext (or a value in a format this code does not know). */
export function sealedKeyId(stored: string): string | null {
  if (!stored.startsWith(V1_PREFIX)) return null;
  const rest = stored.slice(V1_PREFIX.length);
  const separator = rest.indexOf(':');
  return separator > 0 ? rest.slice(0, separator) : null;
}

/**
 * @param keys newest first: the first seals, all open. None: plaintext values
 *   open, sealed ones throw, and nothing can be sealed.
 */
export function createSecretBox(keys: readonly SecretKey[]): SecretBox {
  for (const { id, key } of keys) {
    if (!KEY_ID.test(id)) throw new Error(`secrets key id "${id}" must be 1-64 of A-Z a-z 0-9 . _ -`);
    if (key.length !== 32) throw new Error(`secrets key ${id} must be 32 bytes`);
  }
  const byId = new Map(keys.map(({ id, key }) => [id, key]));
  const active = keys[0] ?? null;

  const open = (stored: string): string => {
    if (!isSealed(stored)) return stored;
    if (!stored.startsWith(V1_PREFIX)) throw new SecretBoxError('stored secret is sealed in an unknown format');
    const keyId = sealedKeyId(stored);
    if (keyId === null || !KEY_ID.test(keyId)) throw new SecretBoxError('stored secret is malformed (no key id)');
    const key = byId.get(keyId);
    if (!key) {
      throw new SecretBoxError(
        `stored secret is sealed with key "${keyId}", which is not configured (SECRETS_ENCRYPTION_KEYS)`,
      );
    }
    const encoded = stored.slice(V1_PREFIX.length + keyId.length + 1);
    const data = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
    if (data.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('stored secret is malformed (truncated)');
    const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${V1_PREFIX}${keyId}`));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretBoxError(`stored secret sealed with key "${keyId}" failed authentication (altered?)`);
    }
  };

  return {
    activeKeyId: active?.id ?? null,
    seal(plaintext: string): string {
      if (!active) throw new SecretBoxError('no secrets key is configured to seal with');
      if (isSealed(plaintext)) throw new SecretBoxError('refusing to seal a value that is already sealed');
      const header = `${V1_PREFIX}${active.id}`;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, active.key, iv);
      cipher.setAAD(Buffer.from(header));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${header}:${Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64')}`;
    },
    open,
    needsReseal(stored: string): boolean {
      return !isSealed(stored) || active === null || sealedKeyId(stored) !== active.id;
    },
  };
}
