import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/client';
import type { Prisma } from '../generated/prisma/client';
import {
  statusCallbackPayload,
  statusCallbackWorkflowId,
  type StatusCallbackEventInput,
} from '../domain/status-callback';
import { SecretBoxError, type SecretBox } from '../security/secret-box';
import { isStrongWebhookSecret, signWebhook } from '../security/standard-webhooks';

/** An EHR that has not answered in 10 s is treated as down; the retry profile tries again later. */
export const STATUS_CALLBACK_TIMEOUT_MS = 10_000;

/** Answers that mean "not now" rather than "no": retried like a 5xx. */
const RETRYABLE_CLIENT_ERRORS = new Set([408, 425, 429]);

export interface StartStatusCallbackInput extends StatusCallbackEventInput {
  /** Tells apart events that happen more than once (an invitation's expiry: its sequence). */
  n?: number | string;
}

export interface DeliverStatusCallbackInput extends StatusCallbackEventInput {
  /** The Standard Webhooks id: the callback workflow's id, the same on every attempt so the EHR deduplicates. */
  webhookId: string;
}

export type StatusCallbackDelivery =
  | { outcome: 'delivered'; attempts: number }
  /** The callback URL was removed (or the integration disabled) before the first attempt: nothing sent or logged. */
  | { outcome: 'no-endpoint' };

