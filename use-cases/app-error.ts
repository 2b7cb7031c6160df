/**
 * The one error type the API's use cases throw. `code` says what went wrong
 * (http/error-handler.ts maps it to an HTTP status in one place), `message` is
 * for logs, `publicMessage` is safe to show a user or an EHR: neither ever
 * contains PHI.
 */
export const APP_ERROR_CODES = {
  /** The request body or parameters failed validation; `fields` says which. */
  VALIDATION_FAILED: 'The request is invalid.',
  /** The body is not JSON. */
  MALFORMED_BODY: 'The request body could not be read.',
  /** The body is larger than this route takes. */
  BODY_TOO_LARGE: 'The request body is too large.',
  /** The body is not JSON (Content-Type must be application/json). */
  UNSUPPORTED_MEDIA_TYPE: 'The request body must be JSON (Content-Type: application/json).',
  /** No valid credentials (API key) were presented. */
  UNAUTHENTICATED: 'Authentication is required.',
  /** The caller is known but may not do this (seed 003 permissions). */
  FORBIDDEN: 'You do not have permission to do this.',
  /** The API key's scope (read, act, ops, admin) does not reach this operation; the role might. */
  INSUFFICIENT_SCOPE: 'This API key’s scope does not allow this operation.',
  /** The action does not fit the onboarding's current state; the message says why. */
  CONFLICT: 'This action is not possible right now.',
  /** The email already belongs to another client's portal account (seed 003: one portal per email). */
  EMAIL_IN_USE: 'This email address already belongs to another client portal account.',
  /** The path exists, but not with this method; the Allow header lists the methods it has. */
  METHOD_NOT_ALLOWED: 'This method is not allowed here.',
  /** The resource does not exist, or the caller may not know that it does. */
  NOT_FOUND: 'Not found.',
  /** The referenced form package is not configured for this organisation (seed 000). */
  UNKNOWN_FORM_PACKAGE: 'The form package is not configured for this organisation.',
  /** The assigned clinician is not a staff member of this organisation. */
  UNKNOWN_CLINICIAN: 'The assigned clinician is not a staff member of this organisation.',
  /** The chart named is not (yet) in this service: send chart.created first. */
  UNKNOWN_CHART: 'No chart with this id has been received from this EHR.',
  /** The Idempotency-Key was first used with another request (http/idempotency.ts). */
  IDEMPOTENCY_KEY_REUSED: 'This Idempotency-Key was used with a different request. Use a new key for a new request.',
  /** The EHR integration is disabled. */
  INTEGRATION_DISABLED: 'This integration is disabled.',
  /** A dependency (Temporal, the database) is unavailable; the caller should retry. */
  UNAVAILABLE: 'The service is temporarily unavailable. Please retry.',
  /** Anything unexpected. Details go to the logs only. */
  INTERNAL: 'An unexpected error occurred.',
} as const;

export type AppErrorCode = keyof typeof APP_ERROR_CODES;

export interface FieldError {
  /** Dotted path of the field in the request, e.g. "data.client.email". */
  path: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly publicMessage: string;
  readonly fields: FieldError[] | undefined;

  constructor(
    readonly code: AppErrorCode,
    message: string = APP_ERROR_CODES[code],
    options: { publicMessage?: string; fields?: FieldError[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.publicMessage = options.publicMessage ?? APP_ERROR_CODES[code];
    this.fields = options.fields;
  }
}
