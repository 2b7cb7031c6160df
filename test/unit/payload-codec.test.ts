import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, PayloadDecryptionError } from '../../temporal/payload-codec';

const phi = { firstName: 'Grace', lastName: 'Hopper', dateOfBirth: '1906-12-09', email: 'grace@example.test' };
const keyA = { id: 'key-a', key: randomBytes(32) };
const keyB = { id: 'key-b', key: randomBytes(32) };

function payloadOf(value: unknown) {
  return defaultPayloadConverter.toPayload(value);
}

describe('AesGcmPayloadCodec', () => {
  it('round-trips a payload and leaves no plaintext in the encoded bytes', async () => {
    const codec = new AesGcmPayloadCodec([keyA]);
    const [encoded] = await codec.encode([payloadOf(phi)]);
    const raw = Buffer.from(encoded!.data!).toString('latin1');
    for (const value of Object.values(phi)) expect(raw).not.toContain(value);
    expect(Buffer.from(encoded!.metadata!['encryption-key-id']!).toString()).toBe('key-a');

    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(phi);
  });

  it('encrypts the same value differently each time (random IV)', async () => {
    const codec = new AesGcmPayloadCodec([keyA]);
    const [first, second] = await codec.encode([payloadOf(phi), payloadOf(phi)]);
    expect(Buffer.from(first!.data!).equals(Buffer.from(second!.data!))).toBe(false);
  });

  it('decodes payloads written with an older key after rotation', async () => {
    const [old] = await new AesGcmPayloadCodec([keyA]).encode([payloadOf(phi)]);
    const rotated = new AesGcmPayloadCodec([keyB, keyA]);
    const [decoded] = await rotated.decode([old!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(phi);
    const [fresh] = await rotated.encode([payloadOf(phi)]);
    expect(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString()).toBe('key-b');
  });

  it('refuses a payload whose key is not configured', async () => {
    const [encoded] = await new AesGcmPayloadCodec([keyA]).encode([payloadOf(phi)]);
    await expect(new AesGcmPayloadCodec([keyB]).decode([encoded!])).rejects.toThrow(PayloadDecryptionError);
  });

  it('detects a tampered ciphertext', async () => {
    const codec = new AesGcmPayloadCodec([keyA]);
    const [encoded] = await codec.encode([payloadOf(phi)]);
    const data = Buffer.from(encoded!.data!);
    data[20] = data[20]! ^ 0xff;
    await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow('failed authentication');
  });

  it('detects a payload relabelled with another key id', async () => {
    const sameKeyTwoIds = new AesGcmPayloadCodec([keyA, { id: 'alias', key: keyA.key }]);
    const [encoded] = await sameKeyTwoIds.encode([payloadOf(phi)]);
    const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, 'encryption-key-id': Buffer.from('alias') } };
    await expect(sameKeyTwoIds.decode([relabelled])).rejects.toThrow('failed authentication');
  });

  it('refuses payloads that were never encrypted: anyone can write those, so none is believed (issue 14, item 1)', async () => {
    const forged = payloadOf({ kind: 'payment.succeeded', paymentIntentId: 'pi_forged', amountCents: 100 });
    await expect(new AesGcmPayloadCodec([keyA]).decode([forged])).rejects.toThrow(PayloadDecryptionError);
    await expect(new AesGcmPayloadCodec([keyA]).decode([forged])).rejects.toThrow(/not encrypted/);
  });

  it('passes plain payloads through only where told to: the codec endpoint that shows histories', async () => {
    const plain = payloadOf({ hello: 'world' });
    const [decoded] = await new AesGcmPayloadCodec([keyA], { plaintext: 'pass' }).decode([plain]);
    expect(decoded).toBe(plain);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new AesGcmPayloadCodec([{ id: 'short', key: randomBytes(16) }])).toThrow('32 bytes');
    expect(() => new AesGcmPayloadCodec([])).toThrow('at least one key');
  });
});
