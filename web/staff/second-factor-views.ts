/**
 * What the second-factor pages show, shared by sign-in (enrolment a practice
 * requires) and the staff member's own security page: the authenticator to
 * set up, the code field, and the recovery codes shown once.
 */
import type { EnrolmentDetails } from '../../use-cases/accounts/second-factor-enrolment';
import { Html, html } from '../html';

/** Inline and labelled, so the secret never leaves for a QR service and screen readers know what it is. */
function qrFigure(svg: string): Html {
  const labelled = svg.replace(
    '<svg ',
    '<svg role="img" aria-label="QR code for your authenticator app" width="200" height="200" ',
  );
  return new Html(`<div class="qr" style="max-width:200px;background:#fff">${labelled}</div>`);
}

/** The secret as a QR code and as text, and a field for the first code, which confirms it. */
export function enrolmentForm(options: {
  action: string;
  csrf: string;
  details: EnrolmentDetails;
  failed: boolean;
  typed?: string;
}): Html {
  const { details } = options;
  return html`<div class="card">
    <p>
      Scan this code with an authenticator app (such as Google Authenticator, Microsoft Authenticator, 1Password or
      Authy), then enter the 6-digit code it shows.
    </p>
    ${qrFigure(details.qrSvg)}
    <p>Cannot scan? Enter this key in the app instead (time-based, 6 digits):</p>
    <p><code data-testid="totp-secret" style="word-break:break-all;font-size:1.1rem">${details.secret}</code></p>
    ${
      options.failed
        ? html`<p class="error" role="alert" id="code-error">
            That code is not right. Check that the app shows this account, then enter the code it shows now.
          </p>`
        : ''
    }
    <form method="post" action="${options.action}">
      <input type="hidden" name="_csrf" value="${options.csrf}" />
      <label for="code">Code from the app</label>
      <input
        id="code"
        name="code"
        type="text"
        inputmode="numeric"
        autocomplete="one-time-code"
        pattern="[0-9 ]{6,7}"
        maxlength="7"
        required
        value="${options.typed ?? ''}"
        ${options.failed ? new Html('aria-invalid="true" aria-describedby="code-error"') : ''}
      />
      <button type="submit">Turn on</button>
    </form>
  </div>`;
}

/** The ten codes, once: only their hashes are kept. */
export function recoveryCodesCard(codes: string[], next: { href: string; label: string }): Html {
  return html`<div class="card">
    <p>
      <strong>Save these recovery codes now.</strong> Each signs you in once if you lose your authenticator. They are
      not shown again; print them or keep them in a password manager.
    </p>
    <ul data-testid="recovery-codes" style="font-family:monospace;font-size:1.1rem;columns:2 10rem">
      ${codes.map((code) => html`<li>${code}</li>`)}
    </ul>
    <p><a class="button" href="${next.href}">${next.label}</a></p>
  </div>`;
}

/** A field for a six-digit code or a recovery code. */
export function codeField(options: { failed: boolean; typed?: string; label?: string; id?: string }): Html {
  const id = options.id ?? 'code';
  return html`<label for="${id}">${options.label ?? 'Code from your authenticator app, or a recovery code'}</label>
    <input
      id="${id}"
      name="code"
      type="text"
      autocomplete="one-time-code"
      autocapitalize="characters"
      spellcheck="false"
      maxlength="24"
      required
      value="${options.typed ?? ''}"
      ${options.failed ? new Html(`aria-invalid="true" aria-describedby="${id}-error"`) : ''}
    />`;
}

export const WRONG_CODE =
  'That code is not right or was already used, or sign-in is paused for a few minutes after several tries.';
