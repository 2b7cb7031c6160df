/**
 * Setting up a staff member's authenticator: a secret issued (sealed at rest
 * with security/secret-box.ts, like the integration secrets), shown as a QR
 * code and as text, and active only once a first code from it is entered, so
 * a mistyped or unscanned secret never locks anyone out. Confirming issues
 * ten recovery codes, shown once; they can be issued afresh with a code.
 */
import type { Db } from '../../db/client';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import { hashRecoveryCode, newRecoveryCodes } from '../../security/recovery-codes';
import type { SecretBox } from '../../security/secret-box';
import { newTotpSecret, totpQrSvg, totpStepOf, totpUri } from '../../security/totp';
import { AppError } from '../app-error';
import { checkSecondFactor, type CodeCheck, type StaffOf } from './staff-second-factor';

const audit = (db: Parameters<typeof recordAudit>[0], staff: StaffOf, action: string, origin: AuditEntry['origin']) =>
  recordAudit(db, {
    organizationId: staff.organizationId,
    actor: { type: 'staff', id: staff.staffUserId },
    action,
    outcome: 'success',
    origin,
  });

/**
 * Issues a secret to confirm, unless one is waiting already (a reload shows
 * the same one, so a scan already made still works). Refused when a factor
 * is active: it is turned off, with a code, before another is set up.
 */
export async function beginEnrolment(
  db: Db,
  box: SecretBox,
  staff: StaffOf,
  origin: AuditEntry['origin'],
): Promise<void> {
  const existing = await db.staffSecondFactor.findUnique({ where: { staffUserId: staff.staffUserId } });
  if (existing?.confirmedAt) {
    throw new AppError('CONFLICT', 'second factor already active', {
      publicMessage: 'Your second factor is already set up. Turn it off first to set up another authenticator.',
    });
  }
  if (existing) return;
  await db.staffSecondFactor.upsert({
    where: { staffUserId: staff.staffUserId },
    create: { staffUserId: staff.staffUserId, secret: box.seal(newTotpSecret()) },
    update: {},
  });
  await audit(db, staff, 'staff.second_factor_enrolment_started', origin);
}

export interface EnrolmentDetails {
  /** Base32, for typing into an app that cannot scan. */
  secret: string;
  /** The otpauth:// URI as an inline SVG QR code. */
  qrSvg: string;
}

/** The waiting secret, to show to its own staff member only; null when none is waiting. */
export async function enrolmentDetails(db: Db, box: SecretBox, staff: StaffOf): Promise<EnrolmentDetails | null> {
  const factor = await db.staffSecondFactor.findUnique({
    where: { staffUserId: staff.staffUserId },
    select: {
      secret: true,
      confirmedAt: true,
      staffUser: { select: { email: true, organization: { select: { name: true } } } },
    },
  });
  if (!factor || factor.confirmedAt) return null;
  const secret = box.open(factor.secret);
  const uri = totpUri(secret, factor.staffUser.organization.name, factor.staffUser.email);
  return { secret, qrSvg: await totpQrSvg(uri) };
}

/**
 * Activates the waiting secret if `code` comes from it, and issues the
 * recovery codes. @returns the recovery codes to show once, or null for a
 * wrong code (audited; nothing changes).
 */
export async function confirmEnrolment(
  db: Db,
  box: SecretBox,
  staff: StaffOf,
  code: string,
  origin: AuditEntry['origin'],
): Promise<string[] | null> {
  const factor = await db.staffSecondFactor.findUnique({ where: { staffUserId: staff.staffUserId } });
  if (!factor || factor.confirmedAt) {
    throw new AppError('CONFLICT', 'no second factor waiting for confirmation', {
      publicMessage: 'There is no authenticator waiting to be confirmed. Start the set-up again.',
    });
  }
  const step = totpStepOf(box.open(factor.secret), code.replace(/\s/g, ''));
  if (step === null) {
    await recordAudit(db, {
      organizationId: staff.organizationId,
      actor: { type: 'staff', id: staff.staffUserId },
      action: 'staff.second_factor_enrolled',
      outcome: 'refused',
      origin,
      detail: { reason: 'wrong-code' },
    });
    return null;
  }
  return db.$transaction(async (tx) => {
    const { count } = await tx.staffSecondFactor.updateMany({
      where: { staffUserId: staff.staffUserId, secret: factor.secret, confirmedAt: null },
      data: { confirmedAt: new Date(), lastUsedStep: BigInt(step) },
    });
    if (count === 0) {
      throw new AppError('CONFLICT', 'second factor changed during confirmation', {
        publicMessage: 'Your second factor changed meanwhile. Reload the page and try again.',
      });
    }
    const codes = await replaceRecoveryCodes(tx, staff.staffUserId);
    await audit(tx, staff, 'staff.second_factor_enrolled', origin);
    return codes;
  });
}

/** New recovery codes for old ones, behind a code. @returns the codes to show once, or the failed check. */
export async function regenerateRecoveryCodes(
  db: Db,
  box: SecretBox,
  staff: StaffOf,
  typed: string,
  origin: AuditEntry['origin'],
): Promise<{ ok: true; codes: string[] } | Extract<CodeCheck, { ok: false }>> {
  const check = await checkSecondFactor(db, box, staff, typed, 'regenerate-recovery-codes', origin);
  if (!check.ok) return check;
  return db.$transaction(async (tx) => {
    const codes = await replaceRecoveryCodes(tx, staff.staffUserId);
    await audit(tx, staff, 'staff.recovery_codes_regenerated', origin);
    return { ok: true as const, codes };
  });
}

async function replaceRecoveryCodes(
  tx: Parameters<Parameters<Db['$transaction']>[0]>[0],
  staffUserId: string,
): Promise<string[]> {
  const codes = newRecoveryCodes();
  await tx.staffRecoveryCode.deleteMany({ where: { staffUserId } });
  await tx.staffRecoveryCode.createMany({
    data: codes.map((code) => ({ staffUserId, codeHash: hashRecoveryCode(code) })),
  });
  return codes;
}
