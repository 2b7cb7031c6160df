import { isIP } from 'node:net';
import type { Db } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import type { StatusCallbackEvent } from '../../domain/status-callback';
import { isForbiddenAddress } from '../../security/outbound-address';
import { outboundUrlProblem } from '../../security/outbound-request';
import type { SecretBox } from '../../security/secret-box';
import { newWebhookSecret } from '../../security/standard-webhooks';
import {
  MAX_ROTATION_OVERLAP_DAYS,
  type TIntegration,
  type TIntegrationCreate,
  type TIntegrationCreated,
  type TIntegrationList,
  type TIntegrationPatch,
  type TIntegrationRotate,
  type TIntegrationRotated,
} from '../../schemas/integrations';
import { AppError } from '../app-error';
import type { StaffPrincipal } from '../staff-principal';

export interface IntegrationAdminDeps {
  db: Db;
  /** Seals the secrets made here; the database refuses them in plaintext. */
  secretBox: SecretBox;
  /** For the webhook URL given to the EHR. */
  publicBaseUrl: string;
  /** Tests and `npm start` only: callback URLs on this machine, over http. */
  allowPrivateCallbackTargets?: boolean;
}

type Origin = AuditEntry['origin'];

const SELECT = {
  id: true,
  organizationId: true,
  name: true,
  vendor: true,
  active: true,
  callbackUrl: true,
  callbackEvents: true,
  callbackSecret: true,
  previousSecretExpiresAt: true,
  createdAt: true,
} as const satisfies Prisma.EhrIntegrationSelect;

type Row = Prisma.EhrIntegrationGetPayload<{ select: typeof SELECT }>;

/** Secrets are stored sealed only (the database refuses plaintext): without a key none can be made. */
function assertCanSeal(secretBox: SecretBox): void {
  if (!secretBox.activeKeyId) {
    throw new AppError('UNAVAILABLE', 'no secrets key to seal with', {
      publicMessage: 'This server has no key to store integration secrets with (SECRETS_ENCRYPTION_KEYS).',
    });
  }
}

/** An EHR's secrets forge onboardings for the practice: only its admins hold them. */
export function assertMayManageIntegrations(staff: StaffPrincipal): void {
  if (staff.role !== 'ADMIN') {
    throw new AppError('FORBIDDEN', 'only admins manage integrations', {
      publicMessage: 'Only organisation administrators manage EHR integrations.',
    });
  }
}

