/**
 * The standard forms' earlier texts, exactly as version 1 stored them. The
 * seed compares a practice's newest version with these: a practice still on
 * one of them gets the current text as a new version (its signed forms keep
 * pointing at the old one); a practice that published its own text keeps it.
 */
import type { z } from 'zod';
import type { ZFormDefinition } from '../../domain/form-definition';

type Definition = z.input<typeof ZFormDefinition>;

const OVER_THE_LAST_TWO_WEEKS = [
  { label: 'Not at all', value: 0 },
  { label: 'Several days', value: 1 },
  { label: 'More than half the days', value: 2 },
  { label: 'Nearly every day', value: 3 },
];

export const EARLIER_STANDARD_DEFINITIONS: Record<string, Definition[]> = {
  /** "Roughly when did this start?" asked for an exact date. */
  'standard-intake-questionnaire': [
    {
      sections: [
        {
          title: 'About you',
          questions: [
            { id: 'preferred_name', type: 'short_text', label: 'Preferred name', required: false },
            { id: 'pronouns', type: 'short_text', label: 'Pronouns', required: false },
            {
              id: 'contact_preference',
              type: 'single_choice',
              label: 'How should we contact you?',
              required: true,
              options: ['Phone call', 'Text message', 'Email', 'Client Portal message'],
            },
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
              id: 'concerns',
              type: 'multiple_choice',
              label: 'Which of these have you been dealing with lately?',
              required: false,
              options: ['Anxiety or worry', 'Low mood', 'Sleep', 'Relationships', 'Work or school', 'Grief or loss'],
            },
            {
              id: 'concerns_since',
              type: 'date',
              label: 'Roughly when did this start?',
              required: false,
            },
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
  ],
  /** Asked the client to acknowledge a notice it did not show. */
  'notice-of-privacy-practices': [
    {
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
  ],
  /** Item 9 raised no crisis message and no alert. */
  'phq-9': [
    {
      sections: [
        {
          title: 'Over the last 2 weeks, how often have you been bothered by any of the following problems?',
          questions: [
            {
              id: 'phq9',
              type: 'scale',
              label: 'PHQ-9',
              required: true,
              options: OVER_THE_LAST_TWO_WEEKS,
              items: [
                { id: 'interest', label: 'Little interest or pleasure in doing things' },
                { id: 'mood', label: 'Feeling down, depressed, or hopeless' },
                { id: 'sleep', label: 'Trouble falling or staying asleep, or sleeping too much' },
                { id: 'energy', label: 'Feeling tired or having little energy' },
                { id: 'appetite', label: 'Poor appetite or overeating' },
                { id: 'self_worth', label: 'Feeling bad about yourself, or that you are a failure' },
                { id: 'concentration', label: 'Trouble concentrating on things' },
                { id: 'psychomotor', label: 'Moving or speaking slowly, or being fidgety or restless' },
                { id: 'self_harm', label: 'Thoughts that you would be better off dead, or of hurting yourself' },
              ],
              bands: [
                { min: 0, max: 4, label: 'Minimal' },
                { min: 5, max: 9, label: 'Mild' },
                { min: 10, max: 14, label: 'Moderate' },
                { min: 15, max: 19, label: 'Moderately severe' },
                { min: 20, max: 27, label: 'Severe' },
              ],
            },
          ],
        },
      ],
    },
  ],
};
