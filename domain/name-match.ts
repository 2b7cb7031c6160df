/**
 * Registration asks for the client's last name, and it must match the chart
 * (seed 001). People type names differently on a phone: "Núñez", "nunez",
 * "Nunez " and "De La Cruz" / "dela cruz" all mean the same person, so the
 * comparison ignores case, accents and whitespace.
 */
export function normalizeName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/\s+/g, '')
    .toLocaleLowerCase('en-US');
}

export function namesMatch(typed: string, onChart: string): boolean {
  const a = normalizeName(typed);
  return a.length > 0 && a === normalizeName(onChart);
}
