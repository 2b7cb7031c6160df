import type { Db } from '../db/client';
import type { Mailer } from '../emails/mailer';
import type { AppMetrics } from '../observability/metrics';
import { PASSWORD_RESET_VALID_MS, passwordResetToken } from '../security/password-reset-token';
import { recordAudit, type AuditEntry } from '../audit/audit-log';
import { sendTemplatedEmail } from './emails';

export interface PasswordResetDependencies {
  db: Db;
  mailer: Mailer;
  tokenSigningKey: Buffer;
  publicBaseUrl: string;
  metrics?: AppMetrics;
}

export function passwordResetUrl(publicBaseUrl: string, organizationSlug: string, token: string): string {
  return `${publicBaseUrl}/portal/${organizationSlug}/password/reset/${token}`;
}

export function createPasswordResetActivities(deps: PasswordResetDependencies) {
  return {
    /**
     * The account a "forgot your password" address belongs to, if it can
     * reset (active, with a password), and the request in the audit trail.
     * Done here, after the API has answered, so the answer's timing says nothing.
     */
    async findAccountForPasswordReset(input: {
      organizationId: string;
      email: string;
      origin: AuditEntry['origin'];
    }): Promise<{ portalAccountId: string } | null> {
      const account = await deps.db.portalAccount.findUnique({
        where: {
          organizationId_email: { organizationId: input.organizationId, email: input.email.trim().toLowerCase() },
        },
        select: { id: true, clientId: true, status: true, passwordHash: true },
      });
      const usable = account?.status === 'ACTIVE' && account.passwordHash !== null;
      await recordAudit(deps.db, {
        organizationId: input.organizationId,
        actor: account ? { type: 'portal_user', id: account.id } : { type: 'anonymous' },
        action: 'portal.password_reset_request',
        clientId: account?.clientId ?? null,
        outcome: usable ? 'success' : 'refused',
        origin: input.origin,
        detail: { reason: usable ? 'emailed' : account ? 'account-not-active' : 'unknown-email' },
      });
      return usable ? { portalAccountId: account.id } : null;
    },

    /**
     * Emails a password-reset link. The link is derived from the account, the
     * expiry and the current password hash, so a retry sends the same link
     * under the same idempotency key; an account that changed in between
     * (password already reset, access revoked) gets nothing.
     */
    async sendPasswordResetEmail({
      portalAccountId,
      expiresAtMs,
    }: {
      portalAccountId: string;
      expiresAtMs: number;
    }): Promise<{ sent: boolean }> {
      const account = await deps.db.portalAccount.findUnique({
        where: { id: portalAccountId },
        select: {
          email: true,
          status: true,
          passwordHash: true,
          ownerName: true,
          organizationId: true,
          organization: { select: { name: true, slug: true, timeZone: true, brandColor: true } },
          client: { select: { firstName: true } },
        },
      });
      if (!account || account.status !== 'ACTIVE' || !account.passwordHash || expiresAtMs <= Date.now()) {
        return { sent: false };
      }
      const token = passwordResetToken(deps.tokenSigningKey, portalAccountId, expiresAtMs, account.passwordHash);
      await sendTemplatedEmail(deps, {
        organizationId: account.organizationId,
        onboardingId: null,
        idempotencyKey: `password-reset:${portalAccountId}:${expiresAtMs}`,
        template: 'password-reset',
        to: account.email,
        props: {
          practiceName: account.organization.name,
          brandColor: account.organization.brandColor ?? undefined,
          timeZone: account.organization.timeZone,
          recipientName: account.ownerName ?? account.client.firstName,
          resetUrl: passwordResetUrl(deps.publicBaseUrl, account.organization.slug, token),
          validMinutes: Math.round(PASSWORD_RESET_VALID_MS / 60_000),
        },
      });
      return { sent: true };
    },
  };
}
