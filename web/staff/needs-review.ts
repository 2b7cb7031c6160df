import { NEEDS_REVIEW_EVENT } from '../../use-cases/forms/crisis-alert';
import { html, type Html } from '../html';
import { formatWhen } from './status-label';

/**
 * At the top of a client's page: the forms signed with an answer that may
 * mean the client is at risk (PHQ-9 item 9 above "Not at all"), from their
 * `form.needs_review` timeline entries, so whoever opens the page from the
 * alert email sees at once what to review. Not for ops, who read no PHI.
 */
export function needsReviewNotice(options: {
  role: string;
  orgSlug: string;
  onboardingId: string;
  timeZone: string;
  timeline: { type: string; occurredAt: string; detail: Record<string, unknown> }[];
  forms: { assignmentId: string; title: string }[];
}): Html | '' {
  if (options.role === 'OPS') return '';
  const flagged = options.timeline
    .filter((event) => event.type === NEEDS_REVIEW_EVENT)
    .map((event) => ({
      occurredAt: event.occurredAt,
      form: options.forms.find((form) => form.assignmentId === event.detail.assignmentId),
    }))
    .filter((entry) => entry.form !== undefined);
  if (flagged.length === 0) return '';
  return html`<section class="error needs-review" aria-labelledby="needs-review-heading">
    <h2 id="needs-review-heading">Needs review today</h2>
    <ul>
      ${flagged.map(
        ({ occurredAt, form }) =>
          html`<li>
            <a href="/staff/${options.orgSlug}/onboardings/${options.onboardingId}/documents/${form!.assignmentId}/pdf"
              >${form!.title}</a
            >, signed ${formatWhen(occurredAt, options.timeZone)}, has an answer that may mean the client is at risk
            (thoughts of being better off dead or of self-harm). The client was shown the 988 crisis line.
          </li>`,
      )}
    </ul>
  </section>`;
}
