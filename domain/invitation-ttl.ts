/**
 * How long an invitation link stays valid: the practice's own lifetime
 * (minutes win over hours) or temporal.config.ts's default. The one rule,
 * used by the invitation activities and the staff pages that promise it.
 */
import { onboardingDurations } from '../temporal.config';

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

function parseDuration(text: string): number {
  const match = /^(\d+) days?$/.exec(text);
  if (!match) throw new Error(`unsupported duration "${text}" in temporal.config.ts`);
  return Number(match[1]) * DAY_MS;
}

export const DEFAULT_INVITATION_TTL_MS = parseDuration(onboardingDurations.invitationTtl);

export interface InvitationTtlSettings {
  invitationTtlMinutes: number | null;
  invitationTtlHours: number | null;
}

/** The lifetime of a new invitation link of this practice, in milliseconds. */
export function invitationTtlMs(org: InvitationTtlSettings): number {
  if (org.invitationTtlMinutes) return org.invitationTtlMinutes * MINUTE_MS;
  if (org.invitationTtlHours) return org.invitationTtlHours * HOUR_MS;
  return DEFAULT_INVITATION_TTL_MS;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/**
 * The lifetime in words, in the unit the practice set it in ("48 hours",
 * "30 minutes"), else the default's ("7 days").
 */
export function describeInvitationTtl(org: InvitationTtlSettings): string {
  if (org.invitationTtlMinutes) return plural(org.invitationTtlMinutes, 'minute');
  if (org.invitationTtlHours) return plural(org.invitationTtlHours, 'hour');
  return plural(DEFAULT_INVITATION_TTL_MS / DAY_MS, 'day');
}
