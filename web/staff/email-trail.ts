/**
 * The client page's "Emails" card: each email we sent about this onboarding
 * and what became of it, so "she never got the email" has an answer.
 */
import type { EmailTrail, EmailTrailStep } from '../../use-cases/onboarding/email-trail';
import { html, type Html } from '../html';
import { formatWhen } from './status-label';

const TEMPLATE_WORDS: Record<string, string> = {
  'portal-invitation': 'Portal invitation',
  'invitation-resent': 'Invitation sent again',
  'invitation-reminder': 'Invitation reminder',
  'registration-confirmed': 'Registration confirmed',
  'forms-assigned': 'Forms to complete',
  'forms-reminder': 'Forms reminder',
  'payment-receipt': 'Payment receipt',
};

function stepWords(step: EmailTrailStep): string {
  switch (step.kind) {
    case 'queued':
      return 'Queued';
    case 'sent':
      return 'Handed to the email provider';
    case 'delivered':
      return 'Delivered';
    case 'delivery_delayed':
      return 'Delivery delayed; the provider keeps trying';
    case 'bounced':
      return step.bounceType === 'hard'
        ? 'Bounced: the address does not take mail'
        : 'Bounced for now; the provider keeps trying';
    case 'complained':
      return 'Marked as spam by the recipient';
    case 'suppressed':
      return 'Not sent: this address bounced or complained before';
  }
}

export function emailTrailSection(trails: EmailTrail[], timeZone: string): Html {
  return html`<section class="card" style="margin-top:1rem" data-testid="email-trail">
    <h2>Emails</h2>
    ${
      trails.length
        ? html`<ul class="email-trail">
            ${trails.map(
              (trail) =>
                html`<li>
                  <span>${TEMPLATE_WORDS[trail.template] ?? trail.template}</span>
                  <ol class="hint">
                    ${trail.steps.map(
                      (step) =>
                        html`<li>
                          ${stepWords(step)},
                          ${formatWhen(step.at, timeZone)}${step.reason ? html` (${step.reason})` : ''}
                        </li>`,
                    )}
                  </ol>
                </li>`,
            )}
          </ul>`
        : html`<p>No emails sent.</p>`
    }
  </section>`;
}
