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
import { OutboundUnreachableError, outboundUrlProblem, postOutbound } from '../security/outbound-request';

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

/**
 * Failure types of an attempt. The first two are for good (also listed as
 * non-retryable in the retry profile); the others heal with time (a callback
 * secret this worker cannot decrypt: once it is given the key).
 */
type AttemptFailure =
  'CallbackRejected' | 'CallbackMisconfigured' | 'CallbackFailed' | 'CallbackUnreachable' | 'CallbackSecretUnreadable';

export interface StatusCallbackDependencies {
  db: Db;
  secretBox: SecretBox;
  /**
   * Allows http and loopback or private callback URLs, for EHR stand-ins on
   * this machine: tests and `npm start` only. Off (the default), a callback
   * goes over https to a public address, checked when connecting.
   */
  allowPrivateCallbackTargets?: boolean;
}

export function createStatusCallbackActivities({
  db,
  secretBox,
  allowPrivateCallbackTargets = false,
}: StatusCallbackDependencies) {
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
        select: { integration: { select: { active: true, callbackUrl: true, callbackEvents: true } } },
      });
      if (!onboarding.integration?.active || !onboarding.integration.callbackUrl) return { workflowId: null };
      // The events the EHR asked for on the admin page; none chosen means every event.
      const wanted = onboarding.integration.callbackEvents;
      if (wanted.length > 0 && !wanted.includes(input.event)) return { workflowId: null };
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
      const urlProblem = outboundUrlProblem(url, allowPrivateCallbackTargets);
      if (urlProblem) throw await failAttempt(webhookId, 'CallbackMisconfigured', urlProblem, null);
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
      let status: number;
      try {
        // A redirect is not followed: it could carry the signed body to a host the practice never configured.
        status = await postOutbound(url, {
          headers: {
            'content-type': 'application/json',
            'webhook-id': webhookId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signWebhook(signingKey, webhookId, timestamp, body),
          },
          body,
          timeoutMs: STATUS_CALLBACK_TIMEOUT_MS,
          allowPrivateTargets: allowPrivateCallbackTargets,
        });
      } catch (error: unknown) {
        if (!(error instanceof OutboundUnreachableError)) throw error;
        // The same words whatever went wrong, so the log cannot map the network behind us.
        throw await failAttempt(webhookId, 'CallbackUnreachable', error.message, null);
      }

      // What the EHR answered is not ours to keep; only the status code goes in the log.
      if (status >= 200 && status < 300) {
        const { attempts } = await recordAttempt(webhookId, {
          status: 'DELIVERED',
          deliveredAt: new Date(),
          lastStatusCode: status,
          lastError: null,
        });
        return { outcome: 'delivered', attempts };
      }
      // A redirect is a refusal too: the practice must configure the URL that answers.
      const refused = status >= 300 && status < 500 && !RETRYABLE_CLIENT_ERRORS.has(status);
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
