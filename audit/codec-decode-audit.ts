import type { Payload } from '@temporalio/common';
import type { Db } from '../db/client';
import { recordAudit, type AuditEntry } from './audit-log';

/**
 * The ids in a decoded payload that say whose data it is. Workflow inputs,
 * signals and activity arguments carry them by these names (e.g. the
 * onboarding workflow's input: onboardingId and organizationId beside the chart).
 */
type SubjectKey = 'onboardingId' | 'clientId' | 'organizationId';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Bounds the walk and the trail: a caller cannot make one decode write thousands of rows. */
const MAX_NODES = 20_000;
const MAX_IDS_PER_KEY = 200;

export type DecodeSubjects = Record<SubjectKey, Set<string>>;

/** The onboarding, client and organisation ids named anywhere in the JSON payloads. */
export function subjectsOfPayloads(payloads: Payload[]): DecodeSubjects {
  const found: DecodeSubjects = { onboardingId: new Set(), clientId: new Set(), organizationId: new Set() };
  let budget = MAX_NODES;
  const walk = (value: unknown): void => {
    if (budget-- <= 0 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const ids = found[key as SubjectKey] as Set<string> | undefined;
      if (ids && typeof child === 'string' && UUID.test(child) && ids.size < MAX_IDS_PER_KEY) {
        ids.add(child.toLowerCase());
      } else walk(child);
    }
  };
  for (const payload of payloads) {
    const encoding = Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString();
    if (encoding !== 'json/plain' || !payload.data) continue;
    try {
      walk(JSON.parse(Buffer.from(payload.data).toString('utf8')));
    } catch {
      // Not JSON after all: nothing to attribute.
    }
  }
  return found;
}

interface Subject {
  organizationId: string;
  onboardingId: string | null;
  clientId: string | null;
}

/**
 * Which practices' records the decoded payloads belong to, as the database
 * says (a payload's own organisationId is believed only for an organisation
 * that exists, and only when no onboarding or client in it says otherwise).
 */
async function subjectsInDatabase(db: Db, found: DecodeSubjects): Promise<Subject[]> {
  const [onboardings, clients, organizations] = await Promise.all([
    found.onboardingId.size
      ? db.onboarding.findMany({
          where: { id: { in: [...found.onboardingId] } },
          select: { id: true, organizationId: true, clientId: true },
        })
      : [],
    found.clientId.size
      ? db.client.findMany({ where: { id: { in: [...found.clientId] } }, select: { id: true, organizationId: true } })
      : [],
    found.organizationId.size
      ? db.organization.findMany({ where: { id: { in: [...found.organizationId] } }, select: { id: true } })
      : [],
  ]);
  const subjects = new Map<string, Subject>();
  const add = (subject: Subject) =>
    subjects.set(`${subject.organizationId}:${subject.onboardingId}:${subject.clientId}`, subject);
  const clientsCovered = new Set<string>();
  const organizationsCovered = new Set<string>();
  for (const row of onboardings) {
    add({ organizationId: row.organizationId, onboardingId: row.id, clientId: row.clientId });
    if (row.clientId) clientsCovered.add(row.clientId);
    organizationsCovered.add(row.organizationId);
  }
  for (const row of clients.filter((client) => !clientsCovered.has(client.id))) {
    add({ organizationId: row.organizationId, onboardingId: null, clientId: row.id });
    organizationsCovered.add(row.organizationId);
  }
  for (const row of organizations.filter((organization) => !organizationsCovered.has(organization.id))) {
    add({ organizationId: row.id, onboardingId: null, clientId: null });
  }
  return [...subjects.values()];
}

/**
 * Records a successful codec decode twice over: on the operator's own trail,
 * and on the trail of each practice whose client the payloads belong to (with
 * the onboarding and client), so a practice's "who saw this client's record"
 * includes the deployment's operators. One transaction: all rows or none, and
 * the caller answers only once they are written.
 */
export async function recordCodecDecode(
  db: Db,
  payloads: Payload[],
  context: {
    operator: { organizationId: string; staffUserId: string };
    origin: AuditEntry['origin'];
    namespace: string | null;
  },
): Promise<void> {
  const subjects = await subjectsInDatabase(db, subjectsOfPayloads(payloads));
  const common = {
    actor: { type: 'staff' as const, id: context.operator.staffUserId },
    action: 'temporal.decode',
    outcome: 'success' as const,
    origin: context.origin,
  };
  await db.$transaction(async (tx) => {
    await recordAudit(tx, {
      ...common,
      organizationId: context.operator.organizationId,
      detail: { payloads: payloads.length, namespace: context.namespace },
    });
    for (const subject of subjects) {
      await recordAudit(tx, {
        ...common,
        organizationId: subject.organizationId,
        onboardingId: subject.onboardingId,
        clientId: subject.clientId,
        detail: {
          payloads: payloads.length,
          namespace: context.namespace,
          operatorOrganizationId: context.operator.organizationId,
        },
      });
    }
  });
}
