import type { Client } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createApp } from '../../app/http-app';
import { openApiDocument } from '../../api/openapi';
import type { Db } from '../../db/client';
import { createLogger } from '../../observability/logger';
import { createStripeProvider } from '../../payments/stripe-provider';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every "METHOD /path" the Express app serves, nested routers included. */
function servedRoutes(app: Express): string[] {
  const walk = (stack: Layer[]): string[] =>
    stack.flatMap((layer) =>
      layer.route
        ? // A route may answer at several paths (the codec at /codec and /staff/codec).
          [layer.route.path]
            .flat()
            .flatMap((path) => Object.keys(layer.route!.methods).map((method) => `${method.toUpperCase()} ${path}`))
        : walk(layer.handle?.stack ?? []),
    );
  return walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
}

interface DocumentedOperation {
  operationId?: string;
  security?: unknown[];
  parameters?: { name: string; in: string; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: { required?: string[] } }> };
  responses: Record<string, unknown>;
}
type Document = { openapi: string; paths: Record<string, Record<string, DocumentedOperation>> };

/** Every optional part on, as the app below has. */
const document = openApiDocument('http://localhost:3000', { paymentsProvider: 'stripe', codec: true }) as Document;
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ label: `${method.toUpperCase()} ${path}`, operation })),
);

function appWithEverything(): Express {
  return createApp({
    db: {} as Db,
    temporal: {} as Client,
    taskQueue: 'test',
    logger: createLogger({ level: 'silent' }),
    tokenSigningKey: Buffer.alloc(32),
    publicBaseUrl: 'http://localhost:3000',
    // Every optional part on, so every route it can serve is walked.
    payloadKeys: [{ id: 'test', key: Buffer.alloc(32) }],
    outboxDir: '/nonexistent',
    payments: createStripeProvider({ secretKey: 'sk_test_openapi', webhookSecret: 'whsec_openapi' }),
  });
}

describe('the OpenAPI document', () => {
  it('describes only routes the API really serves', () => {
    const app = appWithEverything();
    const served = servedRoutes(app);
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(documented.length).toBeGreaterThan(8);
    for (const route of documented) expect(served).toContain(route);
    // And every JSON API route is documented.
    for (const route of served.filter((r) => r.includes(' /v1/'))) expect(documented).toContain(route);
  });

  it('takes its request shapes from the zod schemas', () => {
    expect(document.openapi).toBe('3.1.0');
    const webhook = document.paths['/v1/webhooks/ehr/{integrationId}']!.post!.requestBody!.content['application/json']!;
    const events = (webhook.schema as { oneOf?: { required?: string[]; properties?: { type?: { const?: string } } }[] })
      .oneOf!;
    expect(events.map((event) => event.properties?.type?.const)).toEqual([
      'chart.created',
      'invoice.upserted',
      'client.contacts_updated',
    ]);
    for (const event of events) expect(event.required).toEqual(['type', 'data']);
  });

  it('names every operation, uniquely', () => {
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares security on every operation: none ([]) for webhooks, health and metrics, a staff key elsewhere', () => {
    const open = operations.filter(({ operation }) => operation.security?.length === 0).map(({ label }) => label);
    expect(open.sort()).toEqual(
      [
        'GET /healthz',
        'GET /metrics',
        'GET /readyz',
        'POST /v1/webhooks/ehr/{integrationId}',
        'POST /v1/webhooks/payments/stripe',
      ].sort(),
    );
    for (const { operation } of operations) expect(operation.security).toBeDefined();
  });

  it('declares a 400 wherever a path parameter, query or body is validated, and 405 and 500 everywhere', () => {
    const undeclared = operations
      .filter(({ operation }) => (operation.parameters ?? []).some((p) => p.in !== 'header') || operation.requestBody)
      .filter(({ operation }) => !operation.responses['400'])
      .map(({ label }) => label);
    expect(undeclared).toEqual([]);
    for (const { operation } of operations) {
      expect(operation.responses['405']).toEqual({ $ref: '#/components/responses/MethodNotAllowed' });
      expect(operation.responses['500']).toEqual({ $ref: '#/components/responses/InternalError' });
    }
  });

  it('is as strict as the validators where they once disagreed', () => {
    const body = (path: string, method: string) =>
      document.paths[path]![method]!.requestBody!.content['application/json']!.schema as Record<string, unknown>;
    expect(body('/codec/decode', 'post').required).toEqual(['payloads']);
    const version = document.paths['/v1/forms/{key}/versions/{version}']!.get!.parameters!.find(
      (parameter) => parameter.name === 'version',
    )!;
    expect(version.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100_000 });
    const settings = body('/v1/practice/settings', 'patch') as { properties: { timeZone: unknown } };
    expect(settings.properties.timeZone).toMatchObject({ minLength: 1 });
    expect(body('/v1/onboardings/{onboardingId}/form-requests', 'post').oneOf).toEqual([
      { required: ['packageKey'] },
      { required: ['formKeys'] },
    ]);
    expect(body('/v1/ops/bulk', 'post')).toMatchObject({
      if: { properties: { action: { const: 'terminate' } } },
      then: { required: ['reason'] },
    });
  });

  it('lists Stripe’s webhook only with Stripe, and the codec only with payload keys', () => {
    const bare = openApiDocument('http://localhost:3000') as Document;
    expect(Object.keys(bare.paths)).not.toContain('/v1/webhooks/payments/stripe');
    expect(Object.keys(bare.paths)).not.toContain('/codec/decode');
    const local = openApiDocument('http://localhost:3000', { paymentsProvider: 'local' }) as Document;
    expect(Object.keys(local.paths)).not.toContain('/v1/webhooks/payments/stripe');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/webhooks/payments/stripe', '/codec/decode', '/codec/encode']),
    );
  });

  it('answers a method a documented path lacks with 405, an Allow header and the API’s error body', async () => {
    const server = appWithEverything().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const [method, path, allow] of [
        ['DELETE', '/healthz', 'GET, HEAD'],
        ['POST', '/metrics', 'GET, HEAD'],
        ['GET', '/v1/webhooks/ehr/4a0f6a4e-62a4-4c1c-9d1f-1c1b1d1e1f10', 'POST'],
        ['DELETE', '/v1/webhooks/payments/stripe', 'POST'],
      ] as const) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
        expect({ method, path, status: response.status, allow: response.headers.get('allow') }).toEqual({
          method,
          path,
          status: 405,
          allow,
        });
        const body = (await response.json()) as { error: { code: string; requestId: string } };
        expect(body.error.code).toBe('METHOD_NOT_ALLOWED');
      }
      // A path nobody documents is still a 404.
      expect((await fetch(`http://127.0.0.1:${port}/v1/nothing-here`, { method: 'DELETE' })).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
