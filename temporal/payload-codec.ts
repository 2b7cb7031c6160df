import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/**
 * Encrypts every payload (workflow inputs, activity results, signals, queries,
 * and failure details with the failure converter of ./failure-converter.ts)
 * with AES-256-GCM before it leaves our processes, so the Temporal server and
 * its database only ever hold ciphertext of client PHI.
 *
 * The key id travels in the payload metadata: the first key encrypts, every
 * listed key decrypts, so keys rotate without breaking flows in flight. The
 * key id is also bound as additional authenticated data, so a payload cannot
 * be passed off as encrypted under another key.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly active: PayloadKey;
  private readonly byId: Map<string, Buffer>;
  private readonly plaintext: 'refuse' | 'pass';

  /**
   * `plaintext`: what decode does with a payload that is not encrypted.
   * Workers and clients 'refuse' it (the default): every payload this service
   * writes is encrypted, so a plain one was written by someone without the
   * key (a forged signal, or a workflow started by hand) and must not be
   * believed. The codec endpoint that only shows histories to operators
   * 'pass'es it, so they can see what was sent.
   */
  constructor(keys: readonly PayloadKey[], options: { plaintext?: 'refuse' | 'pass' } = {}) {
    this.plaintext = options.plaintext ?? 'refuse';
    const [active] = keys;
    if (!active) throw new Error('AesGcmPayloadCodec needs at least one key');
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new Error(`payload key ${id} must be 32 bytes`);
    }
    this.active = active;
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, this.active.key, iv);
      cipher.setAAD(Buffer.from(this.active.id));
      const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: Buffer.from(this.active.id),
        },
        data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decodeOne(payload));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) {
      if (this.plaintext === 'pass') return payload;
      throw new PayloadDecryptionError(
        'refusing a payload that is not encrypted: it was not written by this service (docs/security.md)',
      );
    }
    const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
    const keyId = keyIdBytes ? Buffer.from(keyIdBytes).toString() : '';
    const key = this.byId.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(`no payload key with id "${keyId}" is configured`);
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError('encrypted payload is truncated');
    }
    const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError('encrypted payload failed authentication');
    }
    return temporal.api.common.v1.Payload.decode(plaintext);
  }
}
