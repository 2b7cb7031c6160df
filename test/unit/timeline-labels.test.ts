/**
 * The staff timeline in words (issue 13): every event code the code base
 * records has a label, found by reading the emitters, so a new code without
 * one fails here instead of showing raw on a client page.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeEvent,
  readable,
  TIMELINE_LABELS,
  type TimelineDetail,
  type TimelineLabelContext,
} from '../../web/staff/timeline-labels';

const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/**
 * The codes written to the timeline: files that record progress, their `type: '…'` literals,
 * their event-type unions (`type ClosingEvent = 'ops.cancelled' | …`) and event-type tables
 * (`PAID_EVENT_TYPE = { DEPOSIT: 'payment.deposit_paid', … }`).
 */
function emittedCodes(): Set<string> {
  const codes = new Set<string>();
  const literal = /'([a-z]+\.[a-z_]+)'/g;
  for (const file of ['activities', 'use-cases', 'workflows'].flatMap(sourceFiles)) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    if (!/applyOnboardingProgress|recordOnboardingProgress/.test(text)) continue;
    for (const match of text.matchAll(/type:\s*'([a-z]+\.[a-z_]+)'/g)) codes.add(match[1]!);
    for (const match of text.matchAll(/type \w*Event = ([^;]+);/g)) {
      for (const code of match[1]!.matchAll(literal)) codes.add(code[1]!);
    }
    for (const match of text.matchAll(/EVENT_TYPE[^=]*=\s*\{([^}]*)\}/g)) {
      for (const code of match[1]!.matchAll(literal)) codes.add(code[1]!);
    }
  }
  return codes;
}

const context: TimelineLabelContext = {
  staff: new Map([
    ['staff-1', { displayName: 'Dana Lee', role: 'ADMIN' }],
    ['ops-1', { displayName: 'Olu Ade', role: 'OPS' }],
  ]),
  formTitles: new Map([['assignment-1', 'PHQ-9']]),
  showAmounts: true,
};

const line = (type: string, detail: TimelineDetail = {}, labels = context) =>
  describeEvent({ type, occurredAt: '2026-12-03T10:00:00.000Z', detail }, labels);

describe('the timeline labels', () => {
  const codes = emittedCodes();

  it('finds the codes the emitters record', () => {
    // The scan itself works: one code from each kind of emitter.
    for (const code of ['chart.created', 'forms.email_sent', 'form.signed', 'ops.reset', 'payment.received']) {
      expect(codes).toContain(code);
    }
    expect(codes.size).toBeGreaterThanOrEqual(25);
  });

  it('has a label for every code recorded, in words', () => {
    const missing = [...codes].filter((code) => !(code in TIMELINE_LABELS));
    expect(missing).toEqual([]);
    for (const code of codes) {
      const { what, who } = line(code);
      expect(what).not.toContain(code);
      expect(what).not.toMatch(/[._]/);
      expect(who).toMatch(/^(Client|EHR|System|Operator)$/);
    }
  });

  it('says who did it, and what', () => {
    expect(line('invitation.sent', { reason: 'resend', requestedBy: 'staff-1' })).toEqual({
      what: 'Invitation resent',
      who: 'Dana Lee (admin)',
    });
    expect(line('invitation.sent', { reason: 'initial', requestedBy: null })).toEqual({
      what: 'Invitation sent',
      who: 'System',
    });
    expect(line('forms.email_sent')).toEqual({ what: 'Intake forms emailed', who: 'System' });
    expect(line('portal.registered')).toEqual({ what: 'Registered for the portal', who: 'Client' });
    expect(line('chart.created')).toEqual({ what: 'Chart received', who: 'EHR' });
    expect(line('ops.reset', { staffUserId: 'ops-1' })).toEqual({ what: 'Flow reset', who: 'Olu Ade (operator)' });
    expect(line('ops.retried', { staffUserId: 'someone-gone' })).toEqual({ what: 'Flow retried', who: 'Operator' });
    expect(line('portal.access_revoked', { staffUserId: 'staff-1' }).who).toBe('Dana Lee (admin)');
    expect(line('form.signed', { assignmentId: 'assignment-1', formKey: 'phq-9' }).what).toBe('Signed PHQ-9');
    expect(line('form.signed', { assignmentId: 'other', formKey: 'gad_7' }).what).toBe('Signed Gad 7');
    expect(line('forms.assigned', { forms: 1 }).what).toBe('1 form sent to complete');
    expect(line('invitation.locked', { attempts: 5 }).what).toBe('Invitation locked after 5 wrong tries');
  });

  it('states payments with their amount, except to ops', () => {
    expect(line('payment.received', { amountCents: 9500 }).what).toBe('Payment of $95.00 received');
    expect(line('payment.deposit_paid', { amountCents: 5000 }).what).toBe('Deposit of $50.00 paid');
    expect(line('payment.failed', { amountCents: 9500 }).what).toBe('Payment of $95.00 did not go through');
    expect(line('payment.received', { amountCents: 9500 }, { ...context, showAmounts: false }).what).toBe(
      'Payment received',
    );
  });

  it('falls back to a readable form for an unknown code, never the raw one', () => {
    expect(line('forms.something_new')).toEqual({ what: 'Forms something new', who: 'System' });
    expect(readable('x.y_z')).toBe('X y z');
  });
});
