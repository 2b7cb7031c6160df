import type { ReactNode } from 'react';
import { Body, Container, Head, Hr, Html, Preview, Section, Text } from '@react-email/components';
import { colors, DEFAULT_BRAND_COLOR, fontFamily } from './theme';

export interface EmailLayoutProps {
  practiceName: string;
  brandColor?: string | undefined;
  /** The line inboxes show after the subject. */
  preview: string;
  children: ReactNode;
}

/**
 * The frame of every email: the practice's name under a bar of its colour,
 * the content, and a footer that says who sent it and warns against replying
 * with health information (replies would land in an unmonitored mailbox, and
 * email is not where PHI should travel).
 */
export function EmailLayout({ practiceName, brandColor, preview, children }: EmailLayoutProps) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={{ backgroundColor: colors.page, fontFamily, margin: 0, padding: '24px 0' }}>
        <Container
          style={{
            backgroundColor: colors.card,
            borderTop: `4px solid ${brandColor ?? DEFAULT_BRAND_COLOR}`,
            borderRadius: '6px',
            maxWidth: '560px',
            padding: '24px 28px',
          }}
        >
          <Section>
            <Text style={{ color: colors.text, fontSize: '18px', fontWeight: 600, margin: '0 0 8px' }}>
              {practiceName}
            </Text>
          </Section>
          <Section>{children}</Section>
          <Hr style={{ borderColor: colors.rule, margin: '24px 0 16px' }} />
          <Text style={{ color: colors.muted, fontSize: '12px', lineHeight: '18px', margin: 0 }}>
            This is an automated message from {practiceName} via the Client Portal. Please don&apos;t reply to it, and
            never send health information by email: contact {practiceName} directly instead.
          </Text>
        </Container>
      </Body>
    </Html>
  );
}
