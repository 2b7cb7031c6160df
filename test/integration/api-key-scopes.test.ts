/**
 * API key scopes on every operation (issue 19): each staff operation of the
 * OpenAPI document declares the scope it needs, and every operation × every
 * scope is called here with an admin's key of that scope (admins reach every
 * operation by role, so only the scope can refuse). A key whose scope does not
 * reach the operation gets 403 INSUFFICIENT_SCOPE and writes nothing; one
 * whose scope does is never refused for its scope.
 *
 * A route Express serves under /v1 or /codec that the document does not list
 * fails here too, so no route escapes a declared scope; and a route the
 * document lists is reachable only by admin-scoped keys until it declares
 * one (http/api-key-scope.ts), which this test would show as a mismatch.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { openApiDocument } from '../../api/openapi';
import { SCOPE_EXTENSION } from '../../api/openapi/operation';
import { createApp } from '../../app/http-app';
import { API_KEY_SCOPES, scopeCovers, type ApiKeyScope } from '../../domain/api-key-scope';
import { createLogger } from '../../observability/logger';
import { createStripeProvider } from '../../payments/stripe-provider';
import type { TErrorResponse } from '../../schemas/error-response';
import { hashToken, randomToken } from '../../security/tokens';
import { createTestOrganization, testOrganizationSlug, type TestOrganization } from '../support/factories';
import { startTestService, type TestService } from '../support/service';

interface DocumentedOperation {
  security?: Record<string, string[]>[];
  requestBody?: unknown;
  [SCOPE_EXTENSION]?: ApiKeyScope;
}

const DOCUMENT = openApiDocument('http://scopes.test', {
  paymentsProvider: 'stripe',
  codec: true,
  emailEvents: true,
}) as { paths: Record<string, Record<string, DocumentedOperation>> };

interface Operation {
  label: string;
  method: string;
  path: string;
  scope: ApiKeyScope;
  hasBody: boolean;
}

const STAFF_OPERATIONS: Operation[] = Object.entries(DOCUMENT.paths).flatMap(([path, methods]) =>
  Object.entries(methods)
    .filter(([, operation]) => (operation.security ?? []).length > 0)
    .map(([method, operation]) => ({
      label: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      path,
      scope: operation[SCOPE_EXTENSION]!,
      hasBody: operation.requestBody !== undefined,
    })),
);

/** Values of the right shape for each path parameter: what they name need not exist. */
const PARAMETER_VALUES: Record<string, () => string> = {
  key: () => 'phq-9',
  version: () => '1',
};

let service: TestService;
let org: TestOrganization;
/** An admin's key of each scope. */
const keys = {} as Record<ApiKeyScope, string>;
const slug = testOrganizationSlug();

beforeAll(async () => {
  service = await startTestService({
    codecOperatorOrganizations: [slug],
    emailEvents: true,
    payments: createStripeProvider({
      secretKey: 'sk_test_scopes',
      webhookSecret: `whsec_${randomBytes(16).toString('hex')}`,
      apiBaseUrl: 'http://127.0.0.1:9',
    }),
  });
  org = await createTestOrganization(service.database.db, { slug });
  for (const scope of API_KEY_SCOPES) {
    keys[scope] = `cpo_${randomToken()}`;
    await service.database.db.staffApiKey.create({
      data: {
        organizationId: org.organizationId,
        staffUserId: org.adminId,
        name: `scope ${scope}`,
        scope: scope.toUpperCase() as 'READ' | 'ACT' | 'OPS' | 'ADMIN',
        keyHash: hashToken(keys[scope]),
      },
    });
  }
});

afterAll(async () => {
  await service?.stop();
});

async function call(operation: Operation, key: string): Promise<{ status: number; code: string | undefined }> {
  const path = operation.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(PARAMETER_VALUES[name]?.() ?? randomUUID()),
  );
  // An empty body: what an allowed call does with it is a 400 at most, so nothing is made or changed.
  const response = await fetch(`${service.api.url}${path}`, {
    method: operation.method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(operation.hasBody ? { 'content-type': 'application/json' } : {}),
    },
    ...(operation.hasBody ? { body: '{}' } : {}),
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as TErrorResponse).error?.code;
  } catch {
    code = undefined;
  }
  return { status: response.status, code };
}

