/**
 * Signed forms as staff and the client read them back: the record that was
 * signed, its verification, and the PDF copy. Reading answers is a PHI
 * access: callers audit it.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../db/client';
import { renderSignedFormPdf } from '../../documents/signed-form-pdf';
import type { FormAnswers, ScaleScore } from '../../domain/form-answers';
import { ZFormDefinition, type TFormDefinition } from '../../domain/form-definition';
import { definitionSha256, signedContentSha256, type SignedContent } from '../../domain/signature-record';

const submissionSelect = {
  id: true,
  assignmentId: true,
  onboardingId: true,
  formDefinitionId: true,
  portalAccountId: true,
  answers: true,
  scores: true,
  signerName: true,
  attestation: true,
  signedAt: true,
  ip: true,
  userAgent: true,
  definitionSha256: true,
  contentSha256: true,
} as const satisfies Prisma.FormSubmissionSelect;

type SubmissionRow = Prisma.FormSubmissionGetPayload<{ select: typeof submissionSelect }>;
interface DefinitionRow {
  id: string;
  key: string;
  version: number;
  title: string;
  definition: unknown;
}

/** Exactly what was hashed at signing, rebuilt from the stored rows. */
export function signedContentOf(submission: SubmissionRow, definition: DefinitionRow): SignedContent {
  return {
    assignmentId: submission.assignmentId,
    formDefinitionId: definition.id,
    formKey: definition.key,
    formVersion: definition.version,
    definitionSha256: submission.definitionSha256,
    answers: submission.answers as FormAnswers,
    signerName: submission.signerName,
    portalAccountId: submission.portalAccountId,
    signedAt: submission.signedAt.toISOString(),
    ip: submission.ip,
    userAgent: submission.userAgent,
    attestation: submission.attestation,
  };
}

export interface SignatureVerification {
  /** True only when every check below passes. */
  valid: boolean;
  /** The stored answers, name, time and origin still hash to the stored SHA-256. */
  contentIntact: boolean;
  /** The form version's questions and texts are still those that were signed. */
  formVersionIntact: boolean;
  /** The SHA-256 written to the append-only timeline at signing matches. */
  matchesTimeline: boolean;
}

/** Re-computes a signed form's hashes from the database and compares them with what was recorded at signing. */
export async function verifySignature(
  db: Db | Prisma.TransactionClient,
  submission: SubmissionRow,
  definition: DefinitionRow,
): Promise<SignatureVerification> {
  const contentIntact = signedContentSha256(signedContentOf(submission, definition)) === submission.contentSha256;
  const formVersionIntact = definitionSha256(definition.definition) === submission.definitionSha256;
  const event = await db.onboardingEvent.findUnique({
    where: {
      onboardingId_key: { onboardingId: submission.onboardingId, key: `form-signed:${submission.assignmentId}` },
    },
    select: { detail: true },
  });
  const recorded = (event?.detail as { contentSha256?: unknown } | undefined)?.contentSha256;
  const matchesTimeline = recorded === submission.contentSha256;
  return {
    valid: contentIntact && formVersionIntact && matchesTimeline,
    contentIntact,
    formVersionIntact,
    matchesTimeline,
  };
}

export interface SignedForm {
  assignmentId: string;
  onboardingId: string;
  clientId: string | null;
  form: { id: string; key: string; version: number; title: string; definition: TFormDefinition };
  answers: FormAnswers;
  scores: ScaleScore[];
  signature: {
    signerName: string;
    signedAt: string;
    ip: string | null;
    userAgent: string | null;
    attestation: string;
    contentSha256: string;
  };
  verification: SignatureVerification;
  practice: { name: string; timeZone: string };
}

/** A signed form of the organisation, or null when there is none (or it belongs to another organisation). */
export async function loadSignedForm(
  db: Db,
  where: { organizationId: string; assignmentId: string; onboardingId?: string; portalAccountId?: string },
): Promise<SignedForm | null> {
  const assignment = await db.formAssignment.findFirst({
    where: {
      id: where.assignmentId,
      organizationId: where.organizationId,
      ...(where.onboardingId ? { onboardingId: where.onboardingId } : {}),
      ...(where.portalAccountId ? { submission: { portalAccountId: where.portalAccountId } } : {}),
    },
    select: {
      onboardingId: true,
      request: {
        select: {
          onboarding: { select: { clientId: true } },
          organization: { select: { name: true, timeZone: true } },
        },
      },
      formDefinition: { select: { id: true, key: true, version: true, title: true, definition: true } },
      submission: { select: submissionSelect },
    },
  });
  if (!assignment?.submission) return null;
  const { submission, formDefinition } = assignment;
  return {
    assignmentId: where.assignmentId,
    onboardingId: assignment.onboardingId,
    clientId: assignment.request.onboarding.clientId,
    form: { ...formDefinition, definition: ZFormDefinition.parse(formDefinition.definition) },
    answers: submission.answers as FormAnswers,
    scores: submission.scores as unknown as ScaleScore[],
    signature: {
      signerName: submission.signerName,
      signedAt: submission.signedAt.toISOString(),
      ip: submission.ip,
      userAgent: submission.userAgent,
      attestation: submission.attestation,
      contentSha256: submission.contentSha256,
    },
    verification: await verifySignature(db, submission, formDefinition),
    practice: assignment.request.organization,
  };
}

/** The PDF copy of a signed form: the same document for the client and for staff. */
export function signedFormPdf(form: SignedForm): Promise<Uint8Array> {
  return renderSignedFormPdf({
    practiceName: form.practice.name,
    formTitle: form.form.title,
    formVersion: form.form.version,
    definition: form.form.definition,
    answers: form.answers,
    signature: {
      signerName: form.signature.signerName,
      signedAt: form.signature.signedAt,
      timeZone: form.practice.timeZone,
      ip: form.signature.ip,
      contentSha256: form.signature.contentSha256,
      attestation: form.signature.attestation,
    },
  });
}