function view(row: Row, publicBaseUrl: string, now = Date.now()): TIntegration {
  const rotating = row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > now;
  return {
    id: row.id,
    name: row.name,
    vendor: row.vendor,
    active: row.active,
    webhookUrl: `${publicBaseUrl.replace(/\/$/, '')}/v1/webhooks/ehr/${row.id}`,
    callbackUrl: row.callbackUrl,
    callbackEvents: row.callbackEvents as StatusCallbackEvent[],
    hasCallbackSecret: row.callbackSecret !== null,
    previousSecretExpiresAt: rotating ? row.previousSecretExpiresAt!.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The integration if it is the caller's practice's; another practice's is "not found", never "forbidden". */
export async function ownIntegration(db: Db | Prisma.TransactionClient, staff: StaffPrincipal, id: string) {
  const row = await db.ehrIntegration.findUnique({ where: { id }, select: SELECT });
  if (!row || row.organizationId !== staff.organizationId) throw new AppError('NOT_FOUND', 'unknown integration');
  return row;
}

const audit = (
  db: Db | Prisma.TransactionClient,
  staff: StaffPrincipal,
  action: string,
  integrationId: string,
  origin: Origin,
  detail: Record<string, string | number | boolean | null> = {},
) =>
  recordAudit(db, {
    organizationId: staff.organizationId,
    actor: { type: 'staff', id: staff.staffUserId },
    action,
    outcome: 'success',
    origin,
    detail: { integrationId, ...detail },
  });

export async function listIntegrations(deps: IntegrationAdminDeps, staff: StaffPrincipal): Promise<TIntegrationList> {
  assertMayManageIntegrations(staff);
  const rows = await deps.db.ehrIntegration.findMany({
    where: { organizationId: staff.organizationId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: SELECT,
  });
  return { integrations: rows.map((row) => view(row, deps.publicBaseUrl)) };
}

export async function getIntegration(
  deps: IntegrationAdminDeps,
  staff: StaffPrincipal,
  integrationId: string,
): Promise<TIntegration> {
  assertMayManageIntegrations(staff);
  return view(await ownIntegration(deps.db, staff, integrationId), deps.publicBaseUrl);
}

/** Both secrets are made here and answered once: only their sealed form is kept. */
export async function createIntegration(
  deps: IntegrationAdminDeps,
  staff: StaffPrincipal,
  input: TIntegrationCreate,
  origin: Origin,
): Promise<TIntegrationCreated> {
  assertMayManageIntegrations(staff);
  assertCanSeal(deps.secretBox);
  const signingSecret = newWebhookSecret();
  const callbackSecret = newWebhookSecret();
  const row = await deps.db.$transaction(async (tx) => {
    const created = await tx.ehrIntegration.create({
      data: {
        organizationId: staff.organizationId,
        name: input.name,
        vendor: input.vendor,
        signingSecret: deps.secretBox.seal(signingSecret),
        callbackSecret: deps.secretBox.seal(callbackSecret),
      },
      select: SELECT,
    });
    await audit(tx, staff, 'integration.create', created.id, origin);
    return created;
  });
  return { integration: view(row, deps.publicBaseUrl), signingSecret, callbackSecret };
}

/**
 * A new signing secret; the current one keeps working until `previousValidUntil`
 * (at most 7 days), so the EHR can switch without dropping a webhook. Rotating
 * again during an overlap ends the older overlap: only two secrets ever work.
 */
export async function rotateSigningSecret(
  deps: IntegrationAdminDeps,
  staff: StaffPrincipal,
  integrationId: string,
  input: TIntegrationRotate,
  origin: Origin,
  now = new Date(),
): Promise<TIntegrationRotated> {
  assertMayManageIntegrations(staff);
  const until = new Date(input.previousValidUntil);
  const latest = now.getTime() + MAX_ROTATION_OVERLAP_DAYS * 24 * 60 * 60 * 1000;
  if (until.getTime() <= now.getTime() || until.getTime() > latest) {
    throw new AppError('VALIDATION_FAILED', 'rotation overlap out of range', {
      fields: [
        {
          path: 'previousValidUntil',
          message: `must be in the future and at most ${MAX_ROTATION_OVERLAP_DAYS} days away`,
        },
      ],
    });
  }
  assertCanSeal(deps.secretBox);
  const signingSecret = newWebhookSecret();
  const row = await deps.db.$transaction(async (tx) => {
    await ownIntegration(tx, staff, integrationId);
    const current = await tx.ehrIntegration.findUniqueOrThrow({
      where: { id: integrationId },
      select: { signingSecret: true },
    });
    const updated = await tx.ehrIntegration.update({
      where: { id: integrationId },
      data: {
        signingSecret: deps.secretBox.seal(signingSecret),
        previousSigningSecret: current.signingSecret,
        previousSecretExpiresAt: until,
      },
      select: SELECT,
    });
    await audit(tx, staff, 'integration.rotate_secret', integrationId, origin, {
      previousValidUntil: until.toISOString(),
    });
    return updated;
  });
  return {
    integration: view(row, deps.publicBaseUrl, now.getTime()),
    signingSecret,
    previousValidUntil: until.toISOString(),
  };
}

/**
 * Whether we would call this URL: https to a name or a public address. The
 * address a name resolves to is checked again at every connect
 * (security/outbound-request.ts), so a name that later points inside is still refused.
 */
export function callbackUrlProblem(url: string, allowPrivateTargets: boolean): string | null {
  const problem = outboundUrlProblem(url, allowPrivateTargets);
  if (problem || allowPrivateTargets) return problem;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && isForbiddenAddress(host)) return 'callback URL must be a public address';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'callback URL must be a public address';
  return null;
}

/** Callback URL and events, name and vendor, and disabling or re-enabling: one audited change. */
export async function updateIntegration(
  deps: IntegrationAdminDeps,
  staff: StaffPrincipal,
  integrationId: string,
  patch: TIntegrationPatch,
  origin: Origin,
): Promise<TIntegration> {
  assertMayManageIntegrations(staff);
  if (patch.callbackUrl) {
    const problem = callbackUrlProblem(patch.callbackUrl, deps.allowPrivateCallbackTargets ?? false);
    if (problem) {
      throw new AppError('VALIDATION_FAILED', 'callback URL refused', {
        fields: [{ path: 'callbackUrl', message: problem.replace(/^callback URL /, '') }],
      });
    }
  }
  const row = await deps.db.$transaction(async (tx) => {
    const before = await ownIntegration(tx, staff, integrationId);
    const updated = await tx.ehrIntegration.update({
      where: { id: integrationId },
      data: {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.vendor !== undefined ? { vendor: patch.vendor } : {}),
        ...(patch.callbackUrl !== undefined ? { callbackUrl: patch.callbackUrl } : {}),
        ...(patch.callbackEvents !== undefined ? { callbackEvents: [...new Set(patch.callbackEvents)] } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
      },
      select: SELECT,
    });
    const action =
      patch.active === false && before.active
        ? 'integration.disable'
        : patch.active === true && !before.active
          ? 'integration.enable'
          : 'integration.update';
    await audit(tx, staff, action, integrationId, origin, { fields: Object.keys(patch).sort().join(',') });
    return updated;
  });
  return view(row, deps.publicBaseUrl);
}
