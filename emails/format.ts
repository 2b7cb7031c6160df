/**
 * A moment as the recipient reads it in the practice's time zone, e.g.
 * "Tuesday, 1 December 2026 at 12:00 PM EST". The time is part of it
 * because a link that dies at 00:05 on the 1st would otherwise look valid
 * for a whole day more. Assembled from parts rather than one locale's
 * pattern so that the text does not change with the ICU version Node ships.
 */
export function formatDateTime(iso: string, timeZone: string): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) throw new RangeError('formatDateTime needs an ISO 8601 date-time');
  const date = partsOf(instant, timeZone, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const time = partsOf(instant, timeZone, { hour: 'numeric', minute: '2-digit', hour12: true, timeZoneName: 'short' });
  return (
    `${date.weekday}, ${date.day} ${date.month} ${date.year} ` +
    `at ${time.hour}:${time.minute} ${time.dayPeriod} ${time.timeZoneName}`
  );
}

function partsOf(
  instant: Date,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
): Partial<Record<Intl.DateTimeFormatPartTypes, string>> {
  const parts = new Intl.DateTimeFormat('en-US', { ...options, timeZone }).formatToParts(instant);
  return Object.fromEntries(parts.map((part) => [part.type, part.value]));
}

/**
 * "in less than a day", "in 1 day", "in 3 days". `daysLeft` is whole days
 * rounded down, so 0 still means the link works for a few more hours.
 */
export function formatDaysLeft(daysLeft: number): string {
  if (daysLeft < 1) return 'in less than a day';
  return daysLeft === 1 ? 'in 1 day' : `in ${daysLeft} days`;
}
