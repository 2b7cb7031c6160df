/** Staff manage the people who use one client's portal (api/routes/portal-users.ts, issue 15). */
import { ZOnboardingParams } from '../../schemas/onboarding';
import {
  ZAddPortalUserRequest,
  ZPortalUser,
  ZPortalUserParams,
  ZPortalUsersResponse,
  ZUpdatePortalUserRequest,
} from '../../schemas/portal-users';
import { error, json, NO_SUCH_ONBOARDING, operation, type Schema } from './operation';

const MANAGERS = 'Only admins and therapists with the invite permission (seed 003)';
const NO_SUCH_USER = `${NO_SUCH_ONBOARDING}, or no such portal user of its client`;

/** A contact's own invitation (workflows/portal-user-invitation.ts); the primary user's is the onboarding's. */
const invitationAction = (operationId: string, summary: string) => ({
  post: operation({
    operationId,
    summary,
    tags: ['staff'],
    auth: 'staff',
    scope: 'act',
    params: ZPortalUserParams,
    responses: {
      200: json(ZPortalUser, 'The portal user with their newest invitation'),
      403: error(MANAGERS),
      404: error(NO_SUCH_USER),
      409: error(
        'Not possible in the current state (registered, already revoked, the primary user); the message says why',
      ),
      503: error('Temporal is unavailable; retry'),
    },
  }),
});

export function portalUserPaths(): Record<string, Schema> {
  return {
    '/v1/onboardings/{onboardingId}/portal-users': {
      get: operation({
        operationId: 'listPortalUsers',
        summary: 'The people who use the client’s portal: relationship, permissions, status (PHI: audited)',
        tags: ['staff'],
        auth: 'staff',
        scope: 'read',
        params: ZOnboardingParams,
        responses: {
          200: json(ZPortalUsersResponse, 'The primary user first, then contacts in the order added'),
          403: error('Ops staff never read a client’s contacts'),
          404: error(NO_SUCH_ONBOARDING),
          409: error('The chart has not been created yet'),
        },
      }),
      post: operation({
        operationId: 'addPortalUser',
        summary: 'Add a contact (parent, guardian, spouse, other) as a portal user of the client (seed 004)',
        description:
          'One email is one person per practice: an email that already has a portal user (of another client) gives that person access to this client too.',
        tags: ['staff'],
        auth: 'staff',
        scope: 'act',
        params: ZOnboardingParams,
        body: ZAddPortalUserRequest,
        responses: {
          201: json(ZPortalUser, 'The new portal user, INVITED; their own invitation is on its way'),
          403: error(MANAGERS),
          404: error(NO_SUCH_ONBOARDING),
          409: error('Already a portal user of this client, or the chart has not been created yet'),
          503: error('Added, but Temporal could not take their invitation: Resend invitation sends it'),
        },
      }),
    },
    '/v1/onboardings/{onboardingId}/portal-users/{portalUserId}': {
      patch: operation({
        operationId: 'updatePortalUser',
        summary: 'Change a portal user’s relationship or permissions',
        tags: ['staff'],
        auth: 'staff',
        scope: 'act',
        params: ZPortalUserParams,
        body: ZUpdatePortalUserRequest,
        responses: {
          200: json(ZPortalUser, 'The portal user as now'),
          403: error(MANAGERS),
          404: error(NO_SUCH_USER),
          409: error('The chart has not been created yet'),
        },
      }),
      delete: operation({
        operationId: 'removePortalUser',
        summary: 'Remove a contact from the client’s portal users',
        tags: ['staff'],
        auth: 'staff',
        scope: 'act',
        params: ZPortalUserParams,
        responses: {
          204: { description: 'Removed' },
          403: error(MANAGERS),
          404: error(NO_SUCH_USER),
          409: error('The primary user is changed with Change Ownership, not removed; or there is no chart yet'),
        },
      }),
    },
    '/v1/onboardings/{onboardingId}/portal-users/{portalUserId}/invitation/resend': invitationAction(
      'resendPortalUserInvitation',
      'Resend a contact’s invitation: a new link, a fresh lifetime; the first link if none was sent',
    ),
    '/v1/onboardings/{onboardingId}/portal-users/{portalUserId}/invitation/revoke': invitationAction(
      'revokePortalUserInvitation',
      'Revoke a contact’s invitation: their link stops working until staff resend',
    ),
  };
}
