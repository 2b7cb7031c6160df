/**
 * What every signed-in dashboard page shares: the practice and staff member
 * of the session, the page layout with its navigation, CSRF, and the check
 * that the staff member may reach an onboarding.
 */
import type { Client } from '@temporalio/client';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Logger } from '../../observability/logger';
import type { AppMetrics } from '../../observability/metrics';
import type { Db } from '../../db/client';
import { setCookie } from '../../http/cookies';
import type { SecretBox } from '../../security/secret-box';
import { SESSION_ABSOLUTE_MS } from '../../use-cases/accounts/portal-sessions';
import { AppError } from '../../use-cases/app-error';
import type { StaffSessionUser } from '../../use-cases/accounts/staff-sessions';
import { accessibleOnboarding } from '../../use-cases/client-access-policy';
import type { StaffPrincipal } from '../../use-cases/staff-principal';
import { assertCsrf, csrfAfterSignIn, csrfField } from '../csrf';
import { html, page, type Html } from '../html';

export interface StaffDashboardDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  tokenSigningKey: Buffer;
  publicBaseUrl: string;
  /** Seals and opens the staff members' TOTP secrets and the secrets of integrations created on the admin pages. */
  secretBox: SecretBox;
  /** For the alarm when repeated wrong passwords pause a staff account. */
  logger?: Logger;
  metrics?: AppMetrics;
  /** Tests and `npm start`: callback URLs on this machine (see ApiDependencies). */
  allowPrivateCallbackTargets?: boolean;
}

const ZOnboardingId = z.uuid();

export interface StaffSession {
  org: { id: string; slug: string; name: string; brandColor: string | null; timeZone: string };
  user: StaffSessionUser;
}

export type StaffPages = ReturnType<typeof staffPages>;

export function staffPages(deps: StaffDashboardDeps) {
  const { db } = deps;
  const secure = deps.publicBaseUrl.startsWith('https://');
  const csrf = (req: Request, res: Response) => csrfField(req, res, deps.tokenSigningKey, secure, 'staff');
  const checkCsrf = (req: Request) => assertCsrf(req, deps.tokenSigningKey, secure, 'staff');
  const sessionOf = (res: Response) => res.locals.session as StaffSession;
  /** The session cookie, once every step of sign-in is passed. */
  const startSession = (res: Response, token: string) => {
    setCookie(res, 'staff', 'session', token, secure, { sameSite: 'lax', maxAge: SESSION_ABSOLUTE_MS / 1000 });
    // A new session gets a new CSRF binding: a token from before sign-in is refused after it.
    csrfAfterSignIn(res, 'staff', secure, token);
  };

  const layout = (req: Request, res: Response, title: string, body: Html) => {
    const { org, user } = sessionOf(res);
    return page({
      title,
      practiceName: org.name,
      brandColor: org.brandColor,
      wide: true,
      nav: html`<a href="/staff/${org.slug}">Onboardings</a>
        ${
          user.role === 'ADMIN'
            ? html`<a href="/staff/${org.slug}/integrations">Integrations</a>
                <a href="/staff/${org.slug}/api-keys">API keys</a>
                <a href="/staff/${org.slug}/staff-accounts">Staff</a>`
            : user.role === 'OPS'
              ? html`<a href="/staff/${org.slug}/delivery-health">Integrations</a>`
              : ''
        }
        <a href="/staff/${org.slug}/security">Security</a>
        <span>${user.displayName}</span>
        <form method="post" action="/staff/${org.slug}/logout">
          <input type="hidden" name="_csrf" value="${csrf(req, res)}" />
          <button type="submit">Sign out</button>
        </form>`,
      body,
    });
  };

  /** The onboarding id of a client page's path; a malformed one is a 404 like an unknown one. */
  const onboardingIdOf = (id: string): string => {
    const parsed = ZOnboardingId.safeParse(id);
    if (!parsed.success) throw new AppError('NOT_FOUND', 'malformed onboarding id');
    return parsed.data;
  };
  /**
   * Whether this staff member may reach the onboarding (use-cases/client-access-policy.ts,
   * as in the JSON API): another practice's, or a colleague's client for a
   * therapist, is a 404 like an unknown id. Called inside audited(), so a refusal is recorded.
   */
  const assertVisible = async (user: StaffPrincipal, onboardingId: string): Promise<void> => {
    await accessibleOnboarding(db, user, onboardingId, { id: true });
  };

  /**
   * Who an onboarding is about, for the client page and the confirmation steps (so nobody acts on
   * the wrong client); null for ops, who never see names. Call it after assertVisible.
   */
  const clientContact = async (user: StaffPrincipal, onboardingId: string) =>
    user.role === 'OPS'
      ? null
      : db.onboarding.findUniqueOrThrow({
          where: { id: onboardingId },
          select: {
            client: {
              select: {
                firstName: true,
                lastName: true,
                email: true,
                portalAccount: { select: { email: true, ownerName: true } },
              },
            },
            assignedStaff: { select: { displayName: true } },
          },
        });

  return {
    ...deps,
    secure,
    csrf,
    checkCsrf,
    sessionOf,
    startSession,
    layout,
    onboardingIdOf,
    assertVisible,
    clientContact,
  };
}
