import { Router } from 'express';
import { z } from 'zod';
import { ZChartCreatedWebhook, type TWebhookAccepted } from '../../schemas/chart-created-webhook';
import { recordAudit, type AuditOutcome } from '../../audit/audit-log';
import { originOf } from '../../http/audit-context';
import { rawBodyOf } from '../../http/raw-body';
import { receiveChartCreated } from '../../use-cases/onboarding/receive-chart-created';
import { receiveInvoice } from '../../use-cases/billing/receive-invoice';
import { receiveContactsUpdated } from '../../use-cases/onboarding/receive-contacts-updated';
import { ZContactsUpdatedWebhook } from '../../schemas/ehr-contacts';
import type { Logger } from '../../observability/logger';
import { ZInvoiceUpsertedWebhook } from '../../schemas/invoice-webhook';
import type { SecretBox } from '../../security/secret-box';
import type { StartOnboardingDeps } from '../../use-cases/onboarding/start-onboarding';
import { authenticateEhrWebhook } from '../../use-cases/integrations/ehr-webhook-auth';
import { validate } from '../../http/validate';

export const ZIntegrationParams = z.object({ integrationId: z.uuid('must be an integration id (UUID)') });

/**
 * Webhooks from EHR systems: one URL per integration, each delivery signed
 * with its secret (Standard Webhooks). Event types: chart.created (start an
 * onboarding), invoice.upserted (a balance for My Account) and
 * client.contacts_updated (the client's contacts as portal users, issue 15).
 */
export function ehrWebhookRoutes(deps: StartOnboardingDeps & { secretBox: SecretBox; logger?: Logger }): Router {
  const router = Router();

  router.post('/v1/webhooks/ehr/:integrationId', async (req, res) => {
    const { integrationId } = validate(ZIntegrationParams, req.params, ['params']);
    const headers = {
      id: req.get('webhook-id'),
      timestamp: req.get('webhook-timestamp'),
      signature: req.get('webhook-signature'),
    };
    const integration = await authenticateEhrWebhook(deps.db, deps.secretBox, integrationId, headers, rawBodyOf(req));
    if ((req.body as { type?: unknown } | undefined)?.type === 'invoice.upserted') {
      let outcome: AuditOutcome = 'refused';
      let accepted;
      try {
        accepted = await receiveInvoice(deps.db, integration, headers.id!, validate(ZInvoiceUpsertedWebhook, req.body));
        outcome = 'success';
      } finally {
        await recordAudit(deps.db, {
          organizationId: integration.organizationId,
          actor: { type: 'ehr_integration', id: integrationId },
          action: 'invoice.receive',
          clientId: accepted?.clientId ?? null,
          outcome,
          origin: originOf(req),
          detail: { webhookId: headers.id ?? null, duplicate: accepted?.duplicate ?? null },
        });
      }
      const { clientId: _clientId, ...body } = accepted;
      res.status(200).json(body);
      return;
    }
    if ((req.body as { type?: unknown } | undefined)?.type === 'client.contacts_updated') {
      let outcome: AuditOutcome = 'refused';
      let accepted;
      try {
        const event = validate(ZContactsUpdatedWebhook, req.body);
        accepted = await receiveContactsUpdated(deps, integration, headers.id!, event);
        outcome = 'success';
      } finally {
        // The contacts' names and emails are PHI handed to us: every delivery is on the trail.
        await recordAudit(deps.db, {
          organizationId: integration.organizationId,
          actor: { type: 'ehr_integration', id: integrationId },
          action: 'contacts.receive',
          onboardingId: accepted?.onboardingId ?? null,
          clientId: accepted?.clientId ?? null,
          outcome,
          origin: originOf(req),
          detail: { webhookId: headers.id ?? null, duplicate: accepted?.duplicate ?? null },
        });
      }
      const { clientId: _clientId, ...body } = accepted;
      res.status(200).json(body);
      return;
    }
    let onboardingId: string | null = null;
    let outcome: AuditOutcome = 'refused';
    let result;
    try {
      const event = validate(ZChartCreatedWebhook, req.body);
      result = await receiveChartCreated(deps, integration, headers.id!, event);
      onboardingId = result.onboardingId;
      outcome = 'success';
    } finally {
      // The EHR hands us a client's PHI: every delivery is on the trail, accepted or not.
      await recordAudit(deps.db, {
        organizationId: integration.organizationId,
        actor: { type: 'ehr_integration', id: integrationId },
        action: 'chart.receive',
        onboardingId,
        outcome,
        origin: originOf(req),
        detail: { webhookId: headers.id ?? null, duplicate: result?.duplicate ?? null },
      });
    }
    const body: TWebhookAccepted = {
      onboardingId: result.onboardingId,
      status: result.status,
      duplicate: result.duplicate,
      links: { self: `/v1/onboardings/${result.onboardingId}` },
    };
    // 202: the onboarding runs on; 200: this chart was already onboarding, nothing new started.
    res
      .status(result.duplicate ? 200 : 202)
      .location(body.links.self)
      .json(body);
  });

  return router;
}
