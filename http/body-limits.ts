import type { Request } from 'express';

/**
 * Routes whose bodies may be large read them only once the caller is known,
 * so nobody can make the API parse megabytes without a credential: the
 * app-wide JSON parser (64 kB) leaves them alone, and each route mounts its
 * own parser after its authentication.
 */
export const PARSED_AFTER_AUTH = ['/codec', '/staff/codec', '/v1/forms'] as const;

/** Workflow histories sent to the codec carry many payloads at once. */
export const CODEC_BODY_LIMIT = '8mb';
/** A form definition carries whole consent and privacy texts. */
export const FORM_DEFINITION_BODY_LIMIT = '512kb';
/** Intake forms post many fields and long answers. */
export const PORTAL_DOCUMENT_BODY_LIMIT = '256kb';

export function isParsedAfterAuth(req: Pick<Request, 'path'>): boolean {
  return PARSED_AFTER_AUTH.some((base) => req.path === base || req.path.startsWith(`${base}/`));
}
