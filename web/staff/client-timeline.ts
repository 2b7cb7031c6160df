/**
 * The client page's history: the timeline in words with who did what
 * (timeline-labels.ts), and the newest invitation as a sentence that tells
 * its true state ("sent Dec 3, used on Dec 4"), not its raw status.
 */
import type { Db } from '../../db/client';
import { html, type Html } from '../html';
import { describeEvent, staffIdsOf, type TimelineEvent, type TimelineLabelContext } from './timeline-labels';
import { formatWhen } from './status-label';

export interface InvitationFacts {
  sequence: number;
  status: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  updatedAt: Date;
  failedAttempts: number;
}

/** What the timeline and the invitation line need besides the onboarding: staff names, the newest invitation. */
export async function historyFacts(db: Db, organizationId: string, onboardingId: string, events: TimelineEvent[]) {
  const ids = staffIdsOf(events);
  const [staff, invitation] = await Promise.all([
    ids.length
      ? db.staffUser.findMany({
          where: { organizationId, id: { in: ids } },
          select: { id: true, displayName: true, role: true },
        })
      : [],
    db.invitation.findFirst({
      where: { onboardingId },
      orderBy: { sequence: 'desc' },
      select: {
        sequence: true,
        status: true,
        createdAt: true,
        expiresAt: true,
        usedAt: true,
        updatedAt: true,
        failedAttempts: true,
      },
    }),
  ]);
  return { staff: new Map(staff.map((member) => [member.id, member])), invitation };
}

function day(date: Date | string, timeZone: string): string {
  const when = new Date(date);
  const sameYear = when.getUTCFullYear() === new Date().getUTCFullYear();
  return new Intl.DateTimeFormat('en-US', {
    month: 'short',
    day: 'numeric',
    ...(sameYear ? {} : { year: 'numeric' }),
    timeZone,
  }).format(when);
}

/** Events that end an invitation's life early, newest last: whoever did the last one revoked it. */
const REVOKING = new Set(['portal.access_revoked', 'onboarding.cancelled', 'ops.cancelled', 'ops.terminated']);

export function invitationLine(
  invitation: InvitationFacts | null,
  events: TimelineEvent[],
  context: TimelineLabelContext,
  timeZone: string,
  now = new Date(),
): string {
  if (!invitation) return 'None sent';
  const sent = `Invitation ${invitation.sequence} — sent ${day(invitation.createdAt, timeZone)}`;
  switch (invitation.status) {
    case 'USED':
      return `${sent}, used on ${day(invitation.usedAt ?? invitation.updatedAt, timeZone)}`;
    case 'EXPIRED':
      return `${sent}, expired on ${day(invitation.expiresAt, timeZone)}`;
    case 'REVOKED': {
      const revoked = events.filter(
        (event) => REVOKING.has(event.type) && new Date(event.occurredAt) >= invitation.createdAt,
      );
      const last = revoked[revoked.length - 1];
      if (!last) return `${sent}, revoked on ${day(invitation.updatedAt, timeZone)}`;
      return `${sent}, revoked by ${describeEvent(last, context).who} on ${day(last.occurredAt, timeZone)}`;
    }
    case 'SUPERSEDED':
      return `${sent}, replaced by a newer invitation on ${day(invitation.updatedAt, timeZone)}`;
    case 'LOCKED':
      return `${sent}, locked on ${day(invitation.updatedAt, timeZone)} after ${invitation.failedAttempts} wrong tries`;
    default:
      // Until the workflow's timer marks it, a pending invitation past its time is expired all the same.
      return invitation.expiresAt <= now
        ? `${sent}, expired on ${day(invitation.expiresAt, timeZone)}`
        : `${sent}, expires ${day(invitation.expiresAt, timeZone)}`;
  }
}

export function timelineSection(events: TimelineEvent[], context: TimelineLabelContext, timeZone: string): Html {
  return html`<section class="card" style="margin-top:1rem">
    <h2>Timeline</h2>
    ${
      events.length
        ? html`<ol class="timeline">
            ${events.map((event) => {
              const { what, who } = describeEvent(event, context);
              return html`<li>
                <strong>${what}</strong> <span>— ${who}</span>
                <span class="hint"
                  ><time datetime="${event.occurredAt}">${formatWhen(event.occurredAt, timeZone)}</time></span
                >
              </li>`;
            })}
          </ol>`
        : html`<p>Nothing has happened yet.</p>`
    }
  </section>`;
}
