/**
 * The admin's staff page (issue 19): the practice's staff with role, invite
 * permission, state and open clients; one staff member's page to change role
 * and permission, deactivate (behind a confirmation step; sessions and keys
 * end at once) and move all their clients to a colleague.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { originOf } from '../../http/audit-context';
import { STAFF_ROLES, ZStaffPatch, type TStaffMember } from '../../schemas/staff';
import { AppError } from '../../use-cases/app-error';
import {
  assertMayManageStaff,
  deactivateStaffMember,
  getStaffMember,
  listStaff,
  reassignClients,
  updateStaffMember,
} from '../../use-cases/accounts/manage-staff';
import { ZStaffInvitationRequest } from '../../schemas/staff-invitations';
import { inviteStaffMember, listStaffInvitations } from '../../use-cases/accounts/staff-invitations';
import { html } from '../html';
import { send } from '../send-page';
import { EMPTY_INVITE, inviteCard, invitationsCard, type InviteTyped } from './staff-invite-form';
import type { StaffPages } from './staff-session';

const ZId = z.uuid();
const ROLE_WORDS: Record<TStaffMember['role'], string> = { ADMIN: 'Admin', THERAPIST: 'Therapist', OPS: 'Ops' };

function idOf(value: string): string {
  const parsed = ZId.safeParse(value);
  if (!parsed.success) throw new AppError('NOT_FOUND', 'malformed staff member id');
  return parsed.data;
}

interface Notice {
  done?: string;
  problem?: string;
  /** What the admin chose on a role form that was refused: shown again, not the stored role. */
  typed?: { role: TStaffMember['role']; canInvite: boolean };
}

