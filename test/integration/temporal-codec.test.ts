/**
 * The codec endpoint the Temporal Web UI and CLI call to read encrypted
 * workflow payloads: ops and admins only, audited, and it really decodes
 * what the server stores.
 */
import type { TWebhookAccepted } from '../../api/schemas/chart-created-webhook';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { eventually, startTestService, type TestService } from '../support/service';

let service: TestService;
let org: TestOrganization;
const UI = 'http://ui.example.test:8233';

beforeAll(async () => {
  service = await startTestService({ temporalUiUrl: UI });
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await service?.stop();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

it('decodes the stored workflow input for ops, and for nobody without the role', async () => {
  const event = chartCreatedWebhook();
  const { onboardingId } = (await (
    await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event)
  ).json()) as TWebhookAccepted;
  const { workflowId } = await eventually(() =>
    service.database.db.onboarding
      .findFirst({ where: { id: onboardingId, status: { not: 'PENDING' } }, select: { workflowId: true } })
      .then((row) => row ?? undefined),
  );
  const { history } = await service.env.client.workflowService.getWorkflowExecutionHistory({
    namespace: service.env.namespace ?? 'default',
    execution: { workflowId },
  });
  const started = history!.events![0]!.workflowExecutionStartedEventAttributes!;
  const payloads = started.input!.payloads!.map((payload) => ({
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
    data: Buffer.from(payload.data!).toString('base64'),
  }));
  expect(Buffer.from(payloads[0]!.data, 'base64').toString('latin1')).not.toContain(event.data.client.lastName);

  const decode = (headers: Record<string, string>) => service.post('/codec/decode', { payloads }, headers);
  expect((await decode({})).status).toBe(401);
  expect((await decode(bearer(org.keys.therapist))).status).toBe(403);
  const decoded = await decode({ ...bearer(org.keys.ops), 'x-namespace': 'default' });
  expect(decoded.status).toBe(200);
  const body = (await decoded.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
  const input = Buffer.from(body.payloads[0]!.data, 'base64').toString('utf8');
  expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
  expect(input).toContain(event.data.client.lastName);

  const audit = await service.database.db.auditEvent.findMany({
    where: { organizationId: org.organizationId, action: 'temporal.decode' },
  });
  expect(audit.map((entry) => entry.outcome)).toEqual(['success']);

  // Round trip: what it encodes, it decodes.
  const encoded = (await (
    await service.post('/codec/encode', { payloads: body.payloads }, bearer(org.keys.admin))
  ).json()) as { payloads: { data: string }[] };
  expect(Buffer.from(encoded.payloads[0]!.data, 'base64').toString('latin1')).not.toContain(event.data.client.lastName);
});

it('answers the Web UI’s preflight for its own origin only, and refuses what is not a payload', async () => {
  const preflight = (origin: string) =>
    fetch(`${service.api.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
  const ui = await preflight(UI);
  expect(ui.status).toBe(204);
  expect(ui.headers.get('access-control-allow-origin')).toBe(UI);
  expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();

  const garbage = await service.post(
    '/codec/decode',
    { payloads: [{ metadata: { encoding: 'YmluYXJ5L2VuY3J5cHRlZA==' }, data: 'AAAA' }] },
    bearer(org.keys.ops),
  );
  expect(garbage.status).toBe(400);
  expect((await service.post('/codec/decode', { nope: true }, bearer(org.keys.ops))).status).toBe(400);
});
