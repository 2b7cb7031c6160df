/**
 * "Forgot your password?" for portal users. Asking always gets the same
 * answer whether or not the email has an account (no enumeration); an
 * account gets at most one email per window; the link works once, for an
 * hour; setting the new password ends every open session.
 */
import { createHmac } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import {
  PASSWORD_RESET_VALID_MS,
  parsePasswordResetToken,
  verifyPasswordResetToken,
} from '../../security/password-reset-token';
import { hashPassword, passwordProblem } from '../../security/passwords';
import { temporalConfig } from '../../temporal.config';
import { passwordResetRequest } from '../../workflows/password-reset';
import { AppError } from '../app-error';

/** One reset email per account per window; a link made in a window lives an hour from its start. */
export const PASSWORD_RESET_WINDOW_MS = 5 * 60 * 1000;

export interface PasswordResetDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** Keys the hash of the address in the request's workflow id. */
  tokenSigningKey: Buffer;
}

/**
 * Starts the request for any address and returns: the lookup, the audit row
 * and the email happen in the passwordResetRequest workflow, so a known and
 * an unknown address cost the API the same work and the same time.
 */
export async function requestPasswordReset(
  deps: PasswordResetDeps,
  organizationId: string,
  email: string,
  origin: AuditEntry['origin'],
  now = Date.now(),
): Promise<void> {
  const normalized = email.trim().toLowerCase();
  const window = Math.floor(now / PASSWORD_RESET_WINDOW_MS) * PASSWORD_RESET_WINDOW_MS;
  // Keyed, so the id (visible to anyone who can list workflows) does not give the address away.
  const addressKey = createHmac('sha256', deps.tokenSigningKey)
    .update(`password-reset-request\0${organizationId}\0${normalized}`)
    .digest('hex')
    .slice(0, 32);
  try {
    await deps.temporal.workflow.start(passwordResetRequest, {
      workflowId: `${temporalConfig.workflowIdPrefix.passwordResetRequest}${addressKey}-${window}`,
      taskQueue: deps.taskQueue,
      args: [
        {
          organizationId,
          email: normalized,
          expiresAtMs: window + PASSWORD_RESET_VALID_MS,
          origin: {
            ip: origin?.ip ?? null,
            userAgent: origin?.userAgent ?? null,
            requestId: origin?.requestId ?? null,
          },
        },
      ],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    // Already asked in this window: the email (if any) is on its way.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw new AppError('UNAVAILABLE', 'could not start password reset request', { cause: error });
  }
}

async function accountForToken(db: Db, key: Buffer, token: string) {
  const parsed = parsePasswordResetToken(token);
  if (!parsed) return null;
  const account = await db.portalAccount.findUnique({
    where: { id: parsed.accountId },
    select: {
      id: true,
      clientId: true,
      email: true,
      status: true,
      passwordHash: true,
      organizationId: true,
      organization: { select: { slug: true, name: true, brandColor: true } },
    },
  });
  if (!account || account.status !== 'ACTIVE' || !account.passwordHash) return null;
  return verifyPasswordResetToken(key, token, account.passwordHash) ? account : null;
}

/** The practice a usable reset link belongs to, for its page; null for expired, used or forged links. */
export async function inspectPasswordResetLink(db: Db, key: Buffer, token: string) {
  const account = await accountForToken(db, key, token);
  return account ? account.organization : null;
}

export type PasswordResetResult =
  | { outcome: 'reset'; organizationSlug: string }
  | { outcome: 'invalid' }
  | { outcome: 'weak-password'; problem: string };

export async function resetPassword(
  db: Db,
  key: Buffer,
  token: string,
  form: { password: string; passwordConfirmation: string },
  origin: AuditEntry['origin'],
): Promise<PasswordResetResult> {
  const account = await accountForToken(db, key, token);
  if (!account) return { outcome: 'invalid' };
  if (form.password !== form.passwordConfirmation) {
    return { outcome: 'weak-password', problem: 'The two passwords are not the same.' };
  }
  const problem = passwordProblem(form.password, [account.email]);
  if (problem) return { outcome: 'weak-password', problem };
  const passwordHash = await hashPassword(form.password);
  // Only if the password is still the one the link was made for: two tabs cannot both use it.
  const changed = await db.$transaction(async (tx) => {
    const updated = await tx.portalAccount.updateMany({
      where: { id: account.id, passwordHash: account.passwordHash },
      data: { passwordHash, failedLogins: 0, lockedUntil: null },
    });
    if (updated.count === 0) return false;
    await tx.portalSession.updateMany({
      where: { portalAccountId: account.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await recordAudit(tx, {
      organizationId: account.organizationId,
      actor: { type: 'portal_user', id: account.id },
      action: 'portal.password_reset',
      clientId: account.clientId,
      outcome: 'success',
      origin,
    });
    return true;
  });
  return changed ? { outcome: 'reset', organizationSlug: account.organization.slug } : { outcome: 'invalid' };
}
