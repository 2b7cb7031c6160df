/**
 * The dashboard's filters form: search, status, clinician and period, applied
 * with a visible Apply button (no script). On a phone it folds into a
 * "Filters" disclosure so the list starts on the first screen; on wider
 * screens it is always open (the styles in web/html.ts).
 */
import { html, type Html } from '../html';
import { STATUS_FILTERS, statusLabel } from './status-label';

export const FIELD_LABELS: Record<string, string> = {
  q: 'Search',
  status: 'Status',
  clinician: 'Clinician',
  from: 'Created from',
  to: 'Created to',
  sort: 'Sort',
  dir: 'Sort direction',
  page: 'Page',
};

/** The filters as typed: parsed ones, or the raw strings of a query that did not parse. */
export type FilterValues = {
  [key in 'q' | 'status' | 'clinician' | 'from' | 'to' | 'sort' | 'dir']?: string | undefined;
};

const FILTER_KEYS = ['q', 'status', 'clinician', 'from', 'to'] as const;

export function filtersForm(
  slug: string,
  role: string,
  clinicians: { id: string; displayName: string }[],
  values: FilterValues,
  options: { open: boolean },
): Html {
  const applied = FILTER_KEYS.filter((key) => values[key]).length;
  // sort and dir ride along hidden, so the order chosen by a column header survives applying filters.
  return html`<details class="card filters-box" ${options.open ? html`open` : ''}>
    <summary>Filters${applied ? ` (${applied} applied)` : ''}</summary>
    <form method="get" class="filters" action="/staff/${slug}">
      <div>
        <label for="q">Search</label>
        <input
          id="q"
          name="q"
          value="${values.q ?? ''}"
          placeholder="${role === 'OPS' ? 'Chart id' : 'Name or chart'}"
        />
      </div>
      <div>
        <label for="status">Status</label>
        <select id="status" name="status">
          <option value="">Any</option>
          ${STATUS_FILTERS.map(
            (status) =>
              html`<option value="${status}" ${values.status === status ? html`selected` : ''}>
                ${statusLabel(status, { total: 0, submitted: 0 }).replace(' 0/0', '')}
              </option>`,
          )}
        </select>
      </div>
      ${
        role === 'THERAPIST'
          ? ''
          : html`<div>
              <label for="clinician">Clinician</label>
              <select id="clinician" name="clinician">
                <option value="">Any</option>
                <option value="none" ${values.clinician === 'none' ? html`selected` : ''}>None assigned</option>
                ${clinicians.map(
                  (clinician) =>
                    html`<option value="${clinician.id}" ${values.clinician === clinician.id ? html`selected` : ''}>
                      ${clinician.displayName}
                    </option>`,
                )}
              </select>
            </div>`
      }
      <div>
        <label for="from">Created from</label>
        <input id="from" name="from" type="date" value="${values.from ?? ''}" />
      </div>
      <div>
        <label for="to">to</label>
        <input id="to" name="to" type="date" value="${values.to ?? ''}" />
      </div>
      ${values.sort ? html`<input type="hidden" name="sort" value="${values.sort}" />` : ''}
      ${values.dir ? html`<input type="hidden" name="dir" value="${values.dir}" />` : ''}
      <div class="filters-apply">
        <button type="submit">Apply</button>
        ${applied ? html`<a href="/staff/${slug}">Clear</a>` : ''}
      </div>
    </form>
  </details>`;
}
