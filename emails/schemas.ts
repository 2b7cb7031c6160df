import { isTimeZone } from '../domain/time-zone';
import { z } from 'zod';

/** Where a practice has not set its own: the Organization table's default too. */
export const DEFAULT_TIME_ZONE = 'America/New_York';

// Control characters (CR/LF above all) in a value that reaches the subject line
// could break the message's headers; nobody's name legitimately contains one.
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

/** A link the recipient opens: http(s) only, so no `javascript:` or `data:` URL can ever be a button. */
export const ZHttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/**
 * Props every email takes: who sends it (the practice's name and colour, in
 * its time zone) and whom it greets. Error messages are written here rather
 * than left to zod so they name the rule, never the value.
 */
export const emailBaseShape = {
  practiceName: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(200, 'must be at most 200 characters')
    .regex(NO_CONTROL_CHARACTERS, 'must not contain line breaks or control characters'),
  /** Accent colour of the practice, `#rgb` or `#rrggbb`. */
  brandColor: z
    .string()
    .trim()
    .regex(/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i, 'must be a hex colour such as #0f766e')
    .optional(),
  /** IANA zone in which dates are shown to the recipient. */
  timeZone: z
    .string()
    .trim()
    .refine(isTimeZone, 'must be an IANA time zone such as America/New_York')
    .default(DEFAULT_TIME_ZONE),
  /**
   * How to greet the recipient: the client's first name, or the guardian's
   * name when a guardian owns the account. Empty gives a greeting without a
   * name rather than failing the send.
   */
  recipientName: z
    .string()
    .trim()
    .max(200, 'must be at most 200 characters')
    .regex(NO_CONTROL_CHARACTERS, 'must not contain line breaks or control characters'),
};

/** The registration link shared by the invitation, the reminder and the re-sent invitation. */
export const invitationLinkShape = {
  registerUrl: ZHttpUrl,
  /** When the link stops working (ISO 8601 with a Z or an offset). */
  expiresAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone offset' }),
};
