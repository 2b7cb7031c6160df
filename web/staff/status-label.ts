/**
 * How staff see an onboarding's status, and dates in the practice's zone.
 */
import type { OnboardingStatus } from '../../domain/onboarding-status';
import { html, type Html } from '../html';

/** What staff see for each status (issue 6: Invited, Expired, Registered, Forms outstanding n/m…). */
export function statusLabel(status: OnboardingStatus, forms: { total: number; submitted: number }): string {
  switch (status) {
    case 'PENDING':
      return 'Starting';
    case 'CHART_CREATED':
      return 'Not invited';
    case 'INVITED':
      return 'Invited';
    case 'EXPIRED':
      return 'Expired';
    case 'REGISTERED':
      return 'Registered';
    case 'FORMS_OUTSTANDING':
      // The number waiting, as the client's portal counts "forms to complete"; n/m read as the opposite.
      return `Forms outstanding: ${forms.total - forms.submitted} of ${forms.total}`;
    case 'COMPLETE':
      return 'Complete';
    case 'CANCELLED':
      return 'Cancelled';
    case 'FAILED':
      return 'Failed';
    case 'REVOKED':
      return 'Access revoked';
    case 'INVITATION_BOUNCED':
      return 'Invitation bounced';
  }
}

export const STATUS_FILTERS: OnboardingStatus[] = [
  'INVITED',
  'INVITATION_BOUNCED',
  'EXPIRED',
  'REGISTERED',
  'FORMS_OUTSTANDING',
  'COMPLETE',
  'CHART_CREATED',
  'REVOKED',
  'CANCELLED',
  'FAILED',
];

export function badge(status: OnboardingStatus, forms: { total: number; submitted: number }): Html {
  return html`<span class="status status-${status.toLowerCase()}">${statusLabel(status, forms)}</span>`;
}

export function formatWhen(date: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(date));
}
