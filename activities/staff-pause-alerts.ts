import type { ActivityDependencies } from '.';
import type { StaffPauseAlertInput } from '../workflows/staff-pause-alert';
import { sendTemplatedEmail } from './emails';

/** Issue 14, item 3: the admins' email when a colleague's sign-in is paused (workflows/staff-pause-alert.ts). */
export function createStaffPauseAlertActivities(
  deps: Pick<ActivityDependencies, 'db' | 'mailer' | 'metrics' | 'publicBaseUrl'>,
) {
  const { db } = deps;
  return {
    /**
     * One email per admin under `staff-sign-in-paused:<staff>:<pause end>:<admin>`,
     * so a retried activity sends none twice. The paused colleague is told too
     * when they are an admin: a lone admin is the only one who can act.
     */
    async sendStaffPauseAlert(input: StaffPauseAlertInput): Promise<{ admins: number }> {
      const paused = await db.staffUser.findUniqueOrThrow({
        where: { id: input.staffUserId },
        select: {
          displayName: true,
          organizationId: true,
          organization: { select: { name: true, slug: true, timeZone: true, brandColor: true } },
        },
      });
      const { organization } = paused;
      const admins = await db.staffUser.findMany({
        where: { organizationId: paused.organizationId, role: 'ADMIN' },
        orderBy: { createdAt: 'asc' },
        select: { id: true, email: true, displayName: true },
      });
      const pausedUntilMs = Date.parse(input.pausedUntil);
      for (const admin of admins) {
        await sendTemplatedEmail(deps, {
          organizationId: paused.organizationId,
          onboardingId: null,
          idempotencyKey: `staff-sign-in-paused:${input.staffUserId}:${pausedUntilMs}:${admin.id}`,
          template: 'staff-sign-in-paused-staff',
          to: admin.email,
          props: {
            practiceName: organization.name,
            brandColor: organization.brandColor ?? undefined,
            timeZone: organization.timeZone,
            recipientName: admin.displayName,
            pausedStaffName: paused.displayName,
            door: input.door,
            pausedUntil: input.pausedUntil,
            securityPageUrl: `${deps.publicBaseUrl}/staff/${organization.slug}/security/team`,
          },
        });
      }
      return { admins: admins.length };
    },
  };
}
