/**
 * What a registration link is, for the client's own invitation
 * (register-portal-account.ts) and a contact's (register-portal-user.ts):
 * the practice it names, whether it can be used, the form and its limit.
 */
import type { TPracticeContact } from '../../schemas/practice-settings';

/** Wrong last-name / date-of-birth attempts before the link locks (the practice then sends a new one). */
export const MAX_REGISTRATION_ATTEMPTS = 5;

export interface RegistrationLink {
  practiceName: string;
  brandColor: string | null;
  /** For the sign-in link: portals are per organisation. */
  organizationSlug: string;
  /** How to reach the practice: an unusable link tells the client whom to ask for a new one. */
  contact: TPracticeContact;
}

/** What the registration page may show. Nothing here reveals anything about the chart. */
export type LinkState =
  | { usable: true; link: RegistrationLink }
  | { usable: false; reason: 'used'; link: RegistrationLink }
  /** link: the practice of an expired, revoked or locked invitation; null for a link we never issued. */
  | { usable: false; reason: 'invalid'; link: RegistrationLink | null };

export interface RegistrationForm {
  lastName: string;
  /** YYYY-MM-DD */
  dateOfBirth: string;
  password: string;
  passwordConfirmation: string;
}
