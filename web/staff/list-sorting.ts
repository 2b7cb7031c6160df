/**
 * The list's column headers as sort links (?sort=col&dir=asc|desc, checked by
 * schemas/dashboard.ts): a click sorts by that column, a second click turns
 * the order round; aria-sort tells screen readers which column orders the list.
 */
import { defaultDirection, type DashboardSort, type SortDirection } from '../../schemas/dashboard';
import { html, type Html } from '../html';

/** What the link does, in words, for screen readers: "Created, sort newest first". */
const DIRECTION_WORDS: Partial<Record<DashboardSort, Record<SortDirection, string>>> = {
  created: { asc: 'oldest first', desc: 'newest first' },
  updated: { asc: 'oldest first', desc: 'newest first' },
  status: { asc: 'ascending', desc: 'descending' },
};

export function sortableHeader(
  column: DashboardSort,
  label: string,
  current: { sort: DashboardSort; dir?: SortDirection | undefined },
  link: (overrides: Record<string, string | undefined>) => string,
): Html {
  const active = current.sort === column;
  const dir = current.dir ?? defaultDirection(column);
  const next = active ? (dir === 'asc' ? 'desc' : 'asc') : defaultDirection(column);
  const described = (DIRECTION_WORDS[column] ?? { asc: 'A to Z', desc: 'Z to A' })[next];
  return html`<th scope="col" ${active ? html`aria-sort="${dir === 'asc' ? 'ascending' : 'descending'}"` : ''}>
    <a class="sort" href="${link({ sort: column, dir: next, page: undefined })}"
      >${label}<span class="visually-hidden">, sort ${described}</span
      >${active ? html`<span aria-hidden="true">${dir === 'asc' ? ' ▲' : ' ▼'}</span>` : ''}</a
    >
  </th>`;
}
