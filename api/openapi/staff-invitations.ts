/** Staff invitations by email, sent and managed by the practice's admins (api/routes/staff-invitations.ts, issue 19). */
import {
  ZStaffInvitation,
  ZStaffInvitationId,
  ZStaffInvitationList,
  ZStaffInvitationRequest,
} from '../../schemas/staff-invitations';
import { error, json, operation, type Schema } from './operation';

const ADMINS_ONLY = error('Admins only');
const NO_SUCH = error('No such staff invitation in your organisation');
const UNAVAILABLE = error('Temporal is unavailable; retry');
const AUDITED = 'Audited as staff.';

function action(verb: 'resend' | 'revoke', summary: string, description: string): Schema {
  return operation({
    operationId: `${verb}StaffInvitation`,
    summary,
    description,
    tags: ['staff-accounts'],
    auth: 'staff',
    scope: 'admin',
    params: ZStaffInvitationId,
    responses: {
      200: json(ZStaffInvitation, 'The invitation as it now is'),
      403: ADMINS_ONLY,
      404: NO_SUCH,
      409: error(
        verb === 'revoke'
          ? 'Already accepted, already revoked, or another action on it is in progress'
          : 'Already accepted, or another action on it is in progress',
      ),
      503: UNAVAILABLE,
    },
  });
}

export function staffInvitationPaths(): Record<string, Schema> {
  return {
    '/v1/staff/invitations': {
      get: operation({
        operationId: 'listStaffInvitations',
        summary: 'The practice’s staff invitations, pending, accepted, expired and revoked (admins)',
        tags: ['staff-accounts'],
        auth: 'staff',
        scope: 'admin',
        responses: { 200: json(ZStaffInvitationList, 'Newest first, at most 200'), 403: ADMINS_ONLY },
      }),
      post: operation({
        operationId: 'inviteStaffMember',
        summary: 'Invite a colleague by email with a role and the invite permission (admins)',
        description: `Emails a single-use link that expires after 7 days, with one reminder after 3. The invitee chooses a password (and enrols the second factor where the practice requires one); the account is made then. Admins always may invite clients and ops never may, whatever canInvite says. ${AUDITED}invite.`,
        tags: ['staff-accounts'],
        auth: 'staff',
        scope: 'admin',
        body: ZStaffInvitationRequest,
        responses: {
          201: json(ZStaffInvitation, 'Invited; the email is on its way'),
          403: ADMINS_ONLY,
          409: error(
            'The email already has a staff account, or a pending invitation, in your practice; nothing was written',
          ),
          503: error('Saved, but Temporal could not take the invitation: resend it'),
        },
      }),
    },
    '/v1/staff/invitations/{invitationId}/resend': {
      post: action(
        'resend',
        'Send a new link with a new 7 days; the previous link stops working (admins)',
        `Also revives an expired or revoked invitation. ${AUDITED}invitation_resend.`,
      ),
    },
    '/v1/staff/invitations/{invitationId}/revoke': {
      post: action(
        'revoke',
        'Revoke the invitation: its link stops working now (admins)',
        `A resend gives a new link. ${AUDITED}invitation_revoke.`,
      ),
    },
  };
}
