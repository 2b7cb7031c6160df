/**
 * The browser origins the codec answers CORS for. The local dev server's
 * Web UI is printed as 127.0.0.1 but the README sends operators to
 * localhost: both must be allowed, and nothing else.
 */
import { codecUiOrigins, DENIAL_AUDIT_WINDOW_MS, denialAuditThrottle } from '../../api/routes/temporal-codec';

it('allows a local Web UI from localhost and from 127.0.0.1, on its own port only', () => {
  for (const url of ['http://127.0.0.1:8233', 'http://localhost:8233/']) {
    expect([...codecUiOrigins(url)].sort()).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
  }
});

it('allows exactly the configured origin of a remote Web UI, and none when unset', () => {
  expect([...codecUiOrigins('https://temporal.example.com/ui/')]).toEqual(['https://temporal.example.com']);
  expect(codecUiOrigins(undefined).size).toBe(0);
});

it('lets each caller’s refusal be audited once a minute, and again after', () => {
  let now = 0;
  const audit = denialAuditThrottle(() => now);
  expect([audit('a'), audit('a'), audit('b'), audit('a')]).toEqual([true, false, true, false]);
  now = DENIAL_AUDIT_WINDOW_MS - 1;
  expect(audit('a')).toBe(false);
  now = DENIAL_AUDIT_WINDOW_MS;
  expect([audit('a'), audit('a')]).toEqual([true, false]);
});
