/** Server-rendered pages of the client portal: small, fast on a phone, no script needed. */
import type { TPracticeContact } from '../schemas/practice-settings';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** A trusted HTML fragment, so templates escape everything else by default. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Tagged template that escapes interpolated strings and keeps Html fragments. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    const parts = Array.isArray(value) ? value : [value];
    for (const part of parts) {
      if (part instanceof Html) out += part.value;
      else if (part !== null && part !== undefined && part !== false) out += escapeHtml(String(part));
    }
    out += strings[index + 1] ?? '';
  });
  return new Html(out);
}

const STYLE = `
  :root { --brand: #2f6f6a; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2428; background: #f4f6f6; }
  main { max-width: 28rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  header { background: var(--brand); color: #fff; padding: 0.9rem 1rem; font-weight: 600; }
  h1 { font-size: 1.4rem; margin: 0.5rem 0 1rem; }
  .card { background: #fff; border-radius: 12px; padding: 1.25rem; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  label { display: block; font-weight: 600; margin: 1rem 0 0.3rem; }
  .hint { font-weight: 400; color: #55606a; font-size: 0.9rem; }
  input { width: 100%; font: inherit; padding: 0.7rem 0.75rem; border: 1px solid #b8c2c8; border-radius: 8px; }
  /* One strong ring for every focusable thing (WCAG 2.4.7, 1.4.11): brand colour, offset so it shows on brand buttons too. */
  :focus-visible { outline: 3px solid var(--brand); outline-offset: 2px; }
  input:focus, textarea:focus { border-color: var(--brand); }
  button, .button { display: block; width: 100%; margin-top: 1.5rem; padding: 0.85rem; font: inherit; font-weight: 600; color: #fff; background: var(--brand); border: 0; border-radius: 8px; text-align: center; text-decoration: none; cursor: pointer; }
  .error { background: #fdecea; color: #8a1c12; border-radius: 8px; padding: 0.75rem; margin-bottom: 1rem; }
  .ok { background: #e8f5ee; color: #17522f; border-radius: 8px; padding: 0.75rem; margin-bottom: 1rem; }
  .row { display: flex; gap: 0.5rem; } .row > div { flex: 1; }
  footer { color: #4a555c; font-size: 0.85rem; margin-top: 2rem; text-align: center; }
  fieldset { border: 0; margin: 0; padding: 0; min-width: 0; }
  legend { padding: 0; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
  .form-section + .form-section { margin-top: 2rem; }
  .form-section h2 { font-size: 1.15rem; margin: 0 0 0.25rem; }
  .question { margin: 1.25rem 0 0; }
  .question > label, .question-label { display: block; font-weight: 600; margin: 0 0 0.3rem; }
  .question .hint { margin: 0 0 0.4rem; }
  .required { font-weight: 400; color: #55606a; }
  .question.has-error { border-left: 4px solid #8a1c12; padding-left: 0.75rem; }
  .field-error, .field-error-inline { color: #8a1c12; font-weight: 600; }
  .field-error { margin: 0 0 0.4rem; }
  textarea { display: block; width: 100%; min-height: 8rem; resize: vertical; font: inherit; padding: 0.7rem 0.75rem; border: 1px solid #b8c2c8; border-radius: 8px; }
  input[aria-invalid="true"], textarea[aria-invalid="true"] { border-color: #8a1c12; }
  input[type=radio], input[type=checkbox] { flex: none; width: 1.25rem; height: 1.25rem; margin: 0; padding: 0; accent-color: var(--brand); }
  .choices { display: flex; flex-direction: column; }
  label.choice { display: flex; align-items: center; gap: 0.75rem; min-height: 44px; margin: 0; padding: 0.35rem 0; font-weight: 400; cursor: pointer; overflow-wrap: anywhere; }
  .scale-item { margin: 1rem 0 0; }
  .scale-item > legend { margin-bottom: 0.4rem; }
  .scale-item.has-error .pill { border-color: #8a1c12; }
  .pills { display: flex; flex-wrap: wrap; gap: 0.5rem; }
  label.pill { display: inline-flex; align-items: center; gap: 0.5rem; min-height: 44px; max-width: 100%; margin: 0; padding: 0.4rem 0.85rem; font-weight: 400; background: #fff; border: 1px solid #b8c2c8; border-radius: 999px; cursor: pointer; overflow-wrap: anywhere; }
  label.pill:has(input:checked) { border-color: var(--brand); background: color-mix(in srgb, var(--brand) 12%, #fff); }
  .consent-text { margin: 0.3rem 0 0.75rem; padding-left: 0.85rem; border-left: 3px solid #d5dcdf; overflow-wrap: anywhere; }
  .consent-text h3 { font-size: 1rem; margin: 1.1rem 0 0.3rem; }
  .consent-text p { margin: 0 0 0.6rem; }
  /* The crisis message beside PHQ-9 item 9: shown once an answer above "Not at all" is picked, without script. */
  .crisis-note { display: none; margin: 0.75rem 0 0; padding: 0.75rem; border-radius: 8px; background: #fdecea; color: #5c130c; border-left: 4px solid #b42318; }
  .crisis-note.shown, .scale-item:has(input[data-crisis]:checked) .crisis-note { display: block; }
  .crisis-note p { margin: 0 0 0.4rem; } .crisis-note p:last-child { margin-bottom: 0; }
  .crisis-note a { color: inherit; }
  .needs-review h2 { font-size: 1.1rem; margin: 0 0 0.4rem; }
  .needs-review ul { margin: 0; padding-left: 1.25rem; }
  .needs-review a { color: inherit; font-weight: 600; }
  .answers { margin: 0; }
  .answer { margin: 1rem 0 0; padding-bottom: 0.75rem; border-bottom: 1px solid #e3e8ea; }
  .answer dt { font-weight: 600; }
  .answer dd { margin: 0.2rem 0 0; overflow-wrap: anywhere; }
  .answer dd p { margin: 0 0 0.5rem; }
  .answer ul { margin: 0.2rem 0 0; padding-left: 1.25rem; }
  .scale-answers li { margin-bottom: 0.35rem; }
  .scale-item-answer { display: block; font-weight: 600; }
  .not-answered { color: #4a555c; font-style: italic; }
  button.secondary, .button.secondary { color: var(--brand); background: #fff; border: 2px solid var(--brand); }
  /* Destructive actions (revoke, cancel): a red that keeps 6.5:1 contrast with white either way round. */
  button.danger, .button.danger { color: #fff; background: #b42318; border: 2px solid #b42318; }
  .documents { list-style: none; margin: 0; padding: 0; }
  .documents li { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 0.75rem; padding: 0.9rem 0; border-bottom: 1px solid #e3e8ea; }
  .documents li > a:first-child { flex: 1 1 12rem; font-weight: 600; min-height: 44px; display: flex; align-items: center; }
  .tag { font-size: 0.8rem; font-weight: 600; padding: 0.15rem 0.6rem; border-radius: 999px; background: #fff4d6; color: #6a4b00; }
  .tag-in_progress { background: #e4eefc; color: #1f3f73; }
  .tag-submitted { background: #e8f5ee; color: #17522f; }
  .signature { margin-top: 2rem; padding-top: 1rem; border-top: 2px solid #e3e8ea; }
  .signature h2 { font-size: 1.15rem; margin: 0 0 0.5rem; }
  header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 0.5rem; }
  header nav { display: flex; flex-wrap: wrap; gap: 0.35rem 1rem; align-items: center; font-weight: 400; }
  header nav a, header nav button { color: #fff; background: none; border: 0; padding: 0; margin: 0; width: auto; font: inherit; text-decoration: underline; cursor: pointer; }
  header nav form { margin: 0; }
  main.wide { max-width: 72rem; }
  .filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: 0.5rem 0.75rem; align-items: end; }
  .filters label { margin: 0 0 0.25rem; font-size: 0.9rem; }
  .filters button { margin-top: 0; }
  /* The filters fold into "Filters" on a phone, so the list starts on the first screen; wider, they are always open. */
  details.filters-box > summary { cursor: pointer; font-weight: 600; min-height: 44px; display: flex; align-items: center; }
  details.filters-box[open] > summary { margin-bottom: 0.75rem; }
  .filters-apply { display: flex; gap: 0.75rem; align-items: center; }
  @media (min-width: 40rem) {
    details.filters-box > summary { display: none; }
    details.filters-box::details-content { content-visibility: visible; }
  }
  table.list th a.sort { color: inherit; display: inline-block; min-height: 24px; }
  @media (max-width: 40rem) {
    .funnel { gap: 0.5rem; margin: 0.75rem 0; }
    .funnel div { padding: 0.5rem 0.75rem; }
    .funnel strong { font-size: 1.25rem; }
    .funnel span { line-height: 1.3; display: block; }
  }
  select { width: 100%; font: inherit; padding: 0.65rem 0.5rem; border: 1px solid #b8c2c8; border-radius: 8px; background: #fff; }
  .funnel { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: 0.75rem; margin: 1rem 0; }
  .funnel div { background: #fff; border-radius: 12px; padding: 0.75rem 1rem; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  .funnel strong { display: block; font-size: 1.5rem; }
  .funnel span { color: #55606a; font-size: 0.9rem; }
  table.list { width: 100%; border-collapse: collapse; background: #fff; border-radius: 12px; overflow: hidden; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  table.list th, table.list td { text-align: left; padding: 0.6rem 0.75rem; border-bottom: 1px solid #e3e8ea; vertical-align: top; }
  table.list th { font-size: 0.85rem; color: #55606a; background: #f8fafa; }
  .status { display: inline-block; font-size: 0.8rem; font-weight: 600; padding: 0.15rem 0.6rem; border-radius: 999px; background: #eef1f2; color: #33404a; white-space: nowrap; }
  .status-invited, .status-forms_outstanding { background: #e4eefc; color: #1f3f73; }
  .status-expired, .status-revoked, .status-invitation_bounced { background: #fff4d6; color: #6a4b00; }
  .status-registered, .status-complete { background: #e8f5ee; color: #17522f; }
  .status-failed { background: #fdecea; color: #8a1c12; }
  .pager { display: flex; justify-content: space-between; align-items: center; margin: 1rem 0; gap: 1rem; }
  .actions { display: flex; flex-wrap: wrap; gap: 0.5rem; }
  .actions a.button, .actions button { width: auto; margin: 0; padding: 0.6rem 1rem; }
  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1rem; margin: 0; }
  dl.facts dt { font-weight: 600; color: #55606a; }
  dl.facts dd { margin: 0; overflow-wrap: anywhere; }
  ol.timeline { margin: 0; padding-left: 1.25rem; }
  ol.timeline li { margin: 0.3rem 0; }
  .grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
  /* Portal home: each thing to do is its own card, the whole card one link; the areas below are quieter. */
  .section-heading { font-size: 1.1rem; margin: 0 0 0.6rem; }
  .tasks { display: grid; gap: 0.75rem; }
  .tasks > .ok { margin: 0; }
  a.task { display: block; background: #fff; border-radius: 12px; padding: 1rem 1.25rem; box-shadow: 0 1px 3px rgba(0,0,0,.08); border-left: 6px solid var(--brand); color: inherit; text-decoration: none; }
  .task-title { display: block; font-size: 1.1rem; font-weight: 700; }
  .task-detail { display: block; margin-top: 0.2rem; color: var(--brand); font-weight: 600; text-decoration: underline; }
  .all-set { border-left: 6px solid #17522f; }
  .all-set h2 { font-size: 1.2rem; margin: 0 0 0.4rem; color: #17522f; }
  .areas { display: grid; gap: 0.5rem; margin-top: 1.5rem; }
  .areas a { display: block; padding: 0.85rem 1rem; background: #fff; border: 1px solid #d5dcdf; border-radius: 8px; font-weight: 600; color: var(--brand); text-decoration: none; }
  .areas .area-title { text-decoration: underline; }
  .areas .hint { display: block; }
  .all-set p:last-child { margin-bottom: 0; }
  /* My Account: wider than a form on a desktop for its history table, narrower than a staff screen; dates on one line. */
  main.wide:has(> .account-page) { max-width: 60rem; }
  .table-scroll { overflow-x: auto; }
  table.history td.date, table.history td.amount { white-space: nowrap; }
  @media (min-width: 40rem) {
    .account-page .card > a.button { display: inline-block; width: auto; min-width: 16rem; margin-right: 0.75rem; }
  }
  @media (max-width: 40rem) {
    table.list thead { display: none; }
    table.list, table.list tbody, table.list tr, table.list td { display: block; width: 100%; }
    table.list tr { border-bottom: 6px solid #f4f6f6; padding: 0.4rem 0; }
    table.list td { border: 0; padding: 0.2rem 0.75rem; }
    table.list td[data-label]::before { content: attr(data-label) ": "; color: #55606a; font-size: 0.85rem; }
  }
  main.wide .card > h2 { font-size: 1.15rem; margin: 1.25rem 0 0.6rem; }
  main.wide .card > h2:first-child { margin-top: 0; }
  .filters input, .filters select { height: 2.75rem; padding-top: 0; padding-bottom: 0; }
  @media print {
    header, nav, footer, a.button, button, .no-print { display: none !important; }
    body, main, .card { background: #fff; box-shadow: none; border: 0; margin: 0; padding: 0; }
  }
`;

