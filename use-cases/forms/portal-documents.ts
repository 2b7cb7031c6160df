/**
 * My Documents (seed 002) for a signed-in portal user: the forms waiting for
 * them, drafts they can come back to, and signing. Every read and write of
 * answers is audited; nothing here shows clinical information (no scores).
 */
import type { Client } from '@temporalio/client';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../db/client';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import { applyOnboardingProgress } from '../../activities/onboarding-progress';
import {
  checkAnswers,
  checkSubmission,
  scoreAnswers,
  type AnswerError,
  type FormAnswers,
} from '../../domain/form-answers';
import { isStorableText, ZFormDefinition, type TFormDefinition } from '../../domain/form-definition';
import {
  definitionSha256,
  SIGNATURE_ATTESTATION,
  signedContentSha256,
  type SignedContent,
} from '../../domain/signature-record';
import type { Logger } from '../../observability/logger';
import { formSignedSignal } from '../../workflows/form-request';
import type { PortalUser } from '../accounts/portal-sessions';
import { flagCrisisAnswers } from './crisis-alert';

export interface PortalDocumentSummary {
  assignmentId: string;
  title: string;
  status: 'PENDING' | 'IN_PROGRESS' | 'SUBMITTED';
  assignedAt: Date;
  submittedAt: Date | null;
}

/** Forms of the signed-in user's client, waiting ones first in the order the practice sent them. */
export async function listPortalDocuments(db: Db, user: PortalUser): Promise<PortalDocumentSummary[]> {
  const assignments = await db.formAssignment.findMany({
    where: {
      organizationId: user.organizationId,
      status: { not: 'CANCELLED' },
      request: { onboarding: { client: { portalAccount: { id: user.portalAccountId } } } },
    },
    orderBy: [{ createdAt: 'asc' }, { position: 'asc' }],
    select: { id: true, status: true, createdAt: true, submittedAt: true, formDefinition: { select: { title: true } } },
  });
  const summaries = assignments.map((assignment) => ({
    assignmentId: assignment.id,
    title: assignment.formDefinition.title,
    status: assignment.status as PortalDocumentSummary['status'],
    assignedAt: assignment.createdAt,
    submittedAt: assignment.submittedAt,
  }));
  return [
    ...summaries.filter((summary) => summary.status !== 'SUBMITTED'),
    ...summaries.filter((summary) => summary.status === 'SUBMITTED'),
  ];
}

export interface PortalDocument {
  assignmentId: string;
  onboardingId: string;
  clientId: string | null;
  status: 'PENDING' | 'IN_PROGRESS' | 'SUBMITTED';
  title: string;
  version: number;
  definition: TFormDefinition;
  /** The draft, or the submitted answers once signed. */
  answers: FormAnswers;
  submittedAt: Date | null;
  /** The name typed as the signature, once signed. */
  signedBy: string | null;
}

/** One form of the signed-in user's client, or null (not theirs, cancelled, or unknown: all look the same). */
export async function loadPortalDocument(
  db: Db,
  user: PortalUser,
  assignmentId: string,
): Promise<PortalDocument | null> {
  const assignment = await db.formAssignment.findFirst({
    where: {
      id: assignmentId,
      organizationId: user.organizationId,
      status: { not: 'CANCELLED' },
      request: { onboarding: { client: { portalAccount: { id: user.portalAccountId } } } },
    },
    select: {
      id: true,
      onboardingId: true,
      status: true,
      draftAnswers: true,
      submittedAt: true,
      request: { select: { onboarding: { select: { clientId: true } } } },
      formDefinition: { select: { title: true, version: true, definition: true } },
      submission: { select: { answers: true, signerName: true } },
    },
  });
  if (!assignment) return null;
  return {
    assignmentId: assignment.id,
    onboardingId: assignment.onboardingId,
    clientId: assignment.request.onboarding.clientId,
    status: assignment.status as PortalDocument['status'],
    title: assignment.formDefinition.title,
    version: assignment.formDefinition.version,
    definition: ZFormDefinition.parse(assignment.formDefinition.definition),
    answers: ((assignment.submission?.answers ?? assignment.draftAnswers) as FormAnswers | null) ?? {},
    submittedAt: assignment.submittedAt,
    signedBy: assignment.submission?.signerName ?? null,
  };
}

