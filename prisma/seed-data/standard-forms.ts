/**
 * The three standard forms every practice starts with (seed 003): Standard
 * Intake Questionnaire, Informed Consent for Psychotherapy, Notice of Privacy
 * Practices. A change is a new version, never an edit: the texts they replace
 * are kept in earlier-standard-forms.ts so the seed can move a practice still
 * on one of them to the new version.
 * Plus two scored assessments (PHQ-9, GAD-7) a practice can add to a package.
 */
import type { z } from 'zod';
import type { ZFormDefinition } from '../../domain/form-definition';
import { noticeOfPrivacyPractices } from './notice-of-privacy-practices';
export interface StandardForm {
  key: string;
  title: string;
  definition: z.input<typeof ZFormDefinition>;
}

/**
 * The standard forms as a practice gets them: the Notice of Privacy Practices
 * names the practice, so what the client reads and signs is its own notice.
 */
export function standardForms(practiceName: string): StandardForm[] {
  return [
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
                // Text, not a date: people remember "spring 2024" or "after the move", rarely a day.
                id: 'concerns_since',
                type: 'short_text',
                label: 'Roughly when did this start?',
                help: 'A month and year, a season or a year is fine, for example: March 2024, spring 2024, 2023.',
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
                text: noticeOfPrivacyPractices(practiceName),
              },
            ],
          },
        ],
      },
    },
  ];
}

/** With a neutral name where the practice's goes: for tests and examples. */
export const STANDARD_FORMS: StandardForm[] = standardForms('the practice');

const OVER_THE_LAST_TWO_WEEKS = [
  { label: 'Not at all', value: 0 },
  { label: 'Several days', value: 1 },
  { label: 'More than half the days', value: 2 },
  { label: 'Nearly every day', value: 3 },
];

/** Scored assessments: not in the default package; practices add them (e.g. package "intake-with-assessments"). */
export const STANDARD_ASSESSMENTS: StandardForm[] = [
  {
    key: 'phq-9',
    title: 'Patient Health Questionnaire (PHQ-9)',
    definition: {
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
                {
                  id: 'self_harm',
                  label: 'Thoughts that you would be better off dead, or of hurting yourself',
                  // Item 9: any answer but "Not at all" shows the crisis message and alerts the practice.
                  crisisAbove: 0,
                },
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
  },
  {
    key: 'gad-7',
    title: 'Generalized Anxiety Disorder Assessment (GAD-7)',
    definition: {
      sections: [
        {
          title: 'Over the last 2 weeks, how often have you been bothered by the following problems?',
          questions: [
            {
              id: 'gad7',
              type: 'scale',
              label: 'GAD-7',
              required: true,
              options: OVER_THE_LAST_TWO_WEEKS,
              items: [
                { id: 'nervous', label: 'Feeling nervous, anxious, or on edge' },
                { id: 'control_worry', label: 'Not being able to stop or control worrying' },
                { id: 'worry_too_much', label: 'Worrying too much about different things' },
                { id: 'relaxing', label: 'Trouble relaxing' },
                { id: 'restless', label: 'Being so restless that it is hard to sit still' },
                { id: 'irritable', label: 'Becoming easily annoyed or irritable' },
                { id: 'afraid', label: 'Feeling afraid, as if something awful might happen' },
              ],
              bands: [
                { min: 0, max: 4, label: 'Minimal anxiety' },
                { min: 5, max: 9, label: 'Mild anxiety' },
                { min: 10, max: 14, label: 'Moderate anxiety' },
                { min: 15, max: 21, label: 'Severe anxiety' },
              ],
            },
          ],
        },
      ],
    },
  },
];
