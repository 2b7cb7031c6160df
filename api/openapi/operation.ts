/**
 * Builds one OpenAPI operation from the zod schemas its route validates with
 * (path params, query, body), so the document is exactly as strict as the
 * validators, and adds the answers every operation of its kind can give: 400
 * when it validates anything, 401 for a staff key, 413 for a body too large
 * for the operation, 415 for a JSON body on /v1, 405 and 500 everywhere.
 */
import { z } from 'zod';
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

export interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** 'staff': a staff API key; 'none': no credentials (the description says what else protects it). */
  auth: 'staff' | 'none';
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
    405: ref('MethodNotAllowed'),
    500: ref('InternalError'),
  };
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags,
    security: spec.auth === 'staff' ? [{ staffApiKey: [] }] : [],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: requestSchema(spec.body) } } } }
      : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
  };
}
