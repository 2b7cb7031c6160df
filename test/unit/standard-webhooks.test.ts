import { randomBytes } from 'node:crypto';
import {
  assertStrongWebhookSecret,
  isStrongWebhookSecret,
  newWebhookSecret,
  signWebhook,
  verifyWebhook,
  WeakWebhookSecretError,
} from '../../security/standard-webhooks';

// The example from the Standard Webhooks specification.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signatures', () => {
  it('match the specification’s example', () => {
    expect(signWebhook(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
  });

  it('verify within 5 minutes of the timestamp, and not after', () => {
    const headers = { id: SPEC.id, timestamp: String(SPEC.timestamp), signature: SPEC.signature };
    expect(verifyWebhook([SPEC.secret], headers, SPEC.body, SPEC.timestamp + 299)).toBe('valid');
    expect(verifyWebhook([SPEC.secret], headers, SPEC.body, SPEC.timestamp + 301)).toBe('stale-timestamp');
    expect(verifyWebhook([SPEC.secret], headers, SPEC.body, SPEC.timestamp - 301)).toBe('stale-timestamp');
  });

  it('accept any of several offered signatures and any of the valid secrets (rotation)', () => {
    const other = newWebhookSecret();
    const headers = {
      id: SPEC.id,
      timestamp: String(SPEC.timestamp),
      signature: `v1,bm90LXRoaXMtb25l ${SPEC.signature}`,
    };
    expect(verifyWebhook([other, SPEC.secret], headers, SPEC.body, SPEC.timestamp)).toBe('valid');
    expect(verifyWebhook([other], headers, SPEC.body, SPEC.timestamp)).toBe('bad-signature');
  });

  it('refuse a changed body, a changed id and missing headers', () => {
    const headers = { id: SPEC.id, timestamp: String(SPEC.timestamp), signature: SPEC.signature };
    expect(verifyWebhook([SPEC.secret], headers, '{"test": 1}', SPEC.timestamp)).toBe('bad-signature');
    expect(verifyWebhook([SPEC.secret], { ...headers, id: 'msg_other' }, SPEC.body, SPEC.timestamp)).toBe(
      'bad-signature',
    );
    expect(verifyWebhook([SPEC.secret], { ...headers, signature: undefined }, SPEC.body, SPEC.timestamp)).toBe(
      'missing-headers',
    );
    expect(verifyWebhook([SPEC.secret], { ...headers, timestamp: 'soon' }, SPEC.body, SPEC.timestamp)).toBe(
      'missing-headers',
    );
  });
});

describe('secret strength (issue 14, item 6)', () => {
  const body = '{"type":"chart.created"}';
  const now = 1_700_000_000;

  it.each(['whsec_', 'whsec_c2hvcnQ=', 'whsec_' + Buffer.alloc(23).toString('base64')])(
    'refuses to verify with %s, even a signature made with it',
    (weak) => {
      const headers = { id: 'msg_1', timestamp: String(now), signature: signWebhook(weak, 'msg_1', now, body) };
      expect(verifyWebhook([weak], headers, body, now)).toBe('weak-secret');
      expect(isStrongWebhookSecret(weak)).toBe(false);
      expect(() => assertStrongWebhookSecret(weak)).toThrow(WeakWebhookSecretError);
    },
  );

  it('accepts 24 bytes and more, and a weak previous secret does not stop a strong current one', () => {
    const strong = 'whsec_' + randomBytes(24).toString('base64');
    expect(isStrongWebhookSecret(strong)).toBe(true);
    expect(() => assertStrongWebhookSecret(newWebhookSecret())).not.toThrow();
    const headers = { id: 'msg_2', timestamp: String(now), signature: signWebhook(strong, 'msg_2', now, body) };
    expect(verifyWebhook(['whsec_', strong], headers, body, now)).toBe('valid');
  });
});
