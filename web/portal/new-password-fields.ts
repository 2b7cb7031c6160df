import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../security/passwords';
import { html, type Html } from '../html';

/** A new password and its repetition: registration and password reset ask the same way. */
export function newPasswordFields(): Html {
  return html`<label for="password"
      >New password <span class="hint">(at least ${MIN_PASSWORD_LENGTH} characters)</span></label
    >
    <input
      id="password"
      name="password"
      type="password"
      autocomplete="new-password"
      required
      minlength="${MIN_PASSWORD_LENGTH}"
      maxlength="${MAX_PASSWORD_LENGTH}"
    />
    <label for="passwordConfirmation">Repeat the password</label>
    <input
      id="passwordConfirmation"
      name="passwordConfirmation"
      type="password"
      autocomplete="new-password"
      required
      maxlength="${MAX_PASSWORD_LENGTH}"
    />`;
}
