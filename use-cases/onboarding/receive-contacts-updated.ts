/**
 * A verified client.contacts_updated delivery (issue 15): the EHR's full list
 * of a client's contacts. New ones become portal users with their own
 * invitation, changed ones are updated, EHR-named ones no longer listed are
 * removed (staff's own contacts stay). The webhook-id is recorded in the same
 * transaction as the changes, so a redelivery (or two racing ones) changes
 * nothing twice.
 */
import type { Logger } from '../../observability/logger';
import { applyEhrContacts } from '../../activities/chart-contacts';
import type { TContactsAccepted, TContactsUpdatedWebhook } from '../../schemas/ehr-contacts';
import { endPortalUserInvitation, startPortalUserInvitation } from '../accounts/portal-user-invitations';
import { AppError } from '../app-error';
import type { VerifiedIntegration } from '../integrations/ehr-webhook-auth';
import type { StartOnboardingDeps } from './start-onboarding';

export async function receiveContactsUpdated(
  deps: StartOnboardingDeps & { logger?: Logger },
  integration: VerifiedIntegration,
  webhookId: string,
  event: TContactsUpdatedWebhook,
): Promise<TContactsAccepted & { clientId: string }> {
  if (!integration.active) throw new AppError('INTEGRATION_DISABLED');
  const { organizationId } = integration;
  const client = await deps.db.client.findUnique({
    where: { organizationId_externalChartId: { organizationId, externalChartId: event.data.externalChartId } },
    select: { id: true, onboarding: { select: { id: true, inviteRequested: true } } },
  });
  // A chart still being created has no client row yet: the EHR's retry finds it.
  if (!client?.onboarding) throw new AppError('UNKNOWN_CHART', 'contacts for a chart not created yet');
  const onboarding = client.onboarding;

  const result = await deps.db.$transaction(async (tx) => {
    // First: a second delivery of this id waits here for the first to commit, then finds it.
    const recorded = await tx.inboundWebhook.createMany({
      data: [{ integrationId: integration.id, webhookId, eventType: event.type, onboardingId: onboarding.id }],
      skipDuplicates: true,
    });
    if (recorded.count === 0) return null;
    return applyEhrContacts(
      tx,
      { organizationId, clientId: client.id, onboardingId: onboarding.id },
      event.data.contacts,
      {
        replace: true,
        eventKey: webhookId,
      },
    );
  });
  if (!result)
    return { onboardingId: onboarding.id, added: 0, updated: 0, removed: 0, duplicate: true, clientId: client.id };

  for (const accessId of result.removedAccessIds) await endPortalUserInvitation(deps, accessId);
  // Invited as chart.created's contacts are: when the practice asked for portal invitations for this client.
  if (onboarding.inviteRequested) {
    for (const accessId of result.addedAccessIds) {
      await startPortalUserInvitation(deps, { accessId, organizationId, requestedBy: null });
    }
  }
  return {
    onboardingId: onboarding.id,
    added: result.addedAccessIds.length,
    updated: result.updated,
    removed: result.removedAccessIds.length,
    duplicate: false,
    clientId: client.id,
  };
}
