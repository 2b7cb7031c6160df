/**
 * The Staff page's "Invite a colleague" card (issue 19) and the practice's
 * invitations beneath it. A refused invitation (a bad address, an email that
 * already has an account or a pending invitation) comes back on the same
 * page with what was typed still in the fields.
 */
import { STAFF_ROLES } from '../../schemas/staff';
import type { TStaffInvitation } from '../../schemas/staff-invitations';
import { html, type Html } from '../html';

const ROLE_WORDS = { ADMIN: 'Admin', THERAPIST: 'Therapist', OPS: 'Ops' } as const;
const STATUS_WORDS: Record<TStaffInvitation['status'], string> = {
  PENDING: 'Waiting',
  USED: 'Accepted',
  EXPIRED: 'Expired',
  REVOKED: 'Revoked',
};

/** What the admin typed; kept after a refusal. */
export interface InviteTyped {
  email: string;
  displayName: string;
  role: (typeof STAFF_ROLES)[number];
  canInvite: boolean;
}

export const EMPTY_INVITE: InviteTyped = { email: '', displayName: '', role: 'THERAPIST', canInvite: false };

export function inviteCard(action: string, csrfToken: string, typed: InviteTyped): Html {
  return html`<form method="post" action="${action}" class="card" style="margin-top:1rem">
    <h2>Invite a colleague</h2>
    <p>They get an email with a link that works for 7 days (one reminder after 3) to choose their password.</p>
    <input type="hidden" name="_csrf" value="${csrfToken}" />
    <label for="invite-name">Name</label>
    <input id="invite-name" name="displayName" required maxlength="200" value="${typed.displayName}" />
    <label for="invite-email">Email</label>
    <input id="invite-email" name="email" type="email" required maxlength="254" value="${typed.email}" />
    <label for="invite-role">Role</label>
    <select id="invite-role" name="role">
      ${STAFF_ROLES.map(
        (role) => html`<option value="${role}" ${typed.role === role ? 'selected' : ''}>${ROLE_WORDS[role]}</option>`,
      )}
    </select>
    <label class="choice"
      ><input type="checkbox" name="canInvite" value="yes" ${typed.canInvite ? 'checked' : ''} /> May send portal
      invitations and intake forms (therapists; admins always may)</label
    >
    <button type="submit">Send invitation</button>
  </form>`;
}

export function invitationsCard(invitations: TStaffInvitation[]): Html {
  if (invitations.length === 0) return html``;
  return html`<div class="card" style="margin-top:1rem">
    <h2>Invitations</h2>
    <div class="table-scroll">
      <table class="list">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          ${invitations.map(
            (invitation) =>
              html`<tr>
                <td data-label="Name">${invitation.displayName}</td>
                <td data-label="Email">${invitation.email}</td>
                <td data-label="Role">${ROLE_WORDS[invitation.role]}</td>
                <td data-label="State">${STATUS_WORDS[invitation.status]}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </div>`;
}
