/**
 * Builds one OpenAPI operation from the zod schemas its route validates with
 * (path params, query, body), so the document is exactly as strict as the
 * validators, and adds the answers every operation of its kind can give: 400
 * when it validates anything, 401 for a staff key, 413 for a body too large
 * for the operation, 415 for a JSON body on /v1, 405 and 500 everywhere.
 */
import { z } from 'zod';
import type { ApiKeyScope } from '../../domain/api-key-scope';
import { ZErrorResponse } from '../../schemas/error-response';

export type Schema = Record<string, unknown>;

export function requestSchema(schema: z.ZodType): Schema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

export function responseSchema(schema: z.ZodType): Schema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });
  return rest;
}

export const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema: responseSchema(schema) } },
});
export const error = (description: string) => json(ZErrorResponse, description);

export const pdf = (description: string) => ({
  description,
  content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
});

/** Shared answers, in components.responses. */
export const SHARED_RESPONSES = {
  MethodNotAllowed: {
    ...error('The path exists but not with this method; the Allow header lists the methods it has'),
    headers: { Allow: { description: 'The methods this path answers, e.g. "GET, POST"', schema: { type: 'string' } } },
  },
  InternalError: error('Something unexpected went wrong; the requestId finds it in the logs'),
};
const ref = (name: keyof typeof SHARED_RESPONSES) => ({ $ref: `#/components/responses/${name}` });

/** Out of reach answers like unknown (use-cases/client-access-policy.ts): a therapist reaches their own clients only. */
export const NO_SUCH_ONBOARDING =
  'No such onboarding within your reach (your organisation; for a therapist, your own clients)';
export const NO_STAFF_KEY = 'No valid staff API key';

/** One parameter per property of a route's zod object, with the JSON Schema the validator enforces. */
function parametersOf(schema: z.ZodObject, where: 'path' | 'query'): Schema[] {
  const json = requestSchema(schema) as { properties?: Record<string, Schema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

/**
 * 'staff': a staff API key, whose scope must reach `scope` (domain/api-key-scope.ts;
 * http/api-key-scope.ts enforces what is declared here); 'none': no credentials
 * (the description says what else protects it).
 */
type Authentication = { auth: 'staff'; scope: ApiKeyScope } | { auth: 'none'; scope?: never };

export type OperationSpec = Authentication & {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Extra header parameters (webhook signatures). */
  headers?: Schema[];
  /** False where no 415 can come (outside /v1, whose middleware refuses bodies that are not JSON). */
  checksMediaType?: boolean;
  /** What a 400 means here, when the operation validates anything. */
  invalid?: string;
  responses: Record<number, Schema>;
};

/** The extension naming the scope an operation needs; http/api-key-scope.ts reads it. */
export const SCOPE_EXTENSION = 'x-api-key-scope';

export const KEY_SCOPE_TOO_NARROW = 'This API key’s scope does not reach this operation (INSUFFICIENT_SCOPE)';

const API_KEY_SCOPE_NEEDS: Record<ApiKeyScope, string> = {
  read: 'API keys of every scope may call this.',
  act: 'Needs an API key of scope act or admin.',
  ops: 'Needs an API key of scope ops or admin.',
  admin: 'Needs an API key of scope admin.',
};

/** Every staff operation can answer 403 for a key whose scope is too narrow, besides its own reasons. */
function forbidden(spec: OperationSpec): Record<string, Schema> {
  if (spec.auth !== 'staff') return {};
  const own = spec.responses[403] as { description?: string } | undefined;
  return { 403: error(own?.description ? `${own.description}; or: ${KEY_SCOPE_TOO_NARROW}` : KEY_SCOPE_TOO_NARROW) };
}

export function operation(spec: OperationSpec): Schema {
  const parameters = [
    ...(spec.params ? parametersOf(spec.params, 'path') : []),
    ...(spec.query ? parametersOf(spec.query, 'query') : []),
    ...(spec.headers ?? []),
  ];
  const validates = Boolean(spec.params ?? spec.query ?? spec.body);
  const invalid = [
    spec.params ? 'a malformed id in the path' : null,
    spec.query ? 'an invalid query parameter' : null,
    spec.body ? 'a body that is not valid JSON or fails validation' : null,
  ]
    .filter(Boolean)
    .join(', or ');
  const responses: Record<string, Schema> = {
    ...(validates ? { 400: error(spec.invalid ?? `Invalid request: ${invalid}; fields says which`) } : {}),
    ...(spec.auth === 'staff' ? { 401: error(NO_STAFF_KEY) } : {}),
    ...(spec.body ? { 413: error('Body larger than this operation takes') } : {}),
    ...(spec.body && spec.checksMediaType !== false
      ? { 415: error('Body is not JSON (Content-Type must be application/json)') }
      : {}),
    ...Object.fromEntries(Object.entries(spec.responses).map(([status, response]) => [status, response])),
    ...forbidden(spec),
    405: ref('MethodNotAllowed'),
    500: ref('InternalError'),
  };
  const needs = spec.auth === 'staff' ? API_KEY_SCOPE_NEEDS[spec.scope] : null;
  const description = [spec.description, needs].filter(Boolean).join(' ');
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(description ? { description } : {}),
    tags: spec.tags,
    // OpenAPI 3.1 lets any scheme list the scopes an operation needs: here the key's scope.
    security: spec.auth === 'staff' ? [{ staffApiKey: [spec.scope] }] : [],
    ...(spec.auth === 'staff' ? { [SCOPE_EXTENSION]: spec.scope } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: requestSchema(spec.body) } } } }
      : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
  };
}
