/**
 * The staff second factor once enrolled (second-factor-enrolment.ts sets it
 * up): checking a code at sign-in and before changes to the factor itself,
 * one-time recovery codes, turning it off, and an admin's reset.
 *
 * Every code checked takes a strike in the same lockout as passwords
 * (security/login-lockout.ts), before it is checked, so wrong codes pause the
 * account with the same growing delays, whatever the concurrency. A TOTP code
 * is accepted only for a time step after the last one accepted, in one
 * UPDATE, so two requests with the same code cannot both pass; a recovery
 * code is spent in one UPDATE the same way.
 */
import type { Db } from '../../db/client';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import { strikeStaffAccount } from '../../security/login-lockout';
import { hashRecoveryCode, normalizeRecoveryCode } from '../../security/recovery-codes';
import type { SecretBox } from '../../security/secret-box';
import { TOTP_CODE, totpStepOf } from '../../security/totp';
import { AppError } from '../app-error';
import type { StaffPrincipal } from '../staff-principal';
import { roleNeedsSecondFactor } from './second-factor-policy';

export interface StaffOf {
  staffUserId: string;
  organizationId: string;
}

/** What a second factor was checked for, in the audit trail. */
export type CodePurpose = 'sign-in' | 'regenerate-recovery-codes' | 'turn-off';

export type CodeCheck =
  | { ok: true; via: 'totp' }
  /** `remaining`: unused recovery codes left, for the staff member to see. */
  | { ok: true; via: 'recovery-code'; remaining: number }
  | { ok: false; reason: 'paused' | 'wrong-code' | 'replayed' | 'not-enrolled' };

export interface SecondFactorStatus {
  enrolled: boolean;
  /** A secret was issued but no code has confirmed it yet. */
  enrolling: boolean;
  recoveryCodesLeft: number;
  /** The practice requires it of this staff member's role. */
  required: boolean;
}

export async function secondFactorStatus(db: Db, staff: StaffOf): Promise<SecondFactorStatus> {
  const [user, recoveryCodesLeft] = await Promise.all([
    db.staffUser.findUniqueOrThrow({
      where: { id: staff.staffUserId },
      select: {
        role: true,
        secondFactor: { select: { confirmedAt: true } },
        organization: { select: { requireSecondFactor: true } },
      },
    }),
    db.staffRecoveryCode.count({ where: { staffUserId: staff.staffUserId, usedAt: null } }),
  ]);
  return {
    enrolled: Boolean(user.secondFactor?.confirmedAt),
    enrolling: Boolean(user.secondFactor && !user.secondFactor.confirmedAt),
    recoveryCodesLeft,
    required: user.organization.requireSecondFactor && roleNeedsSecondFactor(user.role),
  };
}

/**
 * Checks a six-digit code or a recovery code against the staff member's
 * confirmed factor, audited whatever the outcome.
 * `onPause`: this wrong code just paused the account (the caller raises the alarm).
 */
export async function checkSecondFactor(
  db: Db,
  box: SecretBox,
  staff: StaffOf,
  typed: string,
  purpose: CodePurpose,
  origin: AuditEntry['origin'],
  options: { onPause?: (staffUserId: string, pausedUntil: Date) => void } = {},
): Promise<CodeCheck> {
  const audit = (action: string, outcome: AuditEntry['outcome'], detail: AuditEntry['detail']) =>
    recordAudit(db, {
      organizationId: staff.organizationId,
      actor: { type: 'staff', id: staff.staffUserId },
      action,
      outcome,
      origin,
      detail: { purpose, ...detail },
    });
  const strike = await strikeStaffAccount(db, staff.staffUserId);
  if (strike.outcome === 'paused') {
    await audit('staff.second_factor_verify', 'denied', { reason: 'locked' });
    return { ok: false, reason: 'paused' };
  }
  const refuse = async (reason: 'wrong-code' | 'replayed' | 'not-enrolled', method: string): Promise<CodeCheck> => {
    await audit('staff.second_factor_verify', 'refused', {
      method,
      reason: strike.paused ? `${reason}-paused` : reason,
    });
    if (strike.paused && strike.pausedUntil) options.onPause?.(staff.staffUserId, strike.pausedUntil);
    return { ok: false, reason };
  };

  const factor = await db.staffSecondFactor.findUnique({ where: { staffUserId: staff.staffUserId } });
  if (!factor?.confirmedAt) return refuse('not-enrolled', 'none');
  const code = typed.replace(/\s/g, '');
  let result: CodeCheck;
  if (TOTP_CODE.test(code)) {
    const step = totpStepOf(box.open(factor.secret), code);
    if (step === null) return refuse('wrong-code', 'totp');
    const { count } = await db.staffSecondFactor.updateMany({
      where: {
        staffUserId: staff.staffUserId,
        confirmedAt: { not: null },
        OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: BigInt(step) } }],
      },
      data: { lastUsedStep: BigInt(step) },
    });
    if (count === 0) return refuse('replayed', 'totp');
    result = { ok: true, via: 'totp' };
  } else {
    if (normalizeRecoveryCode(code) === null) return refuse('wrong-code', 'recovery-code');
    const { count } = await db.staffRecoveryCode.updateMany({
      where: { staffUserId: staff.staffUserId, codeHash: hashRecoveryCode(code), usedAt: null },
      data: { usedAt: new Date() },
    });
    if (count === 0) return refuse('wrong-code', 'recovery-code');
    const remaining = await db.staffRecoveryCode.count({ where: { staffUserId: staff.staffUserId, usedAt: null } });
    await audit('staff.recovery_code_used', 'success', { remaining });
    result = { ok: true, via: 'recovery-code', remaining };
  }
  await db.staffUser.update({ where: { id: staff.staffUserId }, data: { failedLogins: 0, lockedUntil: null } });
  await audit('staff.second_factor_verify', 'success', { method: result.via });
  return result;
}

