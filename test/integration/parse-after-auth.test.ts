/**
 * Authenticate before parsing (issue 14, item 9): the routes that take large
 * bodies (the codec's 8 MB, a form definition's 512 kB, an intake form's
 * 256 kB) read them only once the caller is known. A stranger is answered
 * before their body has even been sent, and a known caller's over-limit body
 * is a 413. The API runs without Temporal: no route here starts a workflow.
 */
import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { startApiServer, type RunningApi } from '../../app/http-server';
import { createLogger } from '../../observability/logger';
import { createTestOrganization, testSecretBox, type TestOrganization } from '../support/factories';
import { testPayloadKeys } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let database: TestDatabase;
let api: RunningApi;
let operators: TestOrganization;

beforeAll(async () => {
  database = await createTestDatabase();
  const slug = `operators-${randomUUID().slice(0, 8)}`;
  operators = await createTestOrganization(database.db, { slug });
  api = await startApiServer(
    {
      db: database.db,
      temporal: {} as Client,
      taskQueue: 'unused',
      logger: createLogger({ level: 'silent' }),
      tokenSigningKey: Buffer.alloc(32, 7),
      publicBaseUrl: 'http://127.0.0.1',
      payloadKeys: testPayloadKeys(),
      codecOperatorOrganizations: [slug],
      secretBox: testSecretBox,
    },
    { host: '127.0.0.1', port: 0 },
  );
});

afterAll(async () => {
  await api?.close();
  await database?.drop();
});

/**
 * Declares a body of `declaredBytes`, sends only its first kilobyte, and
 * waits for the answer: a route that parses before it authenticates waits
 * for the rest and never answers (null after 3 s).
 */
function answerToUnfinishedBody(
  path: string,
  declaredBytes: number,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, api.url);
    const req = request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': contentType, 'content-length': String(declaredBytes) },
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(null);
    }, 3000);
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      req.destroy();
      resolve(res.statusCode ?? null);
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.write(contentType === 'application/json' ? `{"payloads":[${' '.repeat(1023)}` : `a=${'b'.repeat(1022)}`);
  });
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const MB = 1024 * 1024;

it('answers a stranger’s 8 MB codec call with 401 before the body is sent', async () => {
  expect(await answerToUnfinishedBody('/codec/decode', 8 * MB)).toBe(401);
  expect(await answerToUnfinishedBody('/codec/decode', 8 * MB, bearer('x'.repeat(40)))).toBe(401);
  expect(await answerToUnfinishedBody('/staff/codec/decode', 8 * MB)).toBe(401);
});

it('never parses a stranger’s body: malformed JSON is a 401, not a 400', async () => {
  const malformed = `{"payloads": ${'['.repeat(1000)}`;
  for (const path of ['/codec/decode', '/staff/codec/encode', '/v1/forms']) {
    const response = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: malformed,
    });
    expect({ path, status: response.status }).toEqual({ path, status: 401 });
  }
});

it('answers a stranger’s 512 kB form definition with 401 before the body is sent', async () => {
  expect(await answerToUnfinishedBody('/v1/forms', 500 * 1024)).toBe(401);
});

it('sends a signed-out client’s 256 kB intake form to sign in before the body is sent', async () => {
  const path = `/portal/${operators.slug}/documents/${randomUUID()}`;
  expect(await answerToUnfinishedBody(path, 250 * 1024, {}, 'application/x-www-form-urlencoded')).toBe(303);
});

it('refuses a known caller’s over-limit body with 413', async () => {
  const tooLarge = JSON.stringify({ payloads: [{ metadata: {}, data: 'A'.repeat(8 * MB + 4) }] });
  const codec = await fetch(`${api.url}/codec/decode`, {
    method: 'POST',
    headers: { ...bearer(operators.keys.ops), 'content-type': 'application/json' },
    body: tooLarge,
  });
  expect(codec.status).toBe(413);

  const form = await fetch(`${api.url}/v1/forms`, {
    method: 'POST',
    headers: { ...bearer(operators.keys.admin), 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'x'.repeat(520 * 1024) }),
  });
  expect(form.status).toBe(413);
});

it('still decodes an operator’s call that fits', async () => {
  const response = await fetch(`${api.url}/codec/decode`, {
    method: 'POST',
    headers: { ...bearer(operators.keys.ops), 'content-type': 'application/json' },
    body: JSON.stringify({ payloads: [] }),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ payloads: [] });
});
