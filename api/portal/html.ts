/** Server-rendered pages of the client portal: small, fast on a phone, no script needed. */

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
  input:focus { outline: 3px solid color-mix(in srgb, var(--brand) 40%, transparent); border-color: var(--brand); }
  button, .button { display: block; width: 100%; margin-top: 1.5rem; padding: 0.85rem; font: inherit; font-weight: 600; color: #fff; background: var(--brand); border: 0; border-radius: 8px; text-align: center; text-decoration: none; cursor: pointer; }
  .error { background: #fdecea; color: #8a1c12; border-radius: 8px; padding: 0.75rem; margin-bottom: 1rem; }
  .ok { background: #e8f5ee; color: #17522f; border-radius: 8px; padding: 0.75rem; margin-bottom: 1rem; }
  .row { display: flex; gap: 0.5rem; } .row > div { flex: 1; }
  footer { color: #6b767e; font-size: 0.85rem; margin-top: 2rem; text-align: center; }
`;

export function page(options: {
  title: string;
  practiceName?: string;
  brandColor?: string | null;
  body: Html;
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
        <header>${options.practiceName ?? 'Client Portal'}</header>
        <main>
          <h1>${options.title}</h1>
          ${options.body}
          <footer>Client Portal</footer>
        </main>
      </body>
    </html>`.value;
}
