/**
 * How a client reaches their practice, on every client-facing page (the
 * footer) and every dead end (an expired link, an error): issue 13, bug 8,
 * "contact your practice" named no practice and gave no way to reach it.
 */
import type { Db } from '../db/client';
import type { TPracticeContact } from '../schemas/practice-settings';
import { findOrganizationBySlug } from '../use-cases/practice/find-organization';
import { html, telHref, type Html } from './html';

/** What a page needs to name a practice and say how to reach it. */
export interface PagePractice {
  name: string;
  slug: string;
  brandColor: string | null;
  contact: TPracticeContact;
}

/**
 * "Please contact Riverside Counselling: call (555) 010-0199 or email
 * frontdesk@…", with links a phone can follow, or with `request` ("to send
 * you a new invitation") "Ask Riverside Counselling to send you a new
 * invitation: call …". Without contact details, the practice's name at
 * least; without a practice, says plainly that it is not known.
 */
export function howToReach(practice: Pick<PagePractice, 'name' | 'contact'> | null, request?: string): Html {
  if (!practice) {
    return html`<p>
      We could not tell which practice this link belongs to. Please contact your practice directly, by the phone number
      or email address you have for them.
    </p>`;
  }
  const { contactPhone, contactEmail } = practice.contact;
  const ways = [
    contactPhone ? html`call <a href="${telHref(contactPhone)}">${contactPhone}</a>` : null,
    contactEmail ? html`email <a href="mailto:${contactEmail}">${contactEmail}</a>` : null,
  ].filter((way): way is Html => way !== null);
  const lead = request ? html`Ask ${practice.name} ${request}` : html`Please contact ${practice.name}`;
  if (ways.length === 0) return html`<p>${lead}.</p>`;
  return html`<p>${lead}: ${ways.length === 2 ? html`${ways[0]} or ${ways[1]}` : ways[0]}.</p>`;
}

/**
 * The practice a /portal/<slug>/… or /staff/<slug>/… path names, or null
 * (another path, an unknown slug, or the database not answering: a dead end
 * must still render).
 */
export async function practiceOfPath(db: Db, path: string): Promise<PagePractice | null> {
  const slug = /^\/(?:portal|staff)\/([^/]+)/.exec(path)?.[1];
  if (!slug) return null;
  try {
    return await findOrganizationBySlug(db, decodeURIComponent(slug));
  } catch {
    return null;
  }
}
