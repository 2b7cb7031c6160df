/**
 * Time-based one-time passwords (RFC 6238) for the staff second factor, with
 * the `otpauth` library: SHA-1, 6 digits, 30-second steps, the parameters
 * every authenticator app accepts. A code is accepted one step either side of
 * now (clocks drift); the caller stores the step of the code it accepted and
 * refuses that step and earlier ones afterwards, so a code seen over a
 * shoulder or in a proxy log cannot be replayed.
 */
import { Secret, TOTP } from 'otpauth';
import { toString as qrSvg } from 'qrcode';

const PERIOD_SECONDS = 30;
/** Steps either side of now that still count. */
export const TOTP_WINDOW = 1;
/** 160 bits, RFC 4226's recommended secret length. */
const SECRET_BYTES = 20;

export const TOTP_CODE = /^[0-9]{6}$/;

/** A fresh secret, base32 as authenticator apps take it for manual entry. */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

function totpOf(secretBase32: string, label = 'staff'): TOTP {
  return new TOTP({
    issuer: 'Client Portal',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/**
 * The time step of `code` if it is valid now (± one step), else null. The
 * caller compares the step with the last one accepted.
 */
export function totpStepOf(secretBase32: string, code: string, now = Date.now()): number | null {
  if (!TOTP_CODE.test(code)) return null;
  const totp = totpOf(secretBase32);
  const delta = totp.validate({ token: code, timestamp: now, window: TOTP_WINDOW });
  return delta === null ? null : totp.counter({ timestamp: now }) + delta;
}

/** The code for `now`: tests and the enrolment check use it, never a page. */
export function totpCodeAt(secretBase32: string, now = Date.now()): string {
  return totpOf(secretBase32).generate({ timestamp: now });
}

/**
 * The otpauth:// URI an authenticator app scans. `account` is what the app
 * lists the entry as: the practice's name and the staff member's email are
 * the staff member's own, shown only to them.
 */
export function totpUri(secretBase32: string, issuer: string, account: string): string {
  const totp = totpOf(secretBase32, account);
  totp.issuer = issuer;
  return totp.toString();
}

/** The URI as an inline SVG QR code: rendered here, so the secret never leaves for a QR service. */
export async function totpQrSvg(uri: string): Promise<string> {
  return qrSvg(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
