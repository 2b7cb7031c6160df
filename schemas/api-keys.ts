import { z } from 'zod';
import { API_KEY_SCOPES } from '../domain/api-key-scope';

/** The longest an expiry may be set ahead: keys meant to live longer are made without one, deliberately. */
export const MAX_API_KEY_LIFETIME_DAYS = 366;

export const ZApiKeyId = z.object({ apiKeyId: z.uuid('must be an API key id (UUID)') });

export const ZApiKeyCreate = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  scope: z.enum(API_KEY_SCOPES, { message: 'must be one of read, act, ops, admin' }),
  /** In the future and at most 366 days away (checked against the clock in the use case); omitted: until revoked. */
  expiresAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
  /** Whose key it is (their role caps it); omitted: the caller's own. A staff member of the caller's practice. */
  staffUserId: z.uuid('must be a staff member id (UUID)').optional(),
});
export type TApiKeyCreate = z.infer<typeof ZApiKeyCreate>;

/** A key as admins see it: never the key itself, only its first characters. */
export const ZApiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  scope: z.enum(API_KEY_SCOPES),
  /** The key's first characters (keys made before scopes existed have none). */
  prefix: z.string().nullable(),
  staffUser: z.object({ id: z.uuid(), displayName: z.string(), role: z.enum(['ADMIN', 'THERAPIST', 'OPS']) }),
  status: z.enum(['active', 'expired', 'revoked']),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type TApiKey = z.infer<typeof ZApiKey>;

export const ZApiKeyList = z.object({ apiKeys: z.array(ZApiKey) });
export type TApiKeyList = z.infer<typeof ZApiKeyList>;

export const ZApiKeyCreated = z.object({
  apiKey: ZApiKey,
  /** The key itself: in this answer only, never shown again (only its hash is kept). */
  secret: z.string(),
});
export type TApiKeyCreated = z.infer<typeof ZApiKeyCreated>;
