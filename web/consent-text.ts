import { consentBlocks } from '../domain/consent-text';
import { html, type Html } from './html';

/**
 * A consent's text in full, in the flow of the page: a notice of several
 * screens read on a phone in a box of its own would scroll inside a scroll.
 */
export function consentText(text: string, id?: string): Html {
  return html`<div class="consent-text" ${id ? html` id="${id}"` : ''}>
    ${consentBlocks(text).map((block) =>
      block.kind === 'heading'
        ? html`<h3>${block.text}</h3>`
        : html`<p>${block.lines.map((line, index) => (index ? html`<br />${line}` : line))}</p>`,
    )}
  </div>`;
}
