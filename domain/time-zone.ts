/** Whether the runtime knows `value` as an IANA time zone (America/New_York): what emails and pages format times in. */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
