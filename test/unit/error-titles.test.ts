/**
 * Error pages say so in their title (issue 13, accessibility): the title is
 * what a screen reader announces first and what the browser tab shows.
 */
import { html, page } from '../../web/html';
import { errorTitled } from '../../web/send-page';

const rendered = (title: string, practiceName?: string) =>
  page({ title, ...(practiceName ? { practiceName } : {}), body: html`<p>x</p>` });

const titleOf = (body: string) => /<title>([\s\S]*?)<\/title>/.exec(body)?.[1];

it('starts the title of a page sent with an error status with the error, then names the practice', () => {
  expect(titleOf(errorTitled(rendered('Page not found'), 404))).toBe('Page not found – Client Portal');
  expect(titleOf(errorTitled(rendered('Something went wrong', 'Riverbend Counseling'), 403))).toBe(
    'Error: Something went wrong – Riverbend Counseling',
  );
  expect(titleOf(errorTitled(rendered('Please wait a few minutes'), 429))).toBe(
    'Error: Please wait a few minutes – Client Portal',
  );
  expect(titleOf(errorTitled(rendered('Sign in', 'Riverbend & Co'), 401))).toBe('Error: Sign in – Riverbend &amp; Co');
});

it('leaves pages sent with success alone, and never says Error twice', () => {
  expect(titleOf(errorTitled(rendered('Sign in', 'Riverbend'), 200))).toBe('Sign in');
  const once = errorTitled(rendered('Sign in', 'Riverbend'), 422);
  expect(titleOf(errorTitled(once, 422))).toBe('Error: Sign in – Riverbend');
  const notFound = errorTitled(rendered('Page not found'), 404);
  expect(titleOf(errorTitled(notFound, 404))).toBe('Page not found – Client Portal');
});
