/**
 * A consent's text as blocks: blank lines separate paragraphs, and a
 * paragraph of one line starting with "## " is a heading. Enough structure
 * for a Notice of Privacy Practices to keep its headings on the page and in
 * the PDF, without letting a form definition carry markup.
 */
export type ConsentBlock = { kind: 'heading'; text: string } | { kind: 'paragraph'; lines: string[] };

export function consentBlocks(text: string): ConsentBlock[] {
  return text
    .split(/\r?\n\s*\n/)
    .map((block) => block.split(/\r?\n/).map((line) => line.trim()))
    .map((lines) => lines.filter((line) => line !== ''))
    .filter((lines) => lines.length > 0)
    .map((lines): ConsentBlock => {
      const heading = lines.length === 1 ? /^##\s+(.+)$/.exec(lines[0]!) : null;
      return heading ? { kind: 'heading', text: heading[1]! } : { kind: 'paragraph', lines };
    });
}