/** A tel: link for a phone number as the practice wrote it. */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^0-9+]/g, '')}`;
}

/** The footer (issue 13, bug 8): the practice and every way to reach it that it gave, or the product's name. */
export function footerContent(practiceName: string | undefined, contact: TPracticeContact | null | undefined): Html {
  if (!practiceName) return html`Client Portal`;
  if (!contact) return html`${practiceName}`;
  const { contactPhone, contactEmail, contactAddress, contactWebsite } = contact;
  const reach = [
    contactPhone ? html`<a href="${telHref(contactPhone)}">${contactPhone}</a>` : null,
    contactEmail ? html`<a href="mailto:${contactEmail}">${contactEmail}</a>` : null,
    contactWebsite ? html`<a href="${contactWebsite}">${contactWebsite.replace(/^https?:\/\//, '')}</a>` : null,
  ].filter((part): part is Html => part !== null);
  return html`<address>
    <strong>${practiceName}</strong>
    ${reach.length > 0 ? html`<br />${reach.map((part, index) => (index === 0 ? part : html` · ${part}`))}` : ''}
    ${contactAddress ? contactAddress.split('\n').map((line) => html`<br />${line}`) : ''}
  </address>`;
}

export function page(options: {
  title: string;
  practiceName?: string;
  brandColor?: string | null;
  /** How clients reach the practice, for the footer: every client-facing page passes it. */
  contact?: TPracticeContact | null;
  body: Html;
  /** Staff screens: a wide layout for tables, and links on the right of the header. */
  wide?: boolean;
  nav?: Html;
}): string {
  const brand = options.brandColor && /^#[0-9a-fA-F]{6}$/.test(options.brandColor) ? options.brandColor : null;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${options.title}</title>
        <style>
          ${new Html(STYLE)}${brand ? new Html(`:root{--brand:${brand}}`) : ''}
        </style>
      </head>
      <body>
        <header>
          <span>${options.practiceName ?? 'Client Portal'}</span>${options.nav ? html`<nav>${options.nav}</nav>` : ''}
        </header>
        <main class="${options.wide ? 'wide' : ''}">
          <h1>${options.title}</h1>
          ${options.body}
          <footer>${footerContent(options.practiceName, options.contact)}</footer>
        </main>
      </body>
    </html>`.value;
}
