import type { ReactNode } from 'react';
import { Text } from '@react-email/components';
import { colors } from './theme';

export function Paragraph({ children }: { children: ReactNode }) {
  return (
    <Text style={{ color: colors.text, fontSize: '16px', lineHeight: '24px', margin: '0 0 16px' }}>{children}</Text>
  );
}

/** "Hi Ada," or, when we have no name to use, "Hello,". */
export function Greeting({ name }: { name: string }) {
  return <Paragraph>{name ? `Hi ${name},` : 'Hello,'}</Paragraph>;
}

/**
 * Text a practice typed into its settings, one paragraph per line. It is
 * plain text and stays plain: React escapes it, so markup a practice (or
 * whoever got into its settings) writes there is shown, never run.
 */
export function PlainTextParagraphs({ text }: { text: string }) {
  const paragraphs = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return (
    <>
      {paragraphs.map((paragraph, index) => (
        <Paragraph key={index}>{paragraph}</Paragraph>
      ))}
    </>
  );
}
