/** Staff accounts managed by the practice's admins (api/routes/staff.ts, issue 19). */
import {
  ZClientsReassigned,
  ZReassignClients,
  ZStaffDeactivated,
  ZStaffList,
  ZStaffMember,
  ZStaffPatch,
  ZStaffUserId,
} from '../../schemas/staff';
import { error, json, operation, type Schema } from './operation';

const ADMINS_ONLY = error('Admins only');
const NO_SUCH = error('No such staff member in your organisation');
const AUDITED = 'Audited as staff.';

export function staffPaths(): Record<string, Schema> {
  return {
    '/v1/staff': {
      get: operation({
        operationId: 'listStaff',
        summary: 'The practice’s staff: role, invite permission, active or not, open clients (admins)',
        tags: ['staff-accounts'],
        auth: 'staff',
        scope: 'read',
        responses: { 200: json(ZStaffList, 'Active staff first, then by name'), 403: ADMINS_ONLY },
      }),
    },
    '/v1/staff/{staffUserId}': {
      get: operation({
        operationId: 'getStaffMember',
        summary: 'One staff member (admins)',
        tags: ['staff-accounts'],
        auth: 'staff',
        scope: 'read',
        params: ZStaffUserId,
        responses: { 200: json(ZStaffMember, 'The staff member'), 403: ADMINS_ONLY, 404: NO_SUCH },
      }),
      patch: operation({
        operationId: 'updateStaffMember',
        summary: 'Change a staff member’s role or invite permission (admins)',
        description: `The practice keeps at least one active admin: demoting the only one is a 409. ${AUDITED}update.`,
        tags: ['staff-accounts'],
        auth: 'staff',
        scope: 'admin',
        params: ZStaffUserId,
        body: ZStaffPatch,
        responses: {
          200: json(ZStaffMember, 'The staff member as they now are'),
          403: ADMINS_ONLY,
          404: NO_SUCH,
          409: error('The only active admin cannot be demoted, or the account is deactivated'),
        },
      }),
    },
    '/v1/staff/{staffUserId}/deactivate': {
      post: operation({
        operationId: 'deactivateStaffMember',
        summary: 'Deactivate an account: sessions ended, API keys revoked, unfinished clients listed (admins)',
        description: `The account can no longer sign in and hears about no client. Its clients stay assigned until moved with reassign-clients. ${AUDITED}deactivate.`,
        tags: ['staff-accounts'],
        auth: 'staff',
        scope: 'admin',
        params: ZStaffUserId,
        responses: {
          200: json(ZStaffDeactivated, 'Deactivated; what was ended, and the clients to reassign'),
          403: ADMINS_ONLY,
          404: NO_SUCH,
          409: error('The only active admin, the caller’s own account, or an account already deactivated'),
        },
      }),
    },
    '/v1/staff/{staffUserId}/reassign-clients': {
      post: operation({
        operationId: 'reassignStaffClients',
        summary: 'Move every client assigned to this clinician to another, in one step (admins)',
        description: `toStaffUserId must be an active admin or therapist of the practice. ${AUDITED}reassign_clients.`,
        tags: ['staff-accounts'],
        auth: 'staff',
        scope: 'admin',
        params: ZStaffUserId,
        body: ZReassignClients,
        invalid:
          'A malformed id, a body that fails validation, or a toStaffUserId that is not an active admin or therapist of your practice; fields says which',
        responses: {
          200: json(ZClientsReassigned, 'How many clients moved'),
          403: ADMINS_ONLY,
          404: NO_SUCH,
        },
      }),
    },
  };
}
