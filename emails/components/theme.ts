/** Used when a practice has not chosen a colour: a calm teal, readable under white text. */
export const DEFAULT_BRAND_COLOR = '#0f766e';

export const colors = {
  page: '#f4f4f5',
  card: '#ffffff',
  text: '#1f2937',
  muted: '#6b7280',
  rule: '#e5e7eb',
} as const;

export const fontFamily =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif, 'Apple Color Emoji'";

/**
 * Dark or white text, whichever reads better on the practice's colour: a
 * practice may pick a pale yellow, and a button's label must stay legible.
 * Uses the WCAG relative luminance; the crossover of ~0.18 is where the two
 * contrast ratios are equal.
 */
export function textColorOn(hex: string): string {
  const digits = hex.replace('#', '');
  const full = digits.length === 3 ? [...digits].map((d) => d + d).join('') : digits;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const channel = parseInt(full.slice(i, i + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.179 ? '#111827' : '#ffffff';
}
