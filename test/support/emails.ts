import { randomBytes } from 'node:crypto';
import { EmailPropsError, renderEmail, type EmailProps, type EmailTemplateId } from '../../emails/registry';

/** Any HTML tag: a plain-text part must have none. */
export const HTML_TAG = /<\/?[a-z][^>]*>/i;

/** A fresh marker to put in props and look for (or not) in what was rendered. */
export function unique(): string {
  return randomBytes(6).toString('hex');
}

/** Renders with props the type system would refuse, as a caller with bad data would. */
export function renderUnchecked(id: EmailTemplateId, props: Record<string, unknown>) {
  return renderEmail(id, props as EmailProps<typeof id>);
}

/** The EmailPropsError a render fails with (fails the test if it renders). */
export async function propsErrorOf(id: EmailTemplateId, props: Record<string, unknown>): Promise<EmailPropsError> {
  const error: unknown = await renderUnchecked(id, props).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EmailPropsError);
  return error as EmailPropsError;
}
