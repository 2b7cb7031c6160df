/**
 * The client page's "Portal users" card (issue 15, seed 004's Client Portal
 * tab): who may use the client's portal, what they are to the client, what
 * they may use there and where their access stands. Staff change them through
 * the API for now (api/routes/portal-users.ts).
 */
import type { TPortalUser } from '../../schemas/portal-users';
import { html, type Html } from '../html';

const RELATIONSHIP: Record<TPortalUser['relationship'], string> = {
  CLIENT: 'Client',
  PARENT: 'Parent',
  GUARDIAN: 'Guardian',
  SPOUSE: 'Spouse',
  OTHER: 'Other contact',
};

const PERMISSION: Record<TPortalUser['permissions'][number], string> = {
  BASIC: 'Basic',
  FORMS: 'Forms',
  BILLING: 'Billing',
  MESSAGES: 'Messages',
  APPOINTMENTS: 'Appointments',
};

const STATUS: Record<TPortalUser['status'], string> = {
  INVITED: 'Invited',
  ACTIVE: 'Active',
  REVOKED: 'Revoked',
};

export function portalUsersSection(users: readonly TPortalUser[], clientName: string): Html {
  return html`<section class="card" style="margin-top:1rem" data-testid="portal-users">
    <h2>Portal users</h2>
    ${
      users.length
        ? html`<ul class="documents">
            ${users.map(
              (user) =>
                html`<li data-testid="portal-user">
                  <span><strong>${user.name ?? clientName}</strong> <span class="hint">${user.email}</span></span>
                  <span>${RELATIONSHIP[user.relationship]}${user.isPrimary ? ' · primary' : ''}</span>
                  <span class="tag ${user.status === 'ACTIVE' ? 'tag-submitted' : ''}">${STATUS[user.status]}</span>
                  <span class="hint"
                    >May use: ${user.permissions.map((permission) => PERMISSION[permission]).join(', ')}</span
                  >
                </li>`,
            )}
          </ul>`
        : html`<p class="hint">No one has been invited to this client’s portal yet.</p>`
    }
  </section>`;
}
