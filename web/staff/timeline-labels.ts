/**
 * The client page's timeline in words: what happened and who did it, for
 * every event code the code base records (activities/, use-cases/,
 * workflows/). test/unit/timeline-labels.test.ts finds the emitters' codes
 * and fails on any without a label here, so a new code never shows raw.
 */
import { formatMoney } from '../../domain/money';

export type TimelineDetail = Record<string, string | number | boolean | null>;

export interface TimelineEvent {
  type: string;
  occurredAt: string;
  detail: TimelineDetail;
}

export interface TimelineLabelContext {
  /** The practice's staff named in the events' details (staffUserId, requestedBy). */
  staff: ReadonlyMap<string, { displayName: string; role: string }>;
  /** Form titles by assignment id, for "Signed PHQ-9". */
  formTitles: ReadonlyMap<string, string>;
  /** Ops never see a client's money, as they never see the Account card. */
  showAmounts: boolean;
}

export interface TimelineLine {
  what: string;
  who: string;
}

type DefaultActor = 'Client' | 'EHR' | 'System' | 'Operator';

interface Label {
  what: (detail: TimelineDetail, context: TimelineLabelContext) => string;
  /** Who it was when the detail names no staff member. */
  actor: DefaultActor;
}

const number = (value: unknown): number | null => (typeof value === 'number' ? value : null);

const plural = (count: number | null, one: string, many: string) =>
  count === null ? many : `${count} ${count === 1 ? one : many}`;

/** "Payment of $95.00 received", or "Payment received" where the amount is unknown or not to be shown. */
const amount = (noun: string, outcome: string) => (detail: TimelineDetail, context: TimelineLabelContext) => {
  const cents = number(detail.amountCents);
  return context.showAmounts && cents !== null ? `${noun} of ${formatMoney(cents)} ${outcome}` : `${noun} ${outcome}`;
};

const LINK_REQUEST_OUTCOME: Record<string, string> = {
  sent: 'a new one is on its way',
  'rate-limited': 'not sent, 3 already this week',
  'not-waiting': 'not sent, no invitation is waiting',
  'not-invited': 'not sent, no invitation was ever sent',
};

const INVITATION_SENT: Record<string, string> = {
  initial: 'Invitation sent',
  resend: 'Invitation resent',
  'automatic-resend': 'Invitation sent again after the last one expired',
  'new-owner': 'Invitation sent to the new portal owner',
  'client-request': 'New invitation link sent at the client’s request',
};

