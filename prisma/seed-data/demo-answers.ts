import type { FormAnswers } from '../../domain/form-answers';

/** Complete, valid answers to each seeded form (standard-forms.ts), by form key: for the demo clients and the tests. */
export const VALID_ANSWERS: Record<string, FormAnswers> = {
  'standard-intake-questionnaire': {
    emergency_contact: 'Sam Nightingale, +1 555 0100',
    contact_preference: 'Email',
    reason: 'Trouble sleeping since the move.',
    previous_therapy: false,
  },
  'informed-consent-psychotherapy': { consent: true },
  'notice-of-privacy-practices': { acknowledgement: true },
  'phq-9': {
    phq9: {
      interest: 1,
      mood: 1,
      sleep: 2,
      energy: 1,
      appetite: 0,
      self_worth: 0,
      concentration: 1,
      psychomotor: 0,
      self_harm: 0,
    },
  },
  'gad-7': {
    gad7: { nervous: 1, control_worry: 1, worry_too_much: 1, relaxing: 1, restless: 0, irritable: 0, afraid: 0 },
  },
};
