import type { Client } from '@temporalio/client';
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
        ? Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${layer.route!.path}`)
        : walk(layer.handle?.stack ?? []),
    );
  return walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
}

const document = openApiDocument('http://localhost:3000') as {
  openapi: string;
  paths: Record<
    string,
    Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[] } }> } }>
  >;
};

describe('the OpenAPI document', () => {
  it('describes only routes the API really serves', () => {
    const app = createApp({
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
    expect(events.map((event) => event.properties?.type?.const)).toEqual(['chart.created', 'invoice.upserted']);
    for (const event of events) expect(event.required).toEqual(['type', 'data']);
  });
});
