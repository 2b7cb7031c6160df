/**
 * The three standard forms every practice starts with (seed 003): Standard
 * Intake Questionnaire, Informed Consent for Psychotherapy, Notice of Privacy
 * Practices. Version 1 of each; a change is a new version, never an edit.
 */
export interface StandardForm {
  key: string;
  title: string;
  definition: {
    sections: {
      title: string;
      questions: {
        id: string;
        type: 'short_text' | 'long_text' | 'date' | 'yes_no' | 'single_choice' | 'multiple_choice' | 'consent';
        label: string;
        required: boolean;
        options?: string[];
        text?: string;
      }[];
    }[];
  };
}

export const STANDARD_FORMS: StandardForm[] = [
  {
    key: 'standard-intake-questionnaire',
    title: 'Standard Intake Questionnaire',
    definition: {
      sections: [
        {
          title: 'About you',
          questions: [
            { id: 'preferred_name', type: 'short_text', label: 'Preferred name', required: false },
            { id: 'pronouns', type: 'short_text', label: 'Pronouns', required: false },
            {
              id: 'emergency_contact',
              type: 'short_text',
              label: 'Emergency contact (name and phone)',
              required: true,
            },
          ],
        },
        {
          title: 'What brings you in',
          questions: [
            { id: 'reason', type: 'long_text', label: 'What would you like help with?', required: true },
            {
              id: 'previous_therapy',
              type: 'yes_no',
              label: 'Have you seen a therapist or counsellor before?',
              required: true,
            },
            {
              id: 'current_medications',
              type: 'long_text',
              label: 'Current medications, if any',
              required: false,
            },
          ],
        },
      ],
    },
  },
  {
    key: 'informed-consent-psychotherapy',
    title: 'Informed Consent for Psychotherapy',
    definition: {
      sections: [
        {
          title: 'Consent',
          questions: [
            {
              id: 'consent',
              type: 'consent',
              label: 'I consent to psychotherapy services',
              required: true,
              text:
                'Psychotherapy involves discussing personal matters and may bring up uncomfortable feelings. ' +
                'What you share is confidential, except where the law requires disclosure (risk of serious ' +
                'harm to yourself or others, abuse of a child or vulnerable adult, or a court order). ' +
                'You may end treatment at any time.',
            },
          ],
        },
      ],
    },
  },
  {
    key: 'notice-of-privacy-practices',
    title: 'Notice of Privacy Practices',
    definition: {
      sections: [
        {
          title: 'Acknowledgement',
          questions: [
            {
              id: 'acknowledgement',
              type: 'consent',
              label: 'I acknowledge that I received the Notice of Privacy Practices',
              required: true,
              text:
                'This notice describes how health information about you may be used and disclosed and how ' +
                'you can get access to this information. Please review it carefully.',
            },
          ],
        },
      ],
    },
  },
];
