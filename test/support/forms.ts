import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import { listPortalDocuments, loadPortalDocument, submitForm } from '../../api/use-cases/portal-documents';
import type { PortalUser } from '../../api/use-cases/portal-sessions';
import type { FormAnswers } from '../../domain/form-answers';
import { createLogger } from '../../observability/logger';

/** Complete, valid answers to each seeded form (prisma/seed-data/standard-forms.ts), by form key. */
export const VALID_ANSWERS: Record<string, FormAnswers> = {
  'standard-intake-questionnaire': {
    emergency_contact: 'Sam Nightingale, +1 555 0100',
    contact_preference: 'Email',
    reason: 'Trouble sleeping since the move.',
    previous_therapy: false,
  },
  'informed-consent-psychotherapy': { consent: true },
  'notice-of-privacy-practices': { acknowledgement: true },
  'phq-9': {
    phq9: {
      interest: 1,
      mood: 1,
      sleep: 2,
      energy: 1,
      appetite: 0,
      self_worth: 0,
      concentration: 1,
      psychomotor: 0,
      self_harm: 0,
    },
  },
  'gad-7': {
    gad7: { nervous: 1, control_worry: 1, worry_too_much: 1, relaxing: 1, restless: 0, irritable: 0, afraid: 0 },
  },
};

/** Signs every form waiting for the portal user, as the portal would. */
export async function signAllForms(db: Db, temporal: Client, user: PortalUser, signerName = 'Florence Nightingale') {
  const logger = createLogger({ level: 'silent' });
  const documents = await listPortalDocuments(db, user);
  const keys = new Map(
    (
      await db.formAssignment.findMany({
        where: { id: { in: documents.map((document) => document.assignmentId) } },
        select: { id: true, formDefinition: { select: { key: true } } },
      })
    ).map((row) => [row.id, row.formDefinition.key]),
  );
  for (const summary of documents.filter((document) => document.status !== 'SUBMITTED')) {
    const document = await loadPortalDocument(db, user, summary.assignmentId);
    const answers = VALID_ANSWERS[keys.get(summary.assignmentId)!];
    const result = await submitForm(
      { db, temporal, logger },
      user,
      document!,
      { answers, signerName, agreed: true },
      {
        ip: '198.51.100.20',
        userAgent: 'test',
      },
    );
    if (result.outcome !== 'submitted') throw new Error(`could not sign ${summary.title}: ${JSON.stringify(result)}`);
  }
}
