/**
 * Recovery codes for a staff member who lost their authenticator: ten, shown
 * once, each good for one sign-in. 80 random bits each (16 base32
 * characters), so, as with the other bearer secrets, SHA-256 is enough to
 * store them: nobody brute-forces 2^80 from a dump.
 */
import { Secret } from 'otpauth';
import { hashToken } from './tokens';

export const RECOVERY_CODE_COUNT = 10;
const CODE_BYTES = 10;

/** `ABCD-EFGH-IJKL-MNOP`: groups of four are easier to copy by hand. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => new Secret({ size: CODE_BYTES }).base32.match(/.{4}/g)!.join('-'));
}

/** What was typed, without the dashes, spaces and case people vary; null if it cannot be a code. */
export function normalizeRecoveryCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  return /^[A-Z2-7]{16}$/.test(code) ? code : null;
}

export function hashRecoveryCode(code: string): string {
  return hashToken(`recovery:${normalizeRecoveryCode(code) ?? code}`);
}
