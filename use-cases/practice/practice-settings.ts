import type { Db } from '../../db/client';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import { AppError } from '../app-error';
import { readCrisisMessage, writeCrisisMessage } from './crisis-message';
import type { StaffPrincipal } from '../staff-principal';
import { practiceExtrasOf, updatePracticeExtras } from './practice-contact';
import {
  ZPracticeSettings,
  type TPracticeSettingsPatch,
  type TPracticeSettingsResponse,
} from '../../schemas/practice-settings';

const SELECT = {
  id: true,
  slug: true,
  name: true,
  timeZone: true,
  invitationTtlHours: true,
  invitationReminderDays: true,
  autoReinviteMax: true,
  invitationIntroText: true,
  brandColor: true,
  formReminderDays: true,
  paymentsEnabled: true,
  onboardingPaymentStep: true,
  intakeDepositCents: true,
  requireSecondFactor: true,
  clientLinkRequests: true,
  deliveryDelayWindowHours: true,
} as const;

/** Seed 003: the Organization Administrator controls the portal's settings. Checked before the input is. */
export function assertMayManagePractice(staff: StaffPrincipal): void {
  if (staff.role !== 'ADMIN') {
    throw new AppError('FORBIDDEN', 'only admins manage practice settings', {
      publicMessage: 'Only organisation administrators manage the practice’s settings.',
    });
  }
}

function responseOf(
  org: { id: string } & Omit<TPracticeSettingsResponse, 'organizationId'>,
): TPracticeSettingsResponse {
  const { id, ...rest } = org;
  return { organizationId: id, ...rest };
}

/** The caller's own practice: there is no id to give, so no other practice's settings can be named. */
export async function getPracticeSettings(db: Db, staff: StaffPrincipal): Promise<TPracticeSettingsResponse> {
  assertMayManagePractice(staff);
  const org = await db.organization.findUniqueOrThrow({ where: { id: staff.organizationId }, select: SELECT });
  return responseOf({
    ...org,
    crisisMessage: await readCrisisMessage(db, staff.organizationId),
    ...(await practiceExtrasOf(db, org.id)),
  });
}

/**
 * Changes some of the caller's practice's settings, checked together (a
 * deposit step needs a deposit amount), in one transaction, audited with the
 * names of the fields changed.
 */
export async function updatePracticeSettings(
  db: Db,
  staff: StaffPrincipal,
  patch: TPracticeSettingsPatch,
  origin: AuditEntry['origin'],
): Promise<TPracticeSettingsResponse> {
  assertMayManagePractice(staff);
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM organization WHERE id = ${staff.organizationId}::uuid FOR NO KEY UPDATE`;
    const current = {
      ...(await tx.organization.findUniqueOrThrow({ where: { id: staff.organizationId }, select: SELECT })),
      crisisMessage: await readCrisisMessage(tx, staff.organizationId),
      ...(await practiceExtrasOf(tx, staff.organizationId)),
    };
    const next = ZPracticeSettings.parse({ ...current, ...patch });
    if (next.onboardingPaymentStep === 'DEPOSIT' && next.intakeDepositCents === null) {
      throw new AppError('VALIDATION_FAILED', 'deposit step without an amount', {
        fields: [{ path: 'intakeDepositCents', message: 'is required when onboardingPaymentStep is DEPOSIT' }],
      });
    }
    if (next.onboardingPaymentStep !== 'NONE' && !next.paymentsEnabled) {
      throw new AppError('VALIDATION_FAILED', 'payment step without payments', {
        fields: [{ path: 'onboardingPaymentStep', message: 'needs paymentsEnabled' }],
      });
    }
    const {
      crisisMessage,
      contactPhone,
      contactEmail,
      contactAddress,
      contactWebsite,
      superbillDiagnosisCodes,
      ...columns
    } = patch;
    const updated = await tx.organization.update({
      where: { id: staff.organizationId },
      data: columns,
      select: SELECT,
    });
    if (crisisMessage !== undefined) await writeCrisisMessage(tx, staff.organizationId, crisisMessage || null);
    await updatePracticeExtras(tx, staff.organizationId, {
      contactPhone,
      contactEmail,
      contactAddress,
      contactWebsite,
      superbillDiagnosisCodes,
    });
    await recordAudit(tx, {
      organizationId: staff.organizationId,
      actor: { type: 'staff', id: staff.staffUserId },
      action: 'practice.settings_changed',
      outcome: 'success',
      origin,
      detail: { fields: Object.keys(patch).sort().join(',') },
    });
    return responseOf({
      ...updated,
      crisisMessage: crisisMessage === undefined ? current.crisisMessage : next.crisisMessage || null,
      ...(await practiceExtrasOf(tx, staff.organizationId)),
    });
  });
}
