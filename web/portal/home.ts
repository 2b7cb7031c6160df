/** The portal home: what is left to do, and the way to each area. */
import { parse } from 'cookie';
import { Router } from 'express';
import { html, page } from '../html';
import { send } from '../send-page';
import { currentUser } from '../../use-cases/accounts/portal-sessions';
import { countOutstandingDocuments } from '../../use-cases/forms/portal-documents';
import { accountHolder } from '../../use-cases/billing/portal-payments';
import { findOrganizationBySlug } from '../../use-cases/practice/find-organization';
import { SESSION_COOKIE, type PortalContext } from './portal-session';
import { paymentStepPanel } from './payment-step';

export function homeRoutes(deps: PortalContext): Router {
  const router = Router();
  const base = '';
  const organizationBySlug = (slug: string) => findOrganizationBySlug(deps.db, slug);

  router.get('/portal/:orgSlug', async (req, res) => {
    const org = await organizationBySlug(req.params.orgSlug);
    const user = await currentUser(deps.db, parse(req.headers.cookie ?? '')[SESSION_COOKIE]);
    if (!user || user.organizationId !== org.id) {
      res.redirect(303, `${base}/portal/${org.slug}/login`);
      return;
    }
    const outstanding = await countOutstandingDocuments(deps.db, user);
    const csrf = deps.csrf(req, res);
    const paymentStep = await paymentStepPanel(deps, await accountHolder(deps.db, user), org, csrf);
    send(
      res,
      200,
      page({
        title: `Welcome, ${user.displayName}`,
        practiceName: org.name,
        contact: org.contact,
        brandColor: org.brandColor,
        body: html`<div class="card">
          ${paymentStep}
          ${
            outstanding > 0
              ? html`<p class="ok" role="status">
                  You have ${outstanding} ${outstanding === 1 ? 'form' : 'forms'} to complete.
                </p>`
              : html`<p>${org.name} will let you know by email when there are forms for you to complete.</p>`
          }
          <a class="button" href="${base}/portal/${org.slug}/documents">My Documents</a>
          <a class="button" href="${base}/portal/${org.slug}/account">My Account</a>
          <form method="post" action="${base}/portal/${org.slug}/logout">
            <input type="hidden" name="_csrf" value="${csrf}" />
            <button type="submit">Sign out</button>
          </form>
        </div>`,
      }),
    );
  });

  return router;
}
