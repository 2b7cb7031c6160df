import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import type { StatusCallbackEventInput } from '../../domain/status-callback';
import type { OnboardingStatus } from '../../domain/onboarding-status';
import { OutboundUnreachableError, postOutbound, UNREACHABLE } from '../../security/outbound-request';
import { SecretBoxError } from '../../security/secret-box';
import { isStrongWebhookSecret, signWebhook } from '../../security/standard-webhooks';
import type { TInboundDeliveries, TPingResult, TRedelivery } from '../../schemas/integrations';
import { AppError } from '../app-error';
import type { StaffPrincipal } from '../staff-principal';
import { assertMayManageIntegrations, ownIntegration, type IntegrationAdminDeps } from './manage-integrations';

/** As the status callbacks' own attempts (activities/status-callbacks.ts): an EHR slower than this is down. */
const PING_TIMEOUT_MS = 10_000;

type Origin = AuditEntry['origin'];

/**
 * A signed `ping` to the callback URL, sent now from the API (not a workflow):
 * the admin waits for the answer on the page. Nothing about a client is in it.
 * The answer is audited, never logged as a delivery (it concerns no onboarding).
 */
export async function pingCallback(
  deps: IntegrationAdminDeps,
  staff: StaffPrincipal,
  integrationId: string,
  origin: Origin,
): Promise<TPingResult> {
  assertMayManageIntegrations(staff);
  const integration = await ownIntegration(deps.db, staff, integrationId);
  if (!integration.callbackUrl || !integration.callbackSecret) {
    throw new AppError('CONFLICT', 'no callback URL or secret', {
      publicMessage: 'Set a callback URL first: there is nowhere to send the test to.',
    });
  }
  const webhookId = `ping-${randomUUID()}`;
  let result: TPingResult;
  try {
    const secret = deps.secretBox.open(integration.callbackSecret);
    if (!isStrongWebhookSecret(secret)) throw new AppError('CONFLICT', 'weak callback secret');
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      type: 'ping',
      timestamp: new Date(timestamp * 1000).toISOString(),
      data: { integrationId },
    });
    const statusCode = await postOutbound(integration.callbackUrl, {
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(secret, webhookId, timestamp, body),
      },
      body,
      timeoutMs: PING_TIMEOUT_MS,
      allowPrivateTargets: deps.allowPrivateCallbackTargets ?? false,
    });
    const delivered = statusCode >= 200 && statusCode < 300;
    result = { delivered, statusCode, error: delivered ? null : `HTTP ${statusCode}`, webhookId };
  } catch (error: unknown) {
    if (error instanceof SecretBoxError)
      throw new AppError('UNAVAILABLE', 'callback secret unreadable', { cause: error });
    if (error instanceof AppError) throw error;
    const reason = error instanceof OutboundUnreachableError ? UNREACHABLE : (error as Error).message;
    result = { delivered: false, statusCode: null, error: reason, webhookId };
  }
  await recordAudit(deps.db, {
    organizationId: staff.organizationId,
    actor: { type: 'staff', id: staff.staffUserId },
    action: 'integration.ping',
    outcome: result.delivered ? 'success' : 'failed',
    origin,
    detail: { integrationId, webhookId, statusCode: result.statusCode },
  });
  return result;
}

/**
 * What the EHR sent us and how it went, from the audit trail: every delivery
 * that passed the signature check is there with its outcome (unsigned ones
 * are refused before anyone knows which integration they claim to be from).
 */
export async function listInboundDeliveries(
  db: Db,
  staff: StaffPrincipal,
  integrationId: string,
  limit = 100,
): Promise<TInboundDeliveries> {
  assertMayManageIntegrations(staff);
  await ownIntegration(db, staff, integrationId);
  const rows = await db.auditEvent.findMany({
    where: {
      organizationId: staff.organizationId,
      actorType: 'ehr_integration',
      actorId: integrationId,
    },
    orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
    take: limit,
    select: { action: true, outcome: true, onboardingId: true, occurredAt: true, detail: true },
  });
  return {
    integrationId,
    deliveries: rows.map((row) => {
      const detail = (row.detail ?? {}) as { webhookId?: unknown; duplicate?: unknown };
      return {
        webhookId: typeof detail.webhookId === 'string' ? detail.webhookId : null,
        action: row.action,
        outcome: row.outcome,
        duplicate: typeof detail.duplicate === 'boolean' ? detail.duplicate : null,
        onboardingId: row.onboardingId,
        receivedAt: row.occurredAt.toISOString(),
      };
    }),
  };
}

/**
 * Sends a FAILED status callback again: the same statusCallback workflow id
 * (which is the webhook-id), so an EHR that did get it after all deduplicates
 * it. The earlier run has closed; its id may be reused.
 */
export async function redeliverCallback(
  deps: IntegrationAdminDeps & { temporal: Client; taskQueue: string },
  staff: StaffPrincipal,
  integrationId: string,
  callbackId: string,
  origin: Origin,
): Promise<TRedelivery> {
  assertMayManageIntegrations(staff);
  const integration = await ownIntegration(deps.db, staff, integrationId);
  const row = await deps.db.outboundWebhook.findUnique({
    where: { id: callbackId },
    select: {
      id: true,
      integrationId: true,
      webhookId: true,
      status: true,
      onboardingId: true,
      eventType: true,
      payload: true,
    },
  });
  if (!row || row.integrationId !== integrationId) throw new AppError('NOT_FOUND', 'unknown callback delivery');
  if (row.status !== 'FAILED') {
    throw new AppError('CONFLICT', `callback is ${row.status}`, {
      publicMessage: 'Only a failed callback can be sent again.',
    });
  }
  if (!integration.active || !integration.callbackUrl) {
    throw new AppError('CONFLICT', 'integration has no endpoint', {
      publicMessage: 'The integration is disabled or has no callback URL: there is nowhere to send it.',
    });
  }
  const payload = row.payload as { timestamp: string; data: Record<string, string | number | null> };
  const { onboardingId: _o, externalChartId: _c, status, ...detail } = payload.data;
  const input: StatusCallbackEventInput = {
    onboardingId: row.onboardingId,
    event: row.eventType as StatusCallbackEventInput['event'],
    status: status as OnboardingStatus,
    occurredAt: payload.timestamp,
    ...(Object.keys(detail).length ? { detail } : {}),
  };
  const claimed = await deps.db.outboundWebhook.updateMany({
    where: { id: row.id, status: 'FAILED' },
    data: { status: 'PENDING', lastError: null },
  });
  if (claimed.count === 0) {
    throw new AppError('CONFLICT', 'redelivered concurrently', {
      publicMessage: 'This callback is already being sent again.',
    });
  }
  try {
    await deps.temporal.workflow.start<(input: StatusCallbackEventInput) => Promise<unknown>>('statusCallback', {
      workflowId: row.webhookId,
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
  } catch (error: unknown) {
    await deps.db.outboundWebhook.update({ where: { id: row.id }, data: { status: 'FAILED' } });
    throw new AppError('UNAVAILABLE', 'could not start the redelivery', { cause: error });
  }
  await recordAudit(deps.db, {
    organizationId: staff.organizationId,
    actor: { type: 'staff', id: staff.staffUserId },
    action: 'integration.callback_redeliver',
    onboardingId: row.onboardingId,
    outcome: 'success',
    origin,
    detail: { integrationId, callbackId: row.id, webhookId: row.webhookId },
  });
  return { callbackId: row.id, webhookId: row.webhookId, status: 'PENDING' };
}
