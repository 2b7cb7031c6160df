/**
 * The client page's "Portal users" card (issue 15, seed 004's Client Portal
 * tab): who may use the client's portal, what they are to the client, what
 * they may use there and where their access stands, with where each one's own
 * invitation is (sent and until when, expired, revoked). Staff change them
 * through the API for now (api/routes/portal-users.ts).
 */
import type { TPortalUser } from '../../schemas/portal-users';
import { html, type Html } from '../html';
import { formatWhen } from './status-label';

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

/** Where the user's newest invitation stands, in words; nothing once they registered. */
function invitationWords(user: TPortalUser, timeZone: string): string | null {
  const { invitation } = user;
  if (!invitation || user.status === 'ACTIVE') return null;
  const when = formatWhen(invitation.expiresAt, timeZone);
  switch (invitation.state) {
    case 'PENDING':
      return `Invitation ${invitation.sequence > 1 ? 'resent' : 'sent'}, link valid until ${when}`;
    case 'EXPIRED':
      return `Invitation expired ${when}: resend to send a new link`;
    case 'REVOKED':
      return 'Invitation revoked';
    case 'LOCKED':
      return 'Invitation locked after too many wrong tries: resend to send a new link';
    case 'SUPERSEDED':
    case 'USED':
      return null;
  }
}

/** Where a manager may act on a contact's own invitation (web/staff/portal-user-actions.ts); null for no one. */
export interface PortalUserActionLinks {
  /** `/staff/<org>/onboardings/<id>`: the actions hang below it. */
  base: string;
}

/** Resend while not registered; revoke while a link is out. */
function contactActions(user: TPortalUser, links: PortalUserActionLinks | null): Html | '' {
  if (!links || user.isPrimary || user.status === 'ACTIVE') return '';
  const href = (action: string) => `${links.base}/portal-users/${user.portalUserId}/${action}`;
  return html`<span class="actions">
    <a class="button secondary" href="${href('resend-invite')}">Resend invite</a>
    ${
      user.status === 'INVITED' && user.invitation
        ? html`<a class="button danger" href="${href('revoke-invite')}">Revoke invite</a>`
        : ''
    }
  </span>`;
}

export function portalUsersSection(
  users: readonly TPortalUser[],
  clientName: string,
  timeZone: string,
  links: PortalUserActionLinks | null = null,
): Html {
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
                  ${
                    invitationWords(user, timeZone)
                      ? html`<span class="hint" data-testid="portal-user-invitation"
                          >${invitationWords(user, timeZone)}</span
                        >`
                      : ''
                  }
                  ${contactActions(user, links)}
                </li>`,
            )}
          </ul>`
        : html`<p class="hint">No one has been invited to this client’s portal yet.</p>`
    }
  </section>`;
}
