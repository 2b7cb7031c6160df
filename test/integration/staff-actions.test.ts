/**
 * Staff actions over HTTP (seed 001: Resend Invite, Revoke Access, Change
 * Ownership; and Cancel): who may do them (seed 003), another organisation
 * never can, and a wrong action is refused with the workflow's reason.
 */
import type { TErrorResponse } from '../../schemas/error-response';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TStaffActionResponse } from '../../schemas/onboarding';
import { chartCreatedWebhook, createTestOrganization, type TestOrganization } from '../support/factories';
import { eventually, startTestService, type TestService } from '../support/service';
import { emailsSent } from '../support/invitations';

let service: TestService;
let org: TestOrganization;
let other: TestOrganization;

beforeAll(async () => {
  service = await startTestService();
  await service.startWorker();
  [org, other] = await Promise.all([
    createTestOrganization(service.database.db),
    createTestOrganization(service.database.db),
  ]);
});

afterAll(async () => {
  await service?.stop();
});

async function invitedOnboarding(): Promise<string> {
  const event = chartCreatedWebhook();
  const { onboardingId } = (await (
    await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event)
  ).json()) as TWebhookAccepted;
  await eventually(async () => ((await emailsSent(service.database.db, onboardingId)).length === 1 ? true : undefined));
  return onboardingId;
}

/**
 * A staff action over HTTP. The invitation email is marked sent a moment before the workflow finishes that
 * step; until then an action is refused as "in progress" (409), so it asks again, as staff would.
 */
async function act(onboardingId: string, action: string, key: string | null, body: unknown = {}): Promise<Response> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await service.post(
      `/v1/onboardings/${onboardingId}/${action}`,
      body,
      key ? { authorization: `Bearer ${key}` } : {},
    );
    if (response.status !== 409 || Date.now() > deadline) return response;
    const { error } = (await response.clone().json()) as TErrorResponse;
    if (!/try again in a moment/i.test(error.message)) return response;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('staff actions', () => {
  it('resend: admins and permitted therapists (for their own clients) may, other therapists may not (seed 003)', async () => {
    const onboardingId = await invitedOnboarding();

    const forbidden = await act(onboardingId, 'invitation/resend', org.keys.therapist);
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as TErrorResponse).error.code).toBe('FORBIDDEN');

    const byAdmin = await act(onboardingId, 'invitation/resend', org.keys.admin);
    expect(byAdmin.status).toBe(200);
    expect(((await byAdmin.json()) as TStaffActionResponse).invitation).toMatchObject({
      sequence: 2,
      state: 'PENDING',
    });

    // A permitted therapist acts on their own clients only: another clinician's (or no one's) is a 404.
    const notTheirs = await act(onboardingId, 'invitation/resend', org.keys.permittedTherapist);
    expect(notTheirs.status).toBe(404);
    await service.database.db.onboarding.update({
      where: { id: onboardingId },
      data: { assignedStaffId: org.permittedTherapistId },
    });
    const byTherapist = await act(onboardingId, 'invitation/resend', org.keys.permittedTherapist);
    expect(byTherapist.status).toBe(200);
    expect(((await byTherapist.json()) as TStaffActionResponse).invitation?.sequence).toBe(3);
    expect(await emailsSent(service.database.db, onboardingId)).toEqual([
      'portal-invitation',
      'invitation-resent',
      'invitation-resent',
    ]);
  });

  it.each(['invitation/resend', 'portal-access/revoke', 'cancel'])(
    '%s: needs an API key, and another organisation gets 404 and changes nothing',
    async (action) => {
      const onboardingId = await invitedOnboarding();
      expect((await act(onboardingId, action, null)).status).toBe(401);
      expect((await act(onboardingId, action, other.keys.admin)).status).toBe(404);
      expect(await emailsSent(service.database.db, onboardingId)).toEqual(['portal-invitation']);
      const row = await service.database.db.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
      expect(row.status).toBe('INVITED');
    },
  );

  it('revoke, then revoke again: refused with the reason', async () => {
    const onboardingId = await invitedOnboarding();
    const first = await act(onboardingId, 'portal-access/revoke', org.keys.admin);
    expect(((await first.json()) as TStaffActionResponse).status).toBe('REVOKED');

    const again = await act(onboardingId, 'portal-access/revoke', org.keys.admin);
    expect(again.status).toBe(409);
    expect(((await again.json()) as TErrorResponse).error).toMatchObject({
      code: 'CONFLICT',
      message: 'Portal access is already revoked.',
    });
  });

  it('change ownership: validates the body, refuses an email in use, hands over to a guardian', async () => {
    const onboardingId = await invitedOnboarding();
    const taken = await invitedOnboarding();
    const takenEmail = (
      await service.database.db.portalAccount.findFirstOrThrow({
        where: { client: { onboarding: { id: taken } } },
      })
    ).email;

    const invalid = await act(onboardingId, 'portal-owner', org.keys.admin, { name: '', email: 'nope' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as TErrorResponse).error.fields?.map((field) => field.path)).toEqual([
      'name',
      'email',
    ]);

    const inUse = await act(onboardingId, 'portal-owner', org.keys.admin, { name: 'Pat', email: takenEmail });
    expect(inUse.status).toBe(409);
    expect(((await inUse.json()) as TErrorResponse).error.code).toBe('EMAIL_IN_USE');

    const handedOver = await act(onboardingId, 'portal-owner', org.keys.admin, {
      name: 'Pat Guardian',
      email: `Guardian-${onboardingId.slice(0, 8)}@Example.test`,
    });
    expect(handedOver.status).toBe(200);
    const account = await service.database.db.portalAccount.findFirstOrThrow({
      where: { client: { onboarding: { id: onboardingId } } },
    });
    expect(account).toMatchObject({
      ownerKind: 'GUARDIAN',
      email: `guardian-${onboardingId.slice(0, 8)}@example.test`,
    });
  });

  it('cancel ends the flow; later actions are refused', async () => {
    const onboardingId = await invitedOnboarding();
    const cancelled = await act(onboardingId, 'cancel', org.keys.admin);
    expect(((await cancelled.json()) as TStaffActionResponse).status).toBe('CANCELLED');
    const after = await act(onboardingId, 'invitation/resend', org.keys.admin);
    expect(after.status).toBe(409);
  });
});
