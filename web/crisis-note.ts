import { html, type Html } from './html';

/**
 * Where to get help now: 988 and 911 (CRISIS_LINE_MESSAGE in
 * domain/crisis-answers.ts, with the numbers as links a phone can call), then
 * the practice's own words (its crisisMessage setting). Beside a crisis line
 * of a form (PHQ-9 item 9) it is hidden until an answer above the line's
 * threshold is picked, by CSS alone, as the portal runs no script; `shown`
 * renders it visible from the server: for an answer already given, and on
 * the pages after signing.
 */
export function crisisNote(practiceMessage: string | null, options: { shown: boolean }): Html {
  const practiceLines = (practiceMessage ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return html`<div class="crisis-note${options.shown ? ' shown' : ''}" aria-live="polite">
    <p>
      <strong
        >If you are in crisis, call or text <a href="tel:988">988</a> (Suicide &amp; Crisis Lifeline, US) or
        <a href="tel:911">911</a>.</strong
      >
    </p>
    ${practiceLines.length ? html`<p>${practiceLines.map((line, index) => (index ? html`<br />${line}` : line))}</p>` : ''}
  </div>`;
}
