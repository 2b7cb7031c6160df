/**
 * Which forms of a sending are new for the client (issue 13, bug 1). Sending a
 * package twice used to assign every form twice, so the client's list, the
 * portal's count, the staff status and the email all disagreed. The rule: a
 * form still waiting for the client (in any version) is not assigned again; a
 * form the client signed in the same version is not asked for again unless
 * staff explicitly send it again to be re-signed.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../db/client';
import { AppError } from '../app-error';

export type SkipReason = 'ALREADY_WAITING' | 'ALREADY_SIGNED';

export interface CatalogForm {
  formDefinitionId: string;
  formKey: string;
  version: number;
  title: string;
}

export interface SkippedForm extends CatalogForm {
  reason: SkipReason;
  /** The waiting assignment, or the signed one. */
  assignmentId: string;
  /** When the waiting one was sent, or the signed one signed. */
  since: Date;
}

export interface SendingPlan {
  send: CatalogForm[];
  skipped: SkippedForm[];
}

/** Where one form stands for the client: waiting (any version), and the signatures of each version. */
export interface ClientFormState {
  waiting: { assignmentId: string; version: number; since: Date } | null;
  signed: { assignmentId: string; formDefinitionId: string; version: number; at: Date }[];
}

type Reader = Db | Prisma.TransactionClient;

/** The onboarding's live forms by key (an onboarding is one client's: client_id is unique there). */
export async function clientFormStates(db: Reader, onboardingId: string): Promise<Map<string, ClientFormState>> {
  const assignments = await db.formAssignment.findMany({
    where: { onboardingId, status: { not: 'CANCELLED' } },
    orderBy: [{ createdAt: 'asc' }, { position: 'asc' }],
    select: {
      id: true,
      status: true,
      createdAt: true,
      submittedAt: true,
      formDefinition: { select: { id: true, key: true, version: true } },
    },
  });
  const states = new Map<string, ClientFormState>();
  for (const assignment of assignments) {
    const { key } = assignment.formDefinition;
    const state = states.get(key) ?? { waiting: null, signed: [] };
    if (assignment.status === 'SUBMITTED') {
      state.signed.unshift({
        assignmentId: assignment.id,
        formDefinitionId: assignment.formDefinition.id,
        version: assignment.formDefinition.version,
        at: assignment.submittedAt ?? assignment.createdAt,
      });
    } else {
      state.waiting ??= {
        assignmentId: assignment.id,
        version: assignment.formDefinition.version,
        since: assignment.createdAt,
      };
    }
    states.set(key, state);
  }
  for (const state of states.values()) state.signed.sort((a, b) => b.at.getTime() - a.at.getTime());
  return states;
}

/**
 * Splits the forms asked for into those to assign and those skipped, with why.
 * `sendAgain` names forms to assign even though signed; each must be among
 * the forms asked for (a 400 otherwise, so a typo never passes silently).
 * Call it inside the transaction that assigns, with the onboarding locked.
 */
export async function planFormSending(
  db: Reader,
  input: { onboardingId: string; formDefinitionIds: string[]; sendAgain: string[] },
): Promise<SendingPlan> {
  const rows = await db.formDefinition.findMany({
    where: { id: { in: input.formDefinitionIds } },
    select: { id: true, key: true, version: true, title: true },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const forms: CatalogForm[] = input.formDefinitionIds.map((id) => {
    const row = byId.get(id)!;
    return { formDefinitionId: row.id, formKey: row.key, version: row.version, title: row.title };
  });
  const stray = input.sendAgain
    .map((key, index) => ({ key, index }))
    .filter(({ key }) => !forms.some((form) => form.formKey === key));
  if (stray.length) {
    throw new AppError('VALIDATION_FAILED', 'sendAgain names a form not being sent', {
      fields: stray.map(({ index }) => ({ path: `sendAgain.${index}`, message: 'is not among the forms being sent' })),
    });
  }

  const states = await clientFormStates(db, input.onboardingId);
  const plan: SendingPlan = { send: [], skipped: [] };
  for (const form of forms) {
    const state = states.get(form.formKey);
    const signedThisVersion = state?.signed.find((entry) => entry.formDefinitionId === form.formDefinitionId);
    if (state?.waiting) {
      plan.skipped.push({
        ...form,
        reason: 'ALREADY_WAITING',
        assignmentId: state.waiting.assignmentId,
        since: state.waiting.since,
      });
    } else if (signedThisVersion && !input.sendAgain.includes(form.formKey)) {
      plan.skipped.push({
        ...form,
        reason: 'ALREADY_SIGNED',
        assignmentId: signedThisVersion.assignmentId,
        since: signedThisVersion.at,
      });
    } else {
      plan.send.push(form);
    }
  }
  return plan;
}
