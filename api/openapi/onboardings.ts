/** Staff operations on one onboarding (api/routes/onboardings.ts, and its forms in api/routes/forms.ts). */
import { ZOnboardingPaymentsResponse } from '../../schemas/onboarding-payments';
import {
  ZOnboardingDocumentParams,
  ZOnboardingFormsResponse,
  ZSendFormsRequest,
  ZSendFormsResponse,
  ZSignedFormResponse,
} from '../../schemas/forms';
import {
  ZChangePortalOwnerRequest,
  ZOnboardingParams,
  ZOnboardingResponse,
  ZStaffActionResponse,
} from '../../schemas/onboarding';
import { IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER, ZIdempotencyKey } from '../../schemas/idempotency-key';
import { error, json, NO_SUCH_ONBOARDING, operation, pdf, requestSchema, type Schema } from './operation';
import type { z } from 'zod';

const idempotencyKeyHeader = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header',
  required: false,
  description:
    'Optional. A retry with the same key and request gets the first successful answer again (Idempotent-Replayed: true) and does nothing twice; the same key with another request is a 422. Only successes are kept: after a 409 or 503 the same key may be retried and the action still happens at most once. Keys are per organisation.',
  schema: requestSchema(ZIdempotencyKey),
};

const staffAction = (operationId: string, summary: string, body?: z.ZodType) => ({
  post: operation({
    operationId,
    summary,
    tags: ['staff'],
    auth: 'staff',
    scope: 'act',
    params: ZOnboardingParams,
    ...(body ? { body } : {}),
    headers: [idempotencyKeyHeader],
    invalid: `Invalid request: a malformed id in the path${body ? ', a body that is not valid JSON or fails validation' : ''}, or a malformed Idempotency-Key; fields says which`,
    responses: {
      200: {
        ...json(ZStaffActionResponse, 'Where the onboarding now stands'),
        headers: {
          [REPLAYED_HEADER]: {
            description: 'true when this is the stored answer to an earlier request with the same Idempotency-Key',
            schema: { type: 'string', enum: ['true'] },
          },
        },
      },
      403: error('Only admins and therapists with the invite permission (seed 003)'),
      404: error(NO_SUCH_ONBOARDING),
      409: error('Not possible in the current state; the message says why'),
      422: error(
        'IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was first used with another request (method, path or body)',
      ),
      503: error('Temporal is unavailable; retry (with the same Idempotency-Key, the action still happens once)'),
    },
  }),
});

const signedForm = (operationId: string, summary: string, ok: Schema) => ({
  get: operation({
    operationId,
    summary,
    tags: ['staff'],
    auth: 'staff',
    scope: 'read',
    params: ZOnboardingDocumentParams,
    responses: {
      200: ok,
      403: error('Ops engineers never read answers'),
      404: error(NO_SUCH_ONBOARDING),
    },
  }),
});

export function onboardingPaths(): Record<string, Schema> {
  return {
    '/v1/onboardings/{onboardingId}': {
      get: operation({
        operationId: 'getOnboarding',
        summary: 'Status, timeline and invitation of one onboarding (no PHI)',
        tags: ['staff'],
        auth: 'staff',
        scope: 'read',
        params: ZOnboardingParams,
        responses: {
          200: json(ZOnboardingResponse, 'The onboarding'),
          404: error(NO_SUCH_ONBOARDING),
          503: error('Temporal is unavailable; retry'),
        },
      }),
    },
    '/v1/onboardings/{onboardingId}/payments': {
      get: operation({
        operationId: 'listOnboardingPayments',
        summary:
          'The client’s account: invoices, portal payments and the invoices they paid, open payments (admins and the assigned clinician; audited)',
        description:
          'For reconciling with the EHR, which is also called back with payment.succeeded. Ops staff get 403: billing is the client’s PHI.',
        tags: ['staff'],
        auth: 'staff',
        scope: 'read',
        params: ZOnboardingParams,
        responses: {
          200: json(ZOnboardingPaymentsResponse, 'Newest first'),
          403: error('Ops staff'),
          404: error(NO_SUCH_ONBOARDING),
        },
      }),
    },
    '/v1/onboardings/{onboardingId}/invitation/resend': staffAction(
      'resendInvitation',
      'Resend Invite: a new link, a fresh 7 days',
    ),
    '/v1/onboardings/{onboardingId}/portal-access/revoke': staffAction(
      'revokePortalAccess',
      'Revoke Access: before registration the link dies; after it, sign-in stops and every session ends',
    ),
    '/v1/onboardings/{onboardingId}/portal-access/restore': staffAction(
      'restorePortalAccess',
      'Restore Access for a registered client whose access was revoked (409 otherwise)',
    ),
    '/v1/onboardings/{onboardingId}/portal-owner': staffAction(
      'changePortalOwner',
      'Change Ownership to a guardian (seed 004)',
      ZChangePortalOwnerRequest,
    ),
    '/v1/onboardings/{onboardingId}/cancel': staffAction('cancelOnboarding', 'Cancel the onboarding'),
    '/v1/onboardings/{onboardingId}/forms': {
      get: operation({
        operationId: 'listOnboardingForms',
        summary: 'Per-form status of the onboarding (no answers; audited as forms.list)',
        tags: ['staff'],
        auth: 'staff',
        scope: 'read',
        params: ZOnboardingParams,
        responses: {
          200: json(ZOnboardingFormsResponse, 'Every form request and its forms'),
          404: error(NO_SUCH_ONBOARDING),
        },
      }),
    },
    '/v1/onboardings/{onboardingId}/form-requests': {
      post: operation({
        operationId: 'sendForms',
        summary: 'Send New Forms to an existing portal user (seed 003): a package or single forms',
        description:
          'Exactly one of packageKey and formKeys. A form still waiting for the client is skipped, and so is one the client signed in the same version unless named in sendAgain; the answer lists what was sent and what was skipped, and why.',
        tags: ['staff'],
        auth: 'staff',
        scope: 'act',
        params: ZOnboardingParams,
        body: ZSendFormsRequest,
        invalid: 'A malformed id, an invalid body, unknown form keys, or sendAgain naming a form not being sent',
        responses: {
          200: json(ZSendFormsResponse, 'Nothing new: every form was skipped (request is null) and no email goes out'),
          201: json(ZSendFormsResponse, 'The new forms were assigned; the client is emailed'),
          403: error('Only admins and therapists with permission (seed 003)'),
          404: error(NO_SUCH_ONBOARDING),
          409: error('The client has no usable portal account, or the onboarding is closed'),
          422: error('Unknown form package'),
          503: error('Temporal is unavailable; retry'),
        },
      }),
    },
    '/v1/onboardings/{onboardingId}/documents/{assignmentId}': signedForm(
      'getSignedForm',
      'A signed form: answers, scores and the signature check (PHI: audited as form.read)',
      json(ZSignedFormResponse, 'The signed form'),
    ),
    '/v1/onboardings/{onboardingId}/documents/{assignmentId}/pdf': signedForm(
      'getSignedFormPdf',
      'The signed form as PDF (audited as form.download)',
      pdf('The PDF the client signed'),
    ),
  };
}
