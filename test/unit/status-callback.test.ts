import { OutboundWebhookStatus } from '../../generated/prisma/enums';
import { STATUS_CALLBACK_DELIVERY_STATUSES, statusCallbackPayload } from '../../domain/status-callback';
import { statusCallbackWorkflowId } from '../../domain/status-callback';

const onboardingId = '6f1c2f4e-8d7b-4c1e-9a55-0b8f3d2e1a90';

describe('status callbacks', () => {
  it('have the same delivery states in the code and in the database enum', () => {
    expect([...STATUS_CALLBACK_DELIVERY_STATUSES]).toEqual(Object.values(OutboundWebhookStatus));
  });

  it('wrap the event in the Standard Webhooks envelope, with the event time as timestamp', () => {
    const payload = statusCallbackPayload(
      {
        onboardingId,
        event: 'onboarding.expired',
        status: 'EXPIRED',
        occurredAt: '2026-03-02T10:00:00.000Z',
        detail: { invitationSequence: 2 },
      },
      'CHART-42',
    );
    expect(payload).toEqual({
      type: 'onboarding.expired',
      timestamp: '2026-03-02T10:00:00.000Z',
      data: { invitationSequence: 2, onboardingId, externalChartId: 'CHART-42', status: 'EXPIRED' },
    });
  });

  it('never let an event detail overwrite the ids or the status', () => {
    const payload = statusCallbackPayload(
      {
        onboardingId,
        event: 'onboarding.cancelled',
        status: 'CANCELLED',
        occurredAt: '2026-03-02T10:00:00.000Z',
        detail: { onboardingId: 'someone-else', status: 'COMPLETE', externalChartId: 'CHART-1' },
      },
      'CHART-42',
    );
    expect(payload.data).toEqual({ onboardingId, externalChartId: 'CHART-42', status: 'CANCELLED' });
  });

  it('are numbered only when the event can happen more than once', () => {
    expect(statusCallbackWorkflowId(onboardingId, 'onboarding.registered')).toBe(
      `status-callback-${onboardingId}-onboarding.registered`,
    );
    expect(statusCallbackWorkflowId(onboardingId, 'onboarding.expired', 2)).toBe(
      `status-callback-${onboardingId}-onboarding.expired-2`,
    );
  });
});
