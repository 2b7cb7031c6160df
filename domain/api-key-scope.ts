/**
 * What an API key may do, on top of what its staff member's role allows
 * (issue 19). A key is given to a tool, not a person: a reporting script
 * needs `read`, an EHR-side tool that resends invitations `act`, an on-call
 * runbook `ops`. The role still decides first: an admin-scoped key of a
 * therapist is a therapist's key.
 *
 * Every staff operation of the API declares the scope it needs in the OpenAPI
 * document (api/openapi/operation.ts), and http/api-key-scope.ts enforces that
 * declaration, so the two cannot disagree.
 */
export const API_KEY_SCOPES = ['read', 'act', 'ops', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** In words, for the dashboard and the API document. */
export const API_KEY_SCOPE_LABELS: Record<ApiKeyScope, string> = {
  read: 'Read: look up onboardings, forms, settings and logs (GET only)',
  act: 'Act: read, and act on clients (resend, revoke, send forms, portal users, cancel)',
  ops: 'Ops: read, and the ops API and the payload codec',
  admin: 'Admin: everything the staff member’s role allows, including settings, integrations and keys',
};

/**
 * Whether a key of scope `key` may call an operation that needs `needed`:
 * admin reaches everything, every scope reaches reads, act and ops reach
 * their own kind only (an ops runbook does not send forms, a forms tool does
 * not terminate workflows).
 */
export function scopeCovers(key: ApiKeyScope, needed: ApiKeyScope): boolean {
  return key === 'admin' || needed === 'read' || key === needed;
}

/** The database stores the scope as an enum in capitals (prisma/schema.prisma ApiKeyScope). */
export const scopeFromDb = (scope: 'READ' | 'ACT' | 'OPS' | 'ADMIN'): ApiKeyScope => scope.toLowerCase() as ApiKeyScope;
export const scopeToDb = (scope: ApiKeyScope) => scope.toUpperCase() as 'READ' | 'ACT' | 'OPS' | 'ADMIN';
