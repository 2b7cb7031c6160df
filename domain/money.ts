/**
 * Amounts are whole cents (integers) everywhere: in the database, in workflow
 * payloads and in provider calls. Floating-point dollars never appear, so a
 * balance can never be off by a rounding error.
 */

/** Largest single payment the portal takes (USD 100,000.00): above it is a typo or an attack. */
export const MAX_PAYMENT_CENTS = 10_000_000;

/** "$1,234.50" for 123450 cents, in the practice's currency. */
export function formatMoney(cents: number, currency = 'usd'): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
}

/**
 * What a client typed as an amount ("45", "45.5", "$1,045.50") in cents, or
 * null when it is not an amount. Parsed as text, never through a float.
 */
export function parseAmountToCents(typed: string): number | null {
  const cleaned = typed
    .trim()
    .replace(/^\$/, '')
    .replace(/,(?=\d{3}(\D|$))/g, '');
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!match) return null;
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : null;
}

/** Smallest payment the portal takes, in cents ($0.50, the card processors' minimum). */
export const MIN_PAYMENT_CENTS = 50;

/**
 * What is wrong with a typed amount, in words the client can act on, or null
 * when it is a payable amount. Tells apart not-a-number, too many decimals and
 * below the minimum, so "50.555" is not answered with "at least $0.50".
 */
export function amountProblem(typed: string): string | null {
  const cents = parseAmountToCents(typed);
  if (cents === null) {
    const cleaned = typed.trim().replace(/^\$/, '').replace(/,/g, '');
    if (/^\d+\.\d{3,}$/.test(cleaned)) return 'Use at most two decimals, for example 50.55.';
    return 'Enter the amount as a number, for example 45.00.';
  }
  if (cents < MIN_PAYMENT_CENTS) return `Enter an amount of at least ${formatMoney(MIN_PAYMENT_CENTS)}.`;
  return null;
}
