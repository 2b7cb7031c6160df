import type { Response } from 'express';

const TITLE = /<title>([\s\S]*?)<\/title>/;
/** The header's first line names the practice (web/html.ts page()); escaped already, so it is reused as is. */
const PRACTICE = /<header>\s*<span>([\s\S]*?)<\/span>/;

/**
 * A page answered with an error status says so first in its <title>, the
 * first thing a screen reader announces and what a browser tab shows
 * ("Page not found – Riverbend Counseling", "Error: This link has expired –
 * …", WCAG 2.4.2 and 3.3.1). Done here because only the sender knows the
 * status: the same page renders for a first visit (200) and after a
 * mistake (400, 422).
 */
export function errorTitled(body: string, status: number): string {
  if (status < 400) return body;
  const title = TITLE.exec(body)?.[1]?.trim();
  // Sent twice, or titled by its page already.
  if (title === undefined || /^(Error:|Page not found).* – /.test(title)) return body;
  const practice = PRACTICE.exec(body)?.[1]?.trim() || 'Client Portal';
  const what = /^(Error:|Page not found)/.test(title) ? title : `Error: ${title}`;
  return body.replace(TITLE, () => `<title>${what} – ${practice}</title>`);
}

/** Sends a rendered page with its status. */
export function send(res: Response, status: number, body: string): void {
  res.status(status).type('html').send(errorTitled(body, status));
}
