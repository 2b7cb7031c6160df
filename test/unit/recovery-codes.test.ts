import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from '../../security/recovery-codes';

test('ten distinct codes of 16 base32 characters (80 bits) in groups of four', () => {
  const codes = newRecoveryCodes();
  expect(codes).toHaveLength(10);
  expect(new Set(codes).size).toBe(10);
  for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
});

test('a code typed in lower case, with spaces or without dashes is the same code', () => {
  const [code] = newRecoveryCodes(1) as [string];
  const variants = [code.toLowerCase(), code.replace(/-/g, ' '), code.replace(/-/g, '')];
  for (const typed of variants) expect(hashRecoveryCode(typed)).toBe(hashRecoveryCode(code));
  expect(normalizeRecoveryCode('123456')).toBeNull();
  expect(normalizeRecoveryCode(`${code}A`)).toBeNull();
});
