/** API keys managed by the practice's admins (api/routes/api-keys.ts, issue 19). */
import { ZApiKey, ZApiKeyCreate, ZApiKeyCreated, ZApiKeyId, ZApiKeyList } from '../../schemas/api-keys';
import { error, json, operation, type Schema } from './operation';

const ADMINS_ONLY = error('Admins only');
const AUDITED = 'Audited as api_key.';

export function apiKeyPaths(): Record<string, Schema> {
  return {
    '/v1/api-keys': {
      get: operation({
        operationId: 'listApiKeys',
        summary: 'The practice’s API keys with their scope, holder, last use and expiry, never the keys (admins)',
        tags: ['api-keys'],
        auth: 'staff',
        scope: 'admin',
        responses: { 200: json(ZApiKeyList, 'Newest first, revoked and expired keys included'), 403: ADMINS_ONLY },
      }),
      post: operation({
        operationId: 'createApiKey',
        summary: 'Make an API key with a name, a scope and an optional expiry (admins)',
        description: `The key is in this answer only: only its hash is kept. Its holder (staffUserId, default the caller) must be a staff member of the practice; the holder’s role still caps what the key may do. expiresAt must be in the future and at most 366 days away. ${AUDITED}create.`,
        tags: ['api-keys'],
        auth: 'staff',
        scope: 'admin',
        body: ZApiKeyCreate,
        invalid:
          'A body that is not valid JSON or fails validation, an expiresAt in the past or more than 366 days away, or a staffUserId not of your practice; fields says which',
        responses: { 201: json(ZApiKeyCreated, 'Made; keep the key now'), 403: ADMINS_ONLY },
      }),
    },
    '/v1/api-keys/{apiKeyId}/revoke': {
      post: operation({
        operationId: 'revokeApiKey',
        summary: 'Revoke an API key now (admins)',
        description: `From now on the key is refused (401). Revoking a revoked key changes nothing. ${AUDITED}revoke.`,
        tags: ['api-keys'],
        auth: 'staff',
        scope: 'admin',
        params: ZApiKeyId,
        responses: {
          200: json(ZApiKey, 'The key, revoked'),
          403: ADMINS_ONLY,
          404: error('No such API key in your organisation'),
        },
      }),
    },
  };
}
