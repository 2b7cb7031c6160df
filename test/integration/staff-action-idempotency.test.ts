/**
 * Idempotency-Key on the staff actions (issue 21, http/idempotency.ts): a
 * caller that lost an answer retries with the same key and no second email
 * goes out, whether the first answer was stored or the API died before it
 * could store it; the same key with another request is a 422; a malformed
 * key is a 400 that does nothing.
 */
import { randomUUID } from 'node:crypto';
import type { TErrorResponse } from '../../schemas/error-response';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TStaffActionResponse } from '../../schemas/onboarding';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { emailsSent } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';

let service: TestService;
let org: TestOrganization;

beforeAll(async () => {
  service = await startTestService();
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
});

afterAll(async () => {
  await service?.stop();
});

async function invitedOnboarding(): Promise<string> {
  const { onboardingId } = (await (
    await service.post(`/v1/webhooks/ehr/${org.integrationId}`, chartCreatedWebhook())
  ).json()) as TWebhookAccepted;
  await eventually(async () => ((await emailsSent(service.database.db, onboardingId)).length === 1 ? true : undefined));
  // The workflow records the invitation a moment after its email is out; until then actions are "in progress".
  await eventually(async () =>
    (await service.database.db.onboarding.findUniqueOrThrow({ where: { id: onboardingId } })).status === 'INVITED'
      ? true
      : undefined,
  );
  return onboardingId;
}

function act(onboardingId: string, action: string, key?: string, body: unknown = {}): Promise<Response> {
  return service.post(`/v1/onboardings/${onboardingId}/${action}`, body, {
    authorization: `Bearer ${org.keys.admin}`,
    ...(key === undefined ? {} : { 'idempotency-key': key }),
  });
}

/** Asks again while the workflow is still finishing the invitation step (409 "try again in a moment"). */
async function settled(request: () => Promise<Response>): Promise<Response> {
  for (let tries = 0; ; tries += 1) {
    const response = await request();
    if (response.status !== 409 || tries > 100) return response;
    const { error } = (await response.clone().json()) as TErrorResponse;
    if (!/try again in a moment/i.test(error.message)) return response;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const keyRows = (db = service.database.db) =>
  db.staffIdempotencyKey.count({ where: { organizationId: org.organizationId } });

describe('Idempotency-Key on staff actions', () => {
  it('a resend retried with the same key answers the first answer again and sends one email', async () => {
    const onboardingId = await invitedOnboarding();
    const key = randomUUID();

    const first = await settled(() => act(onboardingId, 'invitation/resend', key));
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstBody = (await first.json()) as TStaffActionResponse;
    expect(firstBody.invitation?.sequence).toBe(2);

    const again = await act(onboardingId, 'invitation/resend', key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(firstBody);
    expect(await emailsSent(service.database.db, onboardingId)).toEqual(['portal-invitation', 'invitation-resent']);

    // Without a key each request is a new action, as before.
    expect((await act(onboardingId, 'invitation/resend')).status).toBe(200);
    expect(await emailsSent(service.database.db, onboardingId)).toHaveLength(3);
  });

  it('acts once when the API died after the action and before storing its answer (the update id dedups)', async () => {
    const onboardingId = await invitedOnboarding();
    const key = randomUUID();
    expect((await settled(() => act(onboardingId, 'invitation/resend', key))).status).toBe(200);
    // What a SIGKILL between the workflow update and the stored answer leaves: the key, no answer.
    await service.database.db.staffIdempotencyKey.updateMany({
      where: { organizationId: org.organizationId, responseStatus: { not: null } },
      data: { responseStatus: null, responseBody: undefined },
    });

    const retried = await act(onboardingId, 'invitation/resend', key);
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as TStaffActionResponse).invitation?.sequence).toBe(2);
    expect(await emailsSent(service.database.db, onboardingId)).toEqual(['portal-invitation', 'invitation-resent']);
  });

  it('two concurrent requests with one key send one email', async () => {
    const onboardingId = await invitedOnboarding();
    const key = randomUUID();
    const answers = await Promise.all([
      settled(() => act(onboardingId, 'invitation/resend', key)),
      settled(() => act(onboardingId, 'invitation/resend', key)),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const bodies = (await Promise.all(answers.map((answer) => answer.json()))) as TStaffActionResponse[];
    expect(bodies.map((body) => body.invitation?.sequence)).toEqual([2, 2]);
    expect(await emailsSent(service.database.db, onboardingId)).toEqual(['portal-invitation', 'invitation-resent']);
  });

  it('the same key with another request is a 422 that does nothing', async () => {
    const onboardingId = await invitedOnboarding();
    const key = randomUUID();
    expect((await settled(() => act(onboardingId, 'invitation/resend', key))).status).toBe(200);

    const cancel = await act(onboardingId, 'cancel', key);
    expect(cancel.status).toBe(422);
    expect(((await cancel.json()) as TErrorResponse).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const otherBody = await act(onboardingId, 'invitation/resend', key, { note: 'another body' });
    expect(otherBody.status).toBe(422);
    const row = await service.database.db.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
    expect(row.status).toBe('INVITED');
    expect(await emailsSent(service.database.db, onboardingId)).toHaveLength(2);
  });

  it.each([
    ['with a space', 'a key'],
    ['of 256 characters', 'x'.repeat(256)],
    ['empty', ''],
  ])('a key %s is a 400 that does nothing', async (_what, key) => {
    const onboardingId = await invitedOnboarding();
    const before = await keyRows();
    const answer = await act(onboardingId, 'cancel', key);
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as TErrorResponse).error.fields?.[0]?.path).toBe('headers.Idempotency-Key');
    expect(await keyRows()).toBe(before);
    const row = await service.database.db.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
    expect(row.status).toBe('INVITED');
  });

  it('a refusal keeps nothing under the key: after it, the same key may act', async () => {
    const onboardingId = await invitedOnboarding();
    const key = randomUUID();
    expect((await settled(() => act(onboardingId, 'portal-access/revoke', randomUUID()))).status).toBe(200);
    const before = await keyRows();
    const refused = await act(onboardingId, 'portal-access/revoke', key);
    expect(refused.status).toBe(409);
    expect(await keyRows()).toBe(before);
    expect((await act(onboardingId, 'invitation/resend', key)).status).toBe(200);
  });
});