export const TIMELINE_LABELS: Record<string, Label> = {
  'chart.created': { what: () => 'Chart received', actor: 'EHR' },
  'invitation.sent': {
    what: (detail) => INVITATION_SENT[String(detail.reason)] ?? 'Invitation sent',
    actor: 'System',
  },
  'invitation.client_requested': {
    what: (detail) => {
      const outcome = LINK_REQUEST_OUTCOME[String(detail.outcome)];
      return outcome ? `Client asked for a new invitation link: ${outcome}` : 'Client asked for a new invitation link';
    },
    actor: 'Client',
  },
  'invitation.reminder_sent': { what: () => 'Invitation reminder emailed', actor: 'System' },
  'invitation.expired': { what: () => 'Invitation expired unused', actor: 'System' },
  'invitation.bounced': {
    what: (detail) =>
      detail.bounceType === 'hard'
        ? 'Invitation bounced: the address does not take mail'
        : 'Invitation bounced for now: the provider keeps trying',
    actor: 'System',
  },
  'invitation.complained': { what: () => 'Invitation marked as spam by the recipient', actor: 'System' },
  'invitation.undeliverable': {
    what: (detail) =>
      detail.reason === 'not-delivered'
        ? 'Invitation still not delivered after the practice’s window: waiting for the address to be checked'
        : 'Invitation will not arrive: waiting for a corrected address',
    actor: 'System',
  },
  'invitation.delayed': { what: () => 'Invitation delivery delayed: the provider keeps trying', actor: 'System' },
  'invitation.locked': {
    what: (detail) => `Invitation locked after ${plural(number(detail.attempts), 'wrong try', 'wrong tries')}`,
    actor: 'System',
  },
  'portal.registered': { what: () => 'Registered for the portal', actor: 'Client' },
  'portal.access_revoked': { what: () => 'Portal access revoked', actor: 'System' },
  'portal.access_restored': { what: () => 'Portal access restored', actor: 'System' },
  'portal.owner_changed': { what: () => 'Portal owner changed', actor: 'System' },
  'portal_user.added': {
    what: (detail) => `Portal user added (${String(detail.relationship ?? 'contact').toLowerCase()})`,
    actor: 'System',
  },
  'portal_user.updated': {
    what: (detail) =>
      `Portal user’s permissions set to ${
        String(detail.permissions ?? '')
          .toLowerCase()
          .replaceAll(',', ', ') || 'none'
      }`,
    actor: 'System',
  },
  'portal_user.removed': { what: () => 'Portal user removed', actor: 'System' },
  'onboarding.cancelled': { what: () => 'Onboarding cancelled', actor: 'System' },
  'onboarding.failed': { what: () => 'Onboarding stopped by an error', actor: 'System' },
  'forms.assigned': {
    what: (detail) => {
      const forms = number(detail.forms);
      return forms === null ? 'Forms sent to complete' : `${plural(forms, 'form', 'forms')} sent to complete`;
    },
    actor: 'System',
  },
  'forms.email_sent': { what: () => 'Intake forms emailed', actor: 'System' },
  'form.needs_review': { what: () => 'A signed form needs review today (crisis answer)', actor: 'Client' },
  'form.review_alert_sent': { what: () => 'Practice alerted to review a signed form', actor: 'System' },
  'forms.reminder_sent': {
    what: (detail) => {
      const outstanding = number(detail.outstanding);
      return outstanding === null ? 'Forms reminder emailed' : `Forms reminder emailed (${outstanding} to complete)`;
    },
    actor: 'System',
  },
  'forms.completed': { what: () => 'All forms signed', actor: 'Client' },
  'forms.staff_notified': { what: () => 'Staff told the forms are complete', actor: 'System' },
  'forms.cancelled': { what: () => 'Forms withdrawn', actor: 'System' },
  'form.signed': {
    what: (detail, context) => {
      const title =
        (typeof detail.assignmentId === 'string' ? context.formTitles.get(detail.assignmentId) : undefined) ??
        (typeof detail.formKey === 'string' ? readable(detail.formKey) : null);
      return title ? `Signed ${title}` : 'Form signed';
    },
    actor: 'Client',
  },
  'payment.deposit_paid': { what: amount('Deposit', 'paid'), actor: 'Client' },
  'payment.card_saved': { what: () => 'Card saved on file', actor: 'Client' },
  'payment.received': { what: amount('Payment', 'received'), actor: 'Client' },
  'payment.failed': { what: amount('Payment', 'did not go through'), actor: 'Client' },
  'payment.refunded': { what: amount('Refund', 'issued'), actor: 'System' },
  'ops.cancelled': { what: () => 'Flow cancelled by operations', actor: 'Operator' },
  'ops.terminated': { what: () => 'Flow terminated by operations', actor: 'Operator' },
  'ops.reset': {
    what: (detail) => (detail.forced === true ? 'Failed flow reset (forced)' : 'Flow reset'),
    actor: 'Operator',
  },
  'ops.retried': { what: () => 'Flow retried', actor: 'Operator' },
};

const ROLE_WORDS: Record<string, string> = { ADMIN: 'admin', THERAPIST: 'therapist', OPS: 'operator' };

/** An unknown code in words ("forms.email_sent" → "Forms email sent"), never the raw code. */
export function readable(code: string): string {
  const words = code.replace(/[._-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function describeEvent(event: TimelineEvent, context: TimelineLabelContext): TimelineLine {
  const label = TIMELINE_LABELS[event.type];
  const what = label ? label.what(event.detail, context) : readable(event.type);
  const staffId = event.detail.staffUserId ?? event.detail.requestedBy;
  const member = typeof staffId === 'string' ? context.staff.get(staffId) : undefined;
  const who = member
    ? `${member.displayName} (${ROLE_WORDS[member.role] ?? member.role.toLowerCase()})`
    : (label?.actor ?? 'System');
  return { what, who };
}

/** The staff ids an event's detail names, to look their names up in one query. */
export function staffIdsOf(events: readonly TimelineEvent[]): string[] {
  const ids = events.flatMap((event) => [event.detail.staffUserId, event.detail.requestedBy]);
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}