export function staffAccountRoutes(deps: StaffPages): Router {
  const router = Router();
  const { db, csrf, checkCsrf, sessionOf, layout } = deps;
  const base = (slug: string) => `/staff/${slug}/staff-accounts`;

  /** The staff list, the invite card (with what was typed after a refusal) and the invitations. */
  const listPage = async (
    req: Request,
    res: Response,
    notice: { done?: string; problem?: string; typed?: InviteTyped } = {},
  ) => {
    const { org, user } = sessionOf(res);
    const { staff } = await listStaff(db, user);
    const { invitations } = await listStaffInvitations(db, user);
    return layout(
      req,
      res,
      'Staff',
      html`${notice.done ? html`<p class="ok" role="status">${notice.done}</p>` : ''}
        ${notice.problem ? html`<p class="error" role="alert">${notice.problem}</p>` : ''}
        <div class="card">
          <div class="table-scroll">
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Sends invitations</th>
                  <th scope="col">Open clients</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                ${staff.map(
                  (member) =>
                    html`<tr>
                      <td data-label="Name"><a href="${base(org.slug)}/${member.id}">${member.displayName}</a></td>
                      <td data-label="Role">${ROLE_WORDS[member.role]}</td>
                      <td data-label="Sends invitations">
                        ${member.role === 'ADMIN' || member.canInvite ? 'Yes' : 'No'}
                      </td>
                      <td data-label="Open clients">${member.openClients}</td>
                      <td data-label="State">${member.active ? 'Active' : 'Deactivated'}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>
        </div>
        ${inviteCard(`${base(org.slug)}/invite`, csrf(req, res), notice.typed ?? EMPTY_INVITE)}
        ${invitationsCard(invitations)}`,
    );
  };

  router.get('/staff/:orgSlug/staff-accounts', async (req, res) => {
    send(res, 200, await listPage(req, res));
  });

  router.post('/staff/:orgSlug/staff-accounts/invite', async (req, res) => {
    checkCsrf(req);
    const { user } = sessionOf(res);
    assertMayManageStaff(user);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 300) : '');
    const role = STAFF_ROLES.find((candidate) => candidate === body.role) ?? 'THERAPIST';
    const typed: InviteTyped = {
      email: text(body.email),
      displayName: text(body.displayName),
      role,
      canInvite: body.canInvite === 'yes',
    };
    const request = ZStaffInvitationRequest.safeParse({ ...typed, email: typed.email.trim() });
    if (!request.success) {
      const issue = request.error.issues[0];
      const field = issue?.path[0] === 'email' ? 'The email' : 'The name';
      send(res, 400, await listPage(req, res, { problem: `${field} ${issue?.message ?? 'is not valid'}.`, typed }));
      return;
    }
    try {
      await inviteStaffMember(deps, user, request.data, originOf(req));
    } catch (error: unknown) {
      if (!(error instanceof AppError) || error.code !== 'CONFLICT') throw error;
      send(res, 409, await listPage(req, res, { problem: error.publicMessage, typed }));
      return;
    }
    send(res, 200, await listPage(req, res, { done: `Invitation sent to ${request.data.displayName}.` }));
  });

  const memberPage = async (req: Request, res: Response, id: string, notice: Notice = {}) => {
    const { org, user } = sessionOf(res);
    const member = await getStaffMember(db, user, id);
    const { staff } = await listStaff(db, user);
    const targets = staff.filter((other) => other.active && other.role !== 'OPS' && other.id !== id);
    const token = csrf(req, res);
    const shown = notice.typed ?? { role: member.role, canInvite: member.canInvite };
    return layout(
      req,
      res,
      member.displayName,
      html`${notice.done ? html`<p class="ok" role="status">${notice.done}</p>` : ''}
        ${notice.problem ? html`<p class="error" role="alert">${notice.problem}</p>` : ''}
        <div class="card">
          <p>${member.email} · ${ROLE_WORDS[member.role]} · ${member.active ? 'Active' : 'Deactivated'}</p>
          <p>
            ${member.hasPassword ? 'Has a dashboard password' : 'No dashboard password yet'} ·
            ${member.secondFactor ? 'second factor on' : 'no second factor'} · ${member.openClients} open
            client${member.openClients === 1 ? '' : 's'}
          </p>
        </div>
        ${
          member.active
            ? html`<form method="post" action="${base(org.slug)}/${id}/role" class="card" style="margin-top:1rem">
                <h2>Role and permission</h2>
                <input type="hidden" name="_csrf" value="${token}" />
                <label for="role">Role</label>
                <select id="role" name="role">
                  ${STAFF_ROLES.map(
                    (role) =>
                      html`<option value="${role}" ${shown.role === role ? 'selected' : ''}>
                        ${ROLE_WORDS[role]}
                      </option>`,
                  )}
                </select>
                <label class="choice"
                  ><input type="checkbox" name="canInvite" value="yes" ${shown.canInvite ? 'checked' : ''} /> May send
                  portal invitations and intake forms (therapists; admins always may)</label
                >
                <button type="submit">Save role</button>
              </form>`
            : ''
        }
        ${
          member.openClients > 0 || !member.active
            ? html`<form method="post" action="${base(org.slug)}/${id}/reassign" class="card" style="margin-top:1rem">
                <h2>Move their clients</h2>
                <p>Every client assigned to ${member.displayName} goes to the clinician you choose.</p>
                <input type="hidden" name="_csrf" value="${token}" />
                <label for="toStaffUserId">New clinician</label>
                <select id="toStaffUserId" name="toStaffUserId">
                  ${targets.map(
                    (other) =>
                      html`<option value="${other.id}">${other.displayName} (${ROLE_WORDS[other.role]})</option>`,
                  )}
                </select>
                <button type="submit" class="secondary">Move clients</button>
              </form>`
            : ''
        }
        <div class="card" style="margin-top:1rem">
          ${
            member.active && member.id !== user.staffUserId
              ? html`<form method="post" action="${base(org.slug)}/${id}/deactivate">
                  <input type="hidden" name="_csrf" value="${token}" />
                  <button type="submit" class="danger">Deactivate…</button>
                </form>`
              : ''
          }
          <a class="button secondary" href="${base(org.slug)}">All staff</a>
        </div>`,
    );
  };

  router.get('/staff/:orgSlug/staff-accounts/:staffUserId', async (req, res) => {
    send(res, 200, await memberPage(req, res, idOf(req.params.staffUserId)));
  });

  /** A refusal the admin can act on (the last admin, a bad choice) comes back on the same page, nothing changed. */
  const orProblem = async (
    req: Request,
    res: Response,
    id: string,
    act: () => Promise<string>,
    typed?: Notice['typed'],
  ) => {
    try {
      send(res, 200, await memberPage(req, res, id, { done: await act() }));
    } catch (error: unknown) {
      if (!(error instanceof AppError) || (error.code !== 'CONFLICT' && error.code !== 'VALIDATION_FAILED'))
        throw error;
      const problem = error.fields?.[0] ? `The new clinician ${error.fields[0].message}.` : error.publicMessage;
      send(
        res,
        error.code === 'CONFLICT' ? 409 : 400,
        await memberPage(req, res, id, { problem, ...(typed ? { typed } : {}) }),
      );
    }
  };

  router.post('/staff/:orgSlug/staff-accounts/:staffUserId/role', async (req, res) => {
    checkCsrf(req);
    const { user } = sessionOf(res);
    assertMayManageStaff(user);
    const id = idOf(req.params.staffUserId);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const patch = ZStaffPatch.safeParse({ role: body.role, canInvite: body.canInvite === 'yes' });
    if (!patch.success) throw new AppError('VALIDATION_FAILED', 'bad role form');
    const typed = { role: patch.data.role ?? 'THERAPIST', canInvite: patch.data.canInvite ?? false };
    await orProblem(
      req,
      res,
      id,
      async () => {
        await updateStaffMember(db, user, id, patch.data, originOf(req));
        return 'Role saved.';
      },
      typed,
    );
  });

  router.post('/staff/:orgSlug/staff-accounts/:staffUserId/reassign', async (req, res) => {
    checkCsrf(req);
    const { user } = sessionOf(res);
    assertMayManageStaff(user);
    const id = idOf(req.params.staffUserId);
    const to = (req.body as Record<string, unknown> | undefined)?.toStaffUserId;
    await orProblem(req, res, id, async () => {
      const { moved } = await reassignClients(db, user, id, { toStaffUserId: idOf(String(to)) }, originOf(req));
      return `${moved} client${moved === 1 ? '' : 's'} moved.`;
    });
  });

  router.post('/staff/:orgSlug/staff-accounts/:staffUserId/deactivate', async (req, res) => {
    checkCsrf(req);
    const { org, user } = sessionOf(res);
    assertMayManageStaff(user);
    const id = idOf(req.params.staffUserId);
    if ((req.body as Record<string, unknown> | undefined)?.confirm !== 'yes') {
      const member = await getStaffMember(db, user, id);
      send(
        res,
        200,
        layout(
          req,
          res,
          'Deactivate this account?',
          html`<form method="post" action="${base(org.slug)}/${id}/deactivate" class="card">
            <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
            <p>
              ${member.displayName} is signed out everywhere, their API keys stop working, and they can no longer sign
              in. Their ${member.openClients} open client${member.openClients === 1 ? '' : 's'} stay assigned to them
              until you move them.
            </p>
            <div class="actions" style="margin-top:1rem">
              <button type="submit" name="confirm" value="yes" class="danger">Yes, deactivate this account</button>
              <a class="button secondary" href="${base(org.slug)}/${id}">No, go back</a>
            </div>
          </form>`,
        ),
      );
      return;
    }
    await orProblem(req, res, id, async () => {
      const result = await deactivateStaffMember(db, user, id, originOf(req));
      const open = result.clientsToReassign.length;
      return `Deactivated: ${result.sessionsEnded} session${result.sessionsEnded === 1 ? '' : 's'} ended, ${result.apiKeysRevoked} API key${result.apiKeysRevoked === 1 ? '' : 's'} revoked.${open ? ` Move their ${open} open client${open === 1 ? '' : 's'} below.` : ''}`;
    });
  });

  return router;
}