type Origin = AuditEntry['origin'];

function audit(
  db: Db | Prisma.TransactionClient,
  user: PortalUser,
  document: PortalDocument,
  action: string,
  origin: Origin,
  outcome: AuditEntry['outcome'] = 'success',
) {
  return recordAudit(db, {
    organizationId: user.organizationId,
    actor: { type: 'portal_user', id: user.portalAccountId },
    action,
    clientId: document.clientId,
    onboardingId: document.onboardingId,
    outcome,
    origin,
    detail: { assignmentId: document.assignmentId },
  });
}

/** Records that the portal user opened a form (it shows their answers). */
export function auditDocumentView(db: Db, user: PortalUser, document: PortalDocument, action: string, origin: Origin) {
  return audit(db, user, document, action, origin);
}

export type DraftResult =
  { outcome: 'saved' } | { outcome: 'invalid'; errors: AnswerError[] } | { outcome: 'submitted' };

/** Saves what the client has typed so far; blanks are fine, wrong types are not. */
export async function saveDraft(
  db: Db,
  user: PortalUser,
  document: PortalDocument,
  input: unknown,
  origin: Origin,
): Promise<DraftResult> {
  const checked = checkAnswers(document.definition, input, 'draft');
  if (!checked.ok) return { outcome: 'invalid', errors: checked.errors };
  const saved = await db.formAssignment.updateMany({
    where: { id: document.assignmentId, status: { in: ['PENDING', 'IN_PROGRESS'] } },
    data: { status: 'IN_PROGRESS', draftAnswers: checked.answers, draftSavedAt: new Date() },
  });
  if (saved.count === 0) return { outcome: 'submitted' };
  await audit(db, user, document, 'form.draft_save', origin);
  return { outcome: 'saved' };
}

export interface SignatureInput {
  answers: unknown;
  /** The full name typed as the signature. */
  signerName: string;
  /** The client ticked "I agree that typing my name is my electronic signature". */
  agreed: boolean;
}

export type SubmitResult =
  | { outcome: 'submitted'; contentSha256: string }
  | { outcome: 'invalid'; errors: AnswerError[]; signatureProblem: string | null; answers: FormAnswers }
  | { outcome: 'already-submitted' };

export interface SubmitDeps {
  db: Db;
  temporal: Client;
  logger: Logger;
}

/**
 * Signs and submits a form. One transaction, with the assignment row locked,
 * stores the answers, their scores and the signature record with its SHA-256,
 * writes the hash to the append-only timeline and audits it; a double click
 * or a second tab finds the form already submitted. Then the form-request
 * workflow is told; if that signal is lost, its next look at the database
 * finds the signature anyway.
 */
