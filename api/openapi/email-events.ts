/** What Resend posts to us about the emails we sent: signed by Svix, so no API key. */
import { z } from 'zod';
import { error, operation, type Schema } from './operation';

const header = (name: string, description: string) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string' },
});

/** Served only with RESEND_WEBHOOK_SECRET (api/routes/email-webhooks.ts). */
export function emailEventPaths(): Record<string, Schema> {
  return {
    '/v1/webhooks/email/resend': {
      post: operation({
        operationId: 'receiveEmailEvent',
        summary: 'Resend’s delivery events: an email was delivered, delayed, bounced, or marked as spam',
        description:
          'No API key: verified with RESEND_WEBHOOK_SECRET over the exact bytes instead, by the official svix library (svix-id, svix-timestamp within 5 minutes, svix-signature). Subscribe the endpoint to email.delivered, email.delivery_delayed, email.bounced and email.complained; other email events are taken and change nothing. A redelivered svix-id changes nothing; an event about an email that is not ours writes nothing (matched: false).',
        tags: ['email'],
        auth: 'none',
        headers: [
          header('svix-id', 'Unique per message; a redelivery keeps it'),
          header('svix-timestamp', 'Unix seconds, within 5 minutes of ours'),
          header('svix-signature', 'v1,<base64 HMAC-SHA256 of "id.timestamp.body"> (space-separated when several)'),
        ],
        body: z.looseObject({}).describe('A Resend email event, as Resend sends it'),
        invalid: 'Signed, but not a Resend email event',
        responses: {
          200: {
            description: 'Taken (matched: an email of ours; duplicate: this svix-id was taken before)',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    received: { type: 'boolean' },
                    matched: { type: 'boolean' },
                    duplicate: { type: 'boolean' },
                  },
                  required: ['received', 'matched', 'duplicate'],
                },
              },
            },
          },
          401: error('Missing, invalid or stale signature'),
          503: error('Temporarily unavailable (the onboarding could not be told of a bounce); Svix retries'),
        },
      }),
    },
  };
}
