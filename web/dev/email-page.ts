import { html } from '../html';

/**
 * An email's HTML as a page of its own: react-email renders a document made
 * for mail clients (no <title>, no landmarks, no heading), which a browser
 * tab and a screen reader announce as nothing. This adds them around the
 * email, untouched, with a way back to the outbox.
 */
export function emailAsPage(email: string, options: { title: string; heading: string; meta: string }): string {
  const bar = html`<header
      style="background:#2f6f6a;color:#fff;padding:0.75rem 1rem;font:600 16px/1.5 system-ui,sans-serif"
    >
      <nav aria-label="Outbox">
        <a style="color:#fff" href="/dev/outbox">Email outbox</a> ·
        <a style="color:#fff" href="/dev/emails">Template previews</a> ·
        <a style="color:#fff" href="?format=text">Plain text</a>
      </nav>
    </header>
    <main>
      <div style="max-width:36rem;margin:0 auto;padding:1rem;font:16px/1.5 system-ui,sans-serif;color:#1d2428">
        <h1 style="font-size:1.3rem;margin:0 0 0.25rem">${options.heading}</h1>
        <p style="margin:0;color:#4a555c">${options.meta}</p>
      </div>
    </main>`.value;
  const title = html`<title>${options.title}</title>`.value;
  const withTitle = /<head[^>]*>/i.test(email)
    ? email.replace(/<head[^>]*>/i, (head) => `${head}${title}`)
    : `${title}${email}`;
  const withStart = /<body[^>]*>/i.test(withTitle)
    ? withTitle.replace(/<body[^>]*>/i, (body) => `${body}${bar}`)
    : `${bar}${withTitle}`;
  return /<\/body>/i.test(withStart) ? withStart.replace(/<\/body>/i, '</main></body>') : `${withStart}</main>`;
}
