import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { createSecretBox, isSealed, SecretBoxError, sealedKeyId, type SecretKey } from '../../security/secret-box';
import { newWebhookSecret } from '../../security/standard-webhooks';

const key = (id: string): SecretKey => ({ id, key: randomBytes(32) });

/** The message of what `open` throws; fails the test if it does not throw a SecretBoxError. */
function openError(open: () => string): string {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretBoxError);
    return (error as Error).message;
  }
  throw new Error('expected open to throw');
}

describe('createSecretBox', () => {
  const k1 = key('k1');
  const box = createSecretBox([k1]);

  it('seals a secret into enc:v1:<keyId>:… and opens it again', () => {
    const secret = newWebhookSecret();
    const sealed = box.seal(secret);
    expect(sealed).toMatch(/^enc:v1:k1:[A-Za-z0-9+/]+={0,2}$/);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain(secret.slice('whsec_'.length));
    expect(isSealed(sealed)).toBe(true);
    expect(sealedKeyId(sealed)).toBe('k1');
    expect(box.open(sealed)).toBe(secret);
    // A fresh IV each time: the same secret never looks the same twice.
    expect(box.seal(secret)).not.toBe(sealed);
  });

  it('round-trips any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'grapheme' }), (text) => {
        fc.pre(!text.startsWith('enc:'));
        expect(box.open(box.seal(text))).toBe(text);
      }),
    );
  });

  it('passes plaintext values through (rows from before encryption), and wants them resealed', () => {
    const secret = newWebhookSecret();
    expect(isSealed(secret)).toBe(false);
    expect(sealedKeyId(secret)).toBeNull();
    expect(box.open(secret)).toBe(secret);
    expect(box.open('legacy-plain-secret')).toBe('legacy-plain-secret');
    expect(box.needsReseal(secret)).toBe(true);
    expect(box.needsReseal(box.seal(secret))).toBe(false);
  });

  it('rotates: the newest key seals, older keys still open, and resealing moves a value to the newest', () => {
    const k2 = key('k2');
    const secret = newWebhookSecret();
    const underOld = box.seal(secret);
    const rotated = createSecretBox([k2, k1]);
    expect(rotated.activeKeyId).toBe('k2');
    expect(rotated.open(underOld)).toBe(secret);
    expect(rotated.needsReseal(underOld)).toBe(true);

    const resealed = rotated.seal(rotated.open(underOld));
    expect(sealedKeyId(resealed)).toBe('k2');
    expect(rotated.needsReseal(resealed)).toBe(false);
    expect(rotated.open(resealed)).toBe(secret);
    // Once k1 is retired, only what was resealed still opens.
    const retired = createSecretBox([k2]);
    expect(retired.open(resealed)).toBe(secret);
    expect(openError(() => retired.open(underOld))).toMatch(/key "k1", which is not configured/);
  });

  it('refuses an altered value, without the secret or the stored value in its message', () => {
    const secret = newWebhookSecret();
    const sealed = box.seal(secret);
    const body = Buffer.from(sealed.slice('enc:v1:k1:'.length), 'base64');
    for (const index of [0, 13, body.length - 1]) {
      const altered = Buffer.from(body);
      altered[index]! ^= 0x01;
      const stored = `enc:v1:k1:${altered.toString('base64')}`;
      const message = openError(() => box.open(stored));
      expect(message).toMatch(/failed authentication/);
      expect(message).not.toContain(secret);
      expect(message).not.toContain(secret.slice('whsec_'.length, 20));
      expect(message).not.toContain(altered.toString('base64'));
    }
    expect(openError(() => box.open('enc:v1:k1:AAAA'))).toMatch(/malformed/);
    expect(openError(() => box.open('enc:v1:k1:not base64!'))).toMatch(/malformed/);
    expect(openError(() => box.open('enc:v1:'))).toMatch(/malformed/);
    expect(openError(() => box.open('enc:v2:k1:AAAA'))).toMatch(/unknown format/);
  });

  it('binds the key id: a value relabelled with another configured key id does not open', () => {
    const k2 = key('k2');
    // Even with the same key bytes under both ids, the id is authenticated.
    const twins = createSecretBox([k2, { id: 'k1', key: k2.key }]);
    const secret = newWebhookSecret();
    const sealed = twins.seal(secret);
    expect(sealedKeyId(sealed)).toBe('k2');
    const relabelled = sealed.replace(/^enc:v1:k2:/, 'enc:v1:k1:');
    const message = openError(() => twins.open(relabelled));
    expect(message).toMatch(/failed authentication/);
    expect(message).not.toContain(secret);
  });

  it('names an unknown key id, never the value', () => {
    const other = createSecretBox([key('elsewhere')]);
    const secret = newWebhookSecret();
    const sealed = other.seal(secret);
    const message = openError(() => box.open(sealed));
    expect(message).toBe(
      'stored secret is sealed with key "elsewhere", which is not configured (SECRETS_ENCRYPTION_KEYS)',
    );
  });

  it('without keys opens plaintext only and seals nothing', () => {
    const none = createSecretBox([]);
    expect(none.activeKeyId).toBeNull();
    expect(none.open('whsec_abc')).toBe('whsec_abc');
    expect(openError(() => none.open(box.seal('x')))).toMatch(/not configured/);
    expect(() => none.seal('x')).toThrow(SecretBoxError);
  });

  it('refuses bad keys and values that would read back as sealed', () => {
    expect(() => createSecretBox([{ id: 'short', key: randomBytes(16) }])).toThrow(/32 bytes/);
    expect(() => createSecretBox([{ id: 'has:colon', key: randomBytes(32) }])).toThrow(/key id/);
    expect(() => box.seal('enc:v1:k1:looks-sealed')).toThrow(SecretBoxError);
  });
});
