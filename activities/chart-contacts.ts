/**
 * Contacts the EHR names for a client become portal users (issue 15): in
 * chart.created (added once the chart exists, by the onboarding workflow) and
 * in client.contacts_updated (the full list, applied by the API). One email
 * is one person per practice, as when staff add a contact
 * (use-cases/accounts/portal-users.ts). The timeline gets ids only.
 */
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/client';
import { DEFAULT_CONTACT_PERMISSIONS, type TEhrContact } from '../schemas/ehr-contacts';
import { applyOnboardingProgress } from './onboarding-progress';

export interface ContactChanges {
  /** Access rows created now: each needs its invitation. */
  addedAccessIds: string[];
  updated: number;
  /** Access rows removed now: their invitation flows end. */
  removedAccessIds: string[];
}

/**
 * Applies the EHR's contacts to the client. `replace`: the list is complete, so
 * EHR-named contacts missing from it are removed (staff's stay). Idempotent:
 * a retry finds the rows it made and changes nothing more.
 */
export async function applyEhrContacts(
  tx: Prisma.TransactionClient,
  target: { organizationId: string; clientId: string; onboardingId: string },
  contacts: readonly TEhrContact[],
  options: { replace: boolean; eventKey: string },
): Promise<ContactChanges> {
  const { organizationId, clientId, onboardingId } = target;
  const changes: ContactChanges = { addedAccessIds: [], updated: 0, removedAccessIds: [] };
  const named = new Set<string>();
  for (const contact of contacts) {
    const person = await tx.portalUser.upsert({
      where: { organizationId_email: { organizationId, email: contact.email } },
      create: { organizationId, email: contact.email, name: contact.name },
      update: {},
      select: { id: true },
    });
    named.add(person.id);
    const permissions = [...(contact.permissions ?? DEFAULT_CONTACT_PERMISSIONS)];
    const existing = await tx.clientPortalAccess.findUnique({
      where: { clientId_portalUserId: { clientId, portalUserId: person.id } },
      select: { id: true, isPrimary: true, relationship: true, permissions: true },
    });
    if (existing) {
      // The primary user is the onboarding's to change (Change Ownership), never the contact list's.
      if (existing.isPrimary) continue;
      const same =
        existing.relationship === contact.relationship &&
        existing.permissions.length === permissions.length &&
        permissions.every((permission) => existing.permissions.includes(permission));
      if (!same) {
        await tx.clientPortalAccess.update({
          where: { id: existing.id },
          data: { relationship: contact.relationship, permissions, addedByEhr: true },
        });
        changes.updated += 1;
        await applyOnboardingProgress(tx, {
          onboardingId,
          event: {
            key: `portal-user-updated:${options.eventKey}:${person.id}`,
            type: 'portal_user.updated',
            detail: { portalUserId: person.id, permissions: permissions.join(','), source: 'ehr' },
          },
        });
      }
      continue;
    }
    const access = await tx.clientPortalAccess.create({
      data: {
        organizationId,
        clientId,
        portalUserId: person.id,
        relationship: contact.relationship,
        permissions,
        status: 'INVITED',
        addedByEhr: true,
      },
      select: { id: true },
    });
    changes.addedAccessIds.push(access.id);
    await applyOnboardingProgress(tx, {
      onboardingId,
      event: {
        key: `portal-user-added:${options.eventKey}:${person.id}`,
        type: 'portal_user.added',
        detail: { portalUserId: person.id, relationship: contact.relationship, source: 'ehr' },
      },
    });
  }
  if (options.replace) {
    const gone = await tx.clientPortalAccess.findMany({
      where: { clientId, addedByEhr: true, isPrimary: false, portalUserId: { notIn: [...named] } },
      select: { id: true, portalUserId: true },
    });
    for (const access of gone) {
      await tx.clientPortalAccess.delete({ where: { id: access.id } });
      changes.removedAccessIds.push(access.id);
      await applyOnboardingProgress(tx, {
        onboardingId,
        event: {
          key: `portal-user-removed:${options.eventKey}:${access.portalUserId}`,
          type: 'portal_user.removed',
          detail: { portalUserId: access.portalUserId, source: 'ehr' },
        },
      });
    }
  }
  return changes;
}

export function createChartContactActivities(deps: { db: Db }) {
  return {
    /** The contacts of chart.created, once the chart exists: the access rows to invite. */
    async addChartContacts({
      onboardingId,
      contacts,
    }: {
      onboardingId: string;
      contacts: TEhrContact[];
    }): Promise<{ accessIds: string[] }> {
      return deps.db.$transaction(async (tx) => {
        const onboarding = await tx.onboarding.findUniqueOrThrow({
          where: { id: onboardingId },
          select: { organizationId: true, clientId: true },
        });
        if (!onboarding.clientId) throw new Error(`onboarding ${onboardingId} has no chart yet`);
        const target = { organizationId: onboarding.organizationId, clientId: onboarding.clientId, onboardingId };
        await applyEhrContacts(tx, target, contacts, { replace: false, eventKey: 'chart' });
        // A retry after the commit finds every row already there: answer with all of them, in the EHR's order.
        const rows = await tx.clientPortalAccess.findMany({
          where: {
            clientId: onboarding.clientId,
            isPrimary: false,
            portalUser: { email: { in: contacts.map((contact) => contact.email) } },
          },
          select: { id: true, portalUser: { select: { email: true } } },
        });
        const byEmail = new Map(rows.map((row) => [row.portalUser.email, row.id]));
        return { accessIds: contacts.flatMap((contact) => byEmail.get(contact.email) ?? []) };
      });
    },
  };
}