/** What a refused call must leave as it was. */
async function footprint() {
  const { db } = service.database;
  const [audit, apiKeys, integrations, forms, onboardings] = await Promise.all([
    db.auditEvent.count({ where: { organizationId: org.organizationId } }),
    db.staffApiKey.count({ where: { organizationId: org.organizationId } }),
    db.ehrIntegration.count({ where: { organizationId: org.organizationId } }),
    db.formDefinition.count({ where: { organizationId: org.organizationId } }),
    db.onboarding.count({ where: { organizationId: org.organizationId } }),
  ]);
  return { audit, apiKeys, integrations, forms, onboardings };
}

it('every staff operation declares a scope, the same in its security requirement and its extension', () => {
  expect(STAFF_OPERATIONS.length).toBeGreaterThan(40);
  for (const operation of STAFF_OPERATIONS) {
    const declared = DOCUMENT.paths[operation.path]![operation.method.toLowerCase()]!;
    expect({ label: operation.label, scope: declared.security?.[0]?.staffApiKey?.[0] }).toEqual({
      label: operation.label,
      scope: operation.scope,
    });
    expect(API_KEY_SCOPES).toContain(operation.scope);
  }
});

it('every /v1 and /codec route Express serves is an operation of the document', () => {
  const app = createApp({
    db: service.database.db,
    temporal: service.env.client,
    taskQueue: service.taskQueue,
    logger: createLogger({ level: 'silent' }),
    tokenSigningKey: randomBytes(32),
    publicBaseUrl: 'http://scopes.test',
    payloadKeys: service.keys,
    emailWebhookSecret: `whsec_${randomBytes(16).toString('base64')}`,
    payments: createStripeProvider({
      secretKey: 'sk_test_scopes',
      webhookSecret: 'whsec_scopes',
      apiBaseUrl: 'http://127.0.0.1:9',
    }),
  }) as unknown as { router: Router };
  const served = routesOf(app.router).filter(({ path }) => /^\/(v1|codec)\//.test(path));
  expect(served.length).toBeGreaterThan(40);
  const documented = new Set(
    Object.entries(DOCUMENT.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    ),
  );
  const undocumented = served
    .map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`)
    .filter((label) => !documented.has(label));
  expect(undocumented).toEqual([]);
});

describe.each(API_KEY_SCOPES)('an admin’s key of scope %s', (scope) => {
  it('is refused, writing nothing, exactly where its scope does not reach', async () => {
    const wrong: string[] = [];
    const check = async (operation: Operation) => {
      const { status, code } = await call(operation, keys[scope]);
      const refusedForScope = status === 403 && code === 'INSUFFICIENT_SCOPE';
      if (refusedForScope === scopeCovers(scope, operation.scope)) {
        wrong.push(`${operation.label} (needs ${operation.scope}): ${status} ${code ?? ''}`);
      }
      if (status >= 500) wrong.push(`${operation.label}: ${status}`);
    };
    // The refusals first, as one batch: not even an audit line may come of them.
    const before = await footprint();
    for (const operation of STAFF_OPERATIONS.filter((op) => !scopeCovers(scope, op.scope))) await check(operation);
    expect(await footprint()).toEqual(before);
    for (const operation of STAFF_OPERATIONS.filter((op) => scopeCovers(scope, op.scope))) await check(operation);
    expect(wrong).toEqual([]);
  }, 120_000);
});

it('a narrow key asking for a method or path the document does not have is refused, an admin key gets 405/404', async () => {
  for (const [method, path] of [
    ['DELETE', '/v1/practice/settings'],
    ['GET', '/v1/integrations/no/such/path'],
  ] as const) {
    const narrow = await fetch(`${service.api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${keys.read}` },
    });
    expect(narrow.status).toBe(403);
    const admin = await fetch(`${service.api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${keys.admin}` },
    });
    expect([404, 405]).toContain(admin.status);
  }
});

/** The method and full path of every route in an Express router, through the routers mounted in it. */
function routesOf(router: Router, prefix = ''): { method: string; path: string }[] {
  type Layer = {
    route?: { path: string | string[]; methods: Record<string, boolean> };
    handle?: { stack?: Layer[] };
  };
  return (router.stack as unknown as Layer[]).flatMap((layer) => {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      return paths.flatMap((path) =>
        Object.keys(layer.route!.methods)
          .filter((method) => method !== '_all')
          .map((method) => ({ method: method.toUpperCase(), path: `${prefix}${path}` })),
      );
    }
    // Routers here are mounted without a path (app.use(router)), so their routes carry full paths.
    return layer.handle?.stack ? routesOf(layer.handle as unknown as Router, prefix) : [];
  });
}
