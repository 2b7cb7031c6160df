import { Button, Link, Section, Text } from '@react-email/components';
import { colors, DEFAULT_BRAND_COLOR, textColorOn } from './theme';

export interface LinkButtonProps {
  href: string;
  label: string;
  brandColor?: string | undefined;
}

/**
 * A button with its URL printed underneath: some mail apps strip or block
 * buttons, and a client on a locked-down work phone can still copy the link.
 */
export function LinkButton({ href, label, brandColor = DEFAULT_BRAND_COLOR }: LinkButtonProps) {
  return (
    <Section style={{ margin: '24px 0' }}>
      <Button
        href={href}
        style={{
          backgroundColor: brandColor,
          borderRadius: '6px',
          color: textColorOn(brandColor),
          fontSize: '16px',
          fontWeight: 600,
          padding: '12px 20px',
          textDecoration: 'none',
        }}
      >
        {label}
      </Button>
      <Text style={{ color: colors.muted, fontSize: '13px', lineHeight: '20px', margin: '16px 0 0' }}>
        Button not working? Copy this link into your browser:
        <br />
        <Link href={href} style={{ color: colors.muted, wordBreak: 'break-all' }}>
          {href}
        </Link>
      </Text>
    </Section>
  );
}