/**
 * Turns the staff member's own second factor off, only with a code (a
 * session left open on a shared computer is not enough), and not while the
 * practice requires it of them.
 */
export async function turnOffSecondFactor(
  db: Db,
  box: SecretBox,
  staff: StaffOf,
  typed: string,
  origin: AuditEntry['origin'],
): Promise<CodeCheck> {
  if ((await secondFactorStatus(db, staff)).required) {
    throw new AppError('CONFLICT', 'second factor required by the practice', {
      publicMessage: 'Your practice requires a second factor for your role, so it cannot be turned off.',
    });
  }
  const check = await checkSecondFactor(db, box, staff, typed, 'turn-off', origin);
  if (!check.ok) return check;
  await db.$transaction(async (tx) => {
    await tx.staffSecondFactor.deleteMany({ where: { staffUserId: staff.staffUserId } });
    await tx.staffRecoveryCode.deleteMany({ where: { staffUserId: staff.staffUserId } });
    await recordAudit(tx, {
      organizationId: staff.organizationId,
      actor: { type: 'staff', id: staff.staffUserId },
      action: 'staff.second_factor_turned_off',
      outcome: 'success',
      origin,
      detail: { method: check.via },
    });
  });
  return check;
}

/**
 * An admin removes a colleague's second factor (a lost phone and lost
 * recovery codes): their sessions end, and they enrol again at their next
 * sign-in if the practice requires it. Not for the admin's own: that is
 * turned off with a code.
 */
export async function resetSecondFactor(
  db: Db,
  admin: StaffPrincipal,
  targetStaffUserId: string,
  origin: AuditEntry['origin'],
): Promise<{ sessionsEnded: number }> {
  if (admin.role !== 'ADMIN') {
    throw new AppError('FORBIDDEN', 'only admins reset a second factor', {
      publicMessage: 'Only organisation administrators can reset a colleague’s second factor.',
    });
  }
  if (targetStaffUserId === admin.staffUserId) {
    throw new AppError('CONFLICT', 'admin resetting own second factor', {
      publicMessage: 'Turn your own second factor off from your security page, with a code.',
    });
  }
  return db.$transaction(async (tx) => {
    const target = await tx.staffUser.findFirst({
      where: { id: targetStaffUserId, organizationId: admin.organizationId },
      select: { id: true },
    });
    if (!target) throw new AppError('NOT_FOUND', 'no such staff member in this practice');
    const removed = await tx.staffSecondFactor.deleteMany({ where: { staffUserId: target.id } });
    await tx.staffRecoveryCode.deleteMany({ where: { staffUserId: target.id } });
    const { count: sessionsEnded } = await tx.staffSession.updateMany({
      where: { staffUserId: target.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await recordAudit(tx, {
      organizationId: admin.organizationId,
      actor: { type: 'staff', id: admin.staffUserId },
      action: 'staff.second_factor_reset',
      outcome: 'success',
      origin,
      detail: { staffUserId: target.id, hadFactor: removed.count > 0, sessionsEnded },
    });
    return { sessionsEnded };
  });
}