/** Why a POST failed, in a few words: never the response body, which could echo PHI back. */
function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${STATUS_CALLBACK_TIMEOUT_MS / 1000} s`;
  }
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? `connection failed (${code})` : 'connection failed';
}

function isHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Failure types of an attempt. The first two are for good (also listed as
 * non-retryable in the retry profile); the others heal with time (a callback
 * secret this worker cannot decrypt: once it is given the key).
 */
type AttemptFailure =
  'CallbackRejected' | 'CallbackMisconfigured' | 'CallbackFailed' | 'CallbackUnreachable' | 'CallbackSecretUnreadable';

export function createStatusCallbackActivities({ db, secretBox }: { db: Db; secretBox: SecretBox }) {
  /** Writes one attempt's result to the delivery log. */
  const recordAttempt = (webhookId: string, data: Prisma.OutboundWebhookUpdateInput) =>
    db.outboundWebhook.update({ where: { webhookId }, data, select: { attempts: true } });

  /** Logs why an attempt failed and returns the failure to throw. */
  const failAttempt = async (webhookId: string, type: AttemptFailure, reason: string, statusCode: number | null) => {
    await recordAttempt(webhookId, { lastError: reason, lastStatusCode: statusCode });
    return type === 'CallbackRejected' || type === 'CallbackMisconfigured'
      ? ApplicationFailure.nonRetryable(reason, type)
      : ApplicationFailure.retryable(reason, type);
  };

  return {
    /**
     * Hands a status change over to a statusCallback workflow of its own, if
     * the onboarding's integration takes callbacks: delivery then retries for
     * a day and outlives the onboarding. Started here rather than as an
     * abandoned child: a practice without a callback URL costs no workflow at
     * all, the onboarding's history does not grow with each delivery's
     * outcome, and the time-skipping test server (which leaks a time lock
     * whenever a child finishes after its parent) keeps skipping time.
     *
     * The workflow id names the onboarding and the event: a retried or re-run
     * step finds it already started and starts nothing (the EHR is told once).
     */
    async startStatusCallback(input: StartStatusCallbackInput): Promise<{ workflowId: string | null }> {
      const { n, ...callback } = input;
      const onboarding = await db.onboarding.findUniqueOrThrow({
        where: { id: input.onboardingId },
        select: { integration: { select: { active: true, callbackUrl: true } } },
      });
      if (!onboarding.integration?.active || !onboarding.integration.callbackUrl) return { workflowId: null };
      const workflowId = statusCallbackWorkflowId(input.onboardingId, input.event, n);
      const { client, info } = Context.current();
      try {
        // Started by its type name: activities never import workflow code (workflows/status-callback.ts).
        await client.workflow.start<(input: StatusCallbackEventInput) => Promise<unknown>>('statusCallback', {
          workflowId,
          taskQueue: info.taskQueue,
          args: [callback],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (error: unknown) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      return { workflowId };
    },

    /**
     * One attempt at POSTing a status callback to the onboarding's EHR, signed
     * per Standard Webhooks with the integration's callback secret. The
     * delivery log row (by webhook id) is created on the first attempt and
     * counts every POST; a 2xx marks it DELIVERED. Anything else throws: a
     * retryable failure for the EHR being down or busy, a non-retryable one for
     * the EHR refusing the call or a URL we will not call.
     */
    async deliverStatusCallback(input: DeliverStatusCallbackInput): Promise<StatusCallbackDelivery> {
      const { webhookId } = input;
      const onboarding = await db.onboarding.findUniqueOrThrow({
        where: { id: input.onboardingId },
        select: {
          externalChartId: true,
          integration: { select: { id: true, active: true, callbackUrl: true, callbackSecret: true } },
        },
      });
      const integration = onboarding.integration;
      const existing = await db.outboundWebhook.findUnique({
        where: { webhookId },
        select: { status: true, attempts: true },
      });
      // Sent by an attempt that crashed before it could report back: the EHR has it.
      if (existing?.status === 'DELIVERED') return { outcome: 'delivered', attempts: existing.attempts };
      if (!integration?.active || !integration.callbackUrl) {
        if (!existing) return { outcome: 'no-endpoint' };
        // The endpoint went away while we were retrying: the log must not stay PENDING forever.
        throw await failAttempt(webhookId, 'CallbackMisconfigured', 'callback URL removed', null);
      }

      const payload = statusCallbackPayload(input, onboarding.externalChartId);
      const startedAt = new Date();
      await db.outboundWebhook.upsert({
        where: { webhookId },
        create: {
          integrationId: integration.id,
          onboardingId: input.onboardingId,
          webhookId,
          eventType: input.event,
          payload,
          attempts: 1,
          lastAttemptAt: startedAt,
        },
        update: { attempts: { increment: 1 }, lastAttemptAt: startedAt },
      });

      const { callbackUrl: url, callbackSecret: secret } = integration;
      if (!isHttpUrl(url)) {
        throw await failAttempt(webhookId, 'CallbackMisconfigured', 'callback URL is not http(s)', null);
      }
      if (!secret) {
        throw await failAttempt(webhookId, 'CallbackMisconfigured', 'no callback secret to sign with', null);
      }
      // Stored encrypted; the error names at most the key id, never the secret.
      let signingKey: string;
      try {
        signingKey = secretBox.open(secret);
      } catch (error: unknown) {
        if (!(error instanceof SecretBoxError)) throw error;
        throw await failAttempt(
          webhookId,
          'CallbackSecretUnreadable',
          `cannot decrypt the callback secret: ${error.message}`,
          null,
        );
      }

      if (!isStrongWebhookSecret(signingKey)) {
        throw await failAttempt(
          webhookId,
          'CallbackMisconfigured',
          'the callback secret is too short to sign with (at least 24 bytes)',
          null,
        );
      }

      const body = JSON.stringify(payload);
      // The current time, not the event's: receivers refuse timestamps more than minutes old.
      const timestamp = Math.floor(Date.now() / 1000);
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': webhookId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signWebhook(signingKey, webhookId, timestamp, body),
          },
          body,
          // A redirect could carry the signed body to a host the practice never configured.
          redirect: 'manual',
          signal: AbortSignal.timeout(STATUS_CALLBACK_TIMEOUT_MS),
        });
      } catch (error: unknown) {
        throw await failAttempt(webhookId, 'CallbackUnreachable', networkReason(error), null);
      }
      // What the EHR answered is not ours to keep; only the status code goes in the log.
      await response.body?.cancel().catch(() => undefined);

      if (response.ok) {
        const { attempts } = await recordAttempt(webhookId, {
          status: 'DELIVERED',
          deliveredAt: new Date(),
          lastStatusCode: response.status,
          lastError: null,
        });
        return { outcome: 'delivered', attempts };
      }
      const { status } = response;
      const refused = status >= 400 && status < 500 && !RETRYABLE_CLIENT_ERRORS.has(status);
      throw await failAttempt(webhookId, refused ? 'CallbackRejected' : 'CallbackFailed', `HTTP ${status}`, status);
    },

    /** The last attempt failed (retries exhausted, or the EHR refused for good): FAILED in the log, for ops. */
    async markStatusCallbackFailed({ webhookId }: { webhookId: string }): Promise<void> {
      await db.outboundWebhook.updateMany({
        where: { webhookId, status: { not: 'DELIVERED' } },
        data: { status: 'FAILED' },
      });
    },
  };
}