export async function submitForm(
  deps: SubmitDeps,
  user: PortalUser,
  document: PortalDocument,
  input: SignatureInput,
  origin: Origin,
): Promise<SubmitResult> {
  const checked = checkSubmission(document.definition, input.answers);
  const signerName = input.signerName.trim().replace(/\s+/g, ' ');
  const signatureProblem =
    signerName.length < 2 || signerName.length > 200 || !isStorableText(signerName)
      ? 'Type your full name to sign.'
      : !input.agreed
        ? 'Tick the box to agree to sign electronically.'
        : null;
  if (!checked.ok || signatureProblem) {
    const draft = checkAnswers(document.definition, input.answers, 'draft');
    return {
      outcome: 'invalid',
      errors: checked.ok ? [] : checked.errors,
      signatureProblem,
      answers: draft.ok ? draft.answers : {},
    };
  }

  const signed = await deps.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM form_assignment WHERE id = ${document.assignmentId}::uuid FOR UPDATE`;
    const assignment = await tx.formAssignment.findUniqueOrThrow({
      where: { id: document.assignmentId },
      select: {
        status: true,
        organizationId: true,
        onboardingId: true,
        request: { select: { workflowId: true } },
        formDefinition: { select: { id: true, key: true, version: true, definition: true } },
      },
    });
    if (assignment.status !== 'PENDING' && assignment.status !== 'IN_PROGRESS') return null;
    const { formDefinition } = assignment;
    const content: SignedContent = {
      assignmentId: document.assignmentId,
      formDefinitionId: formDefinition.id,
      formKey: formDefinition.key,
      formVersion: formDefinition.version,
      definitionSha256: definitionSha256(formDefinition.definition),
      answers: checked.answers,
      signerName,
      portalAccountId: user.portalAccountId,
      // Millisecond precision, as the database stores it, so the hash can be recomputed from the row.
      signedAt: new Date().toISOString(),
      ip: origin?.ip ?? null,
      userAgent: origin?.userAgent?.slice(0, 300) ?? null,
      attestation: SIGNATURE_ATTESTATION,
    };
    const contentSha256 = signedContentSha256(content);
    await tx.formSubmission.create({
      data: {
        organizationId: assignment.organizationId,
        assignmentId: content.assignmentId,
        onboardingId: assignment.onboardingId,
        formDefinitionId: content.formDefinitionId,
        portalAccountId: content.portalAccountId,
        answers: content.answers,
        scores: scoreAnswers(document.definition, content.answers) as unknown as Prisma.InputJsonValue,
        signerName: content.signerName,
        attestation: content.attestation,
        signedAt: new Date(content.signedAt),
        ip: content.ip,
        userAgent: content.userAgent,
        definitionSha256: content.definitionSha256,
        contentSha256,
      },
    });
    await tx.formAssignment.update({
      where: { id: document.assignmentId },
      data: { status: 'SUBMITTED', submittedAt: new Date(content.signedAt), draftAnswers: Prisma.DbNull },
    });
    await applyOnboardingProgress(tx, {
      onboardingId: assignment.onboardingId,
      event: {
        key: `form-signed:${document.assignmentId}`,
        type: 'form.signed',
        detail: {
          assignmentId: document.assignmentId,
          formKey: formDefinition.key,
          formVersion: formDefinition.version,
          contentSha256,
        },
      },
    });
    await audit(tx, user, document, 'form.submit', origin);
    await flagCrisisAnswers(tx, {
      organizationId: assignment.organizationId,
      onboardingId: assignment.onboardingId,
      clientId: document.clientId,
      assignmentId: document.assignmentId,
      formKey: formDefinition.key,
      formVersion: formDefinition.version,
      definition: document.definition,
      answers: content.answers,
      actor: { type: 'portal_user', id: user.portalAccountId },
      origin,
    });
    return { contentSha256, workflowId: assignment.request.workflowId };
  });
  if (!signed) return { outcome: 'already-submitted' };

  try {
    await deps.temporal.workflow
      .getHandle(signed.workflowId)
      .signal(formSignedSignal, { assignmentId: document.assignmentId, contentSha256: signed.contentSha256 });
  } catch (error) {
    deps.logger.warn(
      { err: error, workflowId: signed.workflowId },
      'could not signal the form request; it will find the signature at its next check',
    );
  }
  return { outcome: 'submitted', contentSha256: signed.contentSha256 };
}

/** For the portal home page: how many forms are still waiting. */
export function countOutstandingDocuments(db: Db, user: PortalUser): Promise<number> {
  return db.formAssignment.count({
    where: {
      organizationId: user.organizationId,
      status: { in: ['PENDING', 'IN_PROGRESS'] },
      request: { onboarding: { client: { portalAccount: { id: user.portalAccountId } } } },
    },
  });
}
