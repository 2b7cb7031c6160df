/**
 * The half-signed-in token (security/pending-sign-in.ts): it names who and
 * which step, lives five minutes, and any change to it is refused.
 */
import { randomBytes } from 'node:crypto';
import { issuePendingSignIn, readPendingSignIn } from '../../security/pending-sign-in';

const key = randomBytes(32);
const pending = {
  staffUserId: '6f0c2a7e-1111-4222-8333-444455556666',
  organizationId: '0d1e2f3a-1111-4222-8333-444455556666',
  step: 'code' as const,
};

test('reads back what it was issued with, until five minutes have passed', () => {
  const now = Date.UTC(2026, 11, 5, 12, 0, 0);
  const token = issuePendingSignIn(key, pending, now);
  expect(readPendingSignIn(key, token, now + 4 * 60 * 1000 + 59_000)).toMatchObject(pending);
  expect(readPendingSignIn(key, token, now + 5 * 60 * 1000)).toBeNull();
});

test('refuses a token signed with another key, altered, truncated or malformed', () => {
  const token = issuePendingSignIn(key, pending);
  const [payload, signature] = token.split('.') as [string, string];
  const enrol = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), step: 'enrol' }),
  ).toString('base64url');
  expect(readPendingSignIn(randomBytes(32), token)).toBeNull();
  expect(readPendingSignIn(key, `${enrol}.${signature}`)).toBeNull();
  expect(readPendingSignIn(key, payload)).toBeNull();
  expect(readPendingSignIn(key, `${token}.extra`)).toBeNull();
  expect(readPendingSignIn(key, undefined)).toBeNull();
  expect(readPendingSignIn(key, 'x'.repeat(2000))).toBeNull();
});
