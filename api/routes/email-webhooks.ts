import type { Client as TemporalClient } from '@temporalio/client';
import express, { Router } from 'express';
import type { Db } from '../../db/client';
import {
  DeliveryEventPayloadError,
  DeliveryEventSignatureError,
  verifyDeliveryEvent,
} from '../../emails/delivery-events';
import type { Logger } from '../../observability/logger';
import { AppError } from '../../use-cases/app-error';
import { receiveDeliveryEvent } from '../../use-cases/email/receive-delivery-event';

export const EMAIL_EVENTS_PATH = '/v1/webhooks/email/resend';

/** A delivery event is a few hundred bytes; Resend's largest carry headers and tags. */
const BODY_LIMIT = '64kb';

/**
 * Resend's delivery events (delivered, delayed, bounced, complained), signed
 * by Svix. Mounted before the app-wide JSON parser: the signature covers the
 * exact bytes, which express.raw keeps as a Buffer. Answered 2xx once taken,
 * so Svix stops retrying; an event about an email that is not ours is taken
 * and writes nothing.
 */
export function emailWebhookRoutes(deps: {
  db: Db;
  logger: Logger;
  secret: string;
  tokenSigningKey: Buffer;
  temporal: TemporalClient;
}): Router {
  const router = Router();
  router.post(EMAIL_EVENTS_PATH, express.raw({ type: () => true, limit: BODY_LIMIT }), async (req, res) => {
    const body: unknown = req.body;
    let event;
    try {
      event = await verifyDeliveryEvent(deps.secret, Buffer.isBuffer(body) ? body : Buffer.alloc(0), req.headers);
    } catch (error) {
      if (error instanceof DeliveryEventSignatureError) {
        throw new AppError('UNAUTHENTICATED', `email delivery event rejected: ${error.message}`, {
          publicMessage: 'The webhook signature is missing, invalid or too old.',
        });
      }
      if (error instanceof DeliveryEventPayloadError) {
        throw new AppError('VALIDATION_FAILED', `email delivery event unreadable: ${error.message}`, {
          publicMessage: 'The webhook body is not an email event.',
        });
      }
      throw error;
    }
    const received = await receiveDeliveryEvent(deps, event);
    // Ids and the kind only: the recipient and the provider's reason stay out of the logs.
    deps.logger.info(
      {
        requestId: req.id,
        eventId: event.eventId,
        eventKind: event.kind,
        emailMessageId: received.emailMessageId,
        duplicate: received.duplicate,
      },
      'email delivery event',
    );
    res.status(200).json({ received: true, matched: received.matched, duplicate: received.duplicate });
  });
  return router;
}
