import { z } from 'zod';
import { isStorableText, UNSTORABLE_TEXT, ZFormDefinition } from '../domain/form-definition';

const ZKey = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes, e.g. "phq-9"');

export const ZFormKeyParams = z.object({ key: ZKey });
export const ZFormVersionParams = z.object({ key: ZKey, version: z.coerce.number().int().min(1).max(100_000) });
export const ZPackageKeyParams = z.object({ key: ZKey });
export const ZOnboardingDocumentParams = z.object({
  onboardingId: z.uuid('must be an onboarding id (UUID)'),
  assignmentId: z.uuid('must be a form assignment id (UUID)'),
});

/** A new form, or a new version of an existing one (versions are never edited). */
export const ZPublishFormRequest = z.object({
  key: ZKey,
  title: z.string().trim().min(1).max(200).refine(isStorableText, UNSTORABLE_TEXT),
  definition: ZFormDefinition,
});
export type TPublishFormRequest = z.infer<typeof ZPublishFormRequest>;

export const ZFormResponse = z.object({
  id: z.uuid(),
  key: z.string(),
  version: z.number().int(),
  title: z.string(),
  definition: ZFormDefinition,
  createdAt: z.iso.datetime(),
});
export const ZFormSummary = ZFormResponse.omit({ definition: true });
export const ZFormListResponse = z.object({ forms: z.array(ZFormSummary) });

/** A package's forms by key; each resolves to the form's newest version when saved. */
export const ZPutFormPackageRequest = z.object({
  name: z.string().trim().min(1).max(200).refine(isStorableText, UNSTORABLE_TEXT),
  forms: z.array(ZKey).min(1).max(50),
  /** The practice's usual package, pre-selected on staff screens; at most one is. */
  isDefault: z.boolean().default(false),
});
export type TPutFormPackageRequest = z.infer<typeof ZPutFormPackageRequest>;

export const ZFormPackageResponse = z.object({
  id: z.uuid(),
  key: z.string(),
  name: z.string(),
  isDefault: z.boolean(),
  forms: z.array(
    z.object({ formDefinitionId: z.uuid(), key: z.string(), version: z.number().int(), title: z.string() }),
  ),
});
export const ZFormPackageListResponse = z.object({ packages: z.array(ZFormPackageResponse) });

/** "Send New Forms to Existing Portal Users" (seed 003): a configured package, or single forms by key. */
export const ZSendFormsRequest = z
  .object({
    packageKey: ZKey.optional(),
    formKeys: z.array(ZKey).min(1).max(50).optional(),
    /**
     * Forms (among those sent) to send even though the client already signed
     * them in this version, to have them signed again. Without it a signed
     * form is skipped, and a form still waiting for the client always is.
     */
    sendAgain: z.array(ZKey).min(1).max(50).optional(),
  })
  .refine((body) => (body.packageKey === undefined) !== (body.formKeys === undefined), {
    message: 'give either packageKey or formKeys',
    path: ['packageKey'],
  })
  // The refinement above, as JSON Schema says it, for the OpenAPI document.
  .meta({ oneOf: [{ required: ['packageKey'] }, { required: ['formKeys'] }] });
export type TSendFormsRequest = z.infer<typeof ZSendFormsRequest>;

const ZAssignmentStatus = z.enum(['PENDING', 'IN_PROGRESS', 'SUBMITTED', 'CANCELLED']);

const ZFormRequestSummary = z.object({
  requestId: z.uuid(),
  workflowId: z.string(),
  status: z.enum(['OPEN', 'COMPLETED', 'CANCELLED']),
  packageKey: z.string().nullable(),
  requestedBy: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  completedAt: z.iso.datetime().nullable(),
  forms: z.array(
    z.object({
      assignmentId: z.uuid(),
      formKey: z.string(),
      version: z.number().int(),
      title: z.string(),
      status: ZAssignmentStatus,
      draftSavedAt: z.iso.datetime().nullable(),
      submittedAt: z.iso.datetime().nullable(),
    }),
  ),
});
const ZSentForm = z.object({ formKey: z.string(), version: z.number().int(), title: z.string() });

/**
 * What a sending did: the forms assigned now, and those left out because the
 * client already has them, with why. With nothing new, no request is made and
 * no email goes out.
 */
export const ZSendFormsResponse = z.object({
  /** The new request and its forms; null when every form was skipped. */
  request: ZFormRequestSummary.nullable(),
  sent: z.array(ZSentForm),
  skipped: z.array(
    ZSentForm.extend({
      reason: z.enum(['ALREADY_WAITING', 'ALREADY_SIGNED']),
      /** The assignment that is waiting, or the signed one. */
      assignmentId: z.uuid(),
      /** When the waiting form was sent, or when the signed one was signed. */
      since: z.iso.datetime(),
    }),
  ),
  /** Whether the "forms are waiting" email will go out (only when something new was sent). */
  emailed: z.boolean(),
  /**
   * False while the client has not registered: the forms wait in the portal, and
   * the email asks them to register with their invitation first.
   */
  clientRegistered: z.boolean(),
});
export type TSendFormsResponse = z.infer<typeof ZSendFormsResponse>;

/** Per-form status of an onboarding, at any moment. Ids, titles and times only: no answers. */
export const ZOnboardingFormsResponse = z.object({
  onboardingId: z.uuid(),
  total: z.number().int(),
  submitted: z.number().int(),
  outstanding: z.number().int(),
  requests: z.array(ZFormRequestSummary),
});
export type TOnboardingFormsResponse = z.infer<typeof ZOnboardingFormsResponse>;

/** A signed form with its answers (PHI: every read is audited), scores and signature check. */
export const ZSignedFormResponse = z.object({
  assignmentId: z.uuid(),
  onboardingId: z.uuid(),
  form: z.object({ id: z.uuid(), key: z.string(), version: z.number().int(), title: z.string() }),
  answers: z.record(z.string(), z.unknown()),
  scores: z.array(
    z.object({
      questionId: z.string(),
      label: z.string(),
      score: z.number(),
      maxScore: z.number(),
      band: z.string().nullable(),
    }),
  ),
  signature: z.object({
    signerName: z.string(),
    signedAt: z.iso.datetime(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    attestation: z.string(),
    contentSha256: z.string(),
  }),
  verification: z.object({
    valid: z.boolean(),
    contentIntact: z.boolean(),
    formVersionIntact: z.boolean(),
    matchesTimeline: z.boolean(),
  }),
});
