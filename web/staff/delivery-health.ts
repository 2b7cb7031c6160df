/**
 * Integrations' delivery health, read-only, for ops and admins (issue 19,
 * item 4): per integration, callbacks delivered, failed and waiting this
 * week and when the last one failed. No payloads, no secrets, no clients.
 */
import { Router } from 'express';
import { HEALTH_WINDOW_DAYS, integrationHealth } from '../../use-cases/integrations/integration-health';
import { html } from '../html';
import { send } from '../send-page';
import { formatWhen } from './status-label';
import type { StaffPages } from './staff-session';

export function deliveryHealthRoutes(deps: StaffPages): Router {
  const router = Router();
  const { db, sessionOf, layout } = deps;

  router.get('/staff/:orgSlug/delivery-health', async (req, res) => {
    const { org, user } = sessionOf(res);
    const rows = await integrationHealth(db, user);
    const when = (date: Date | null) => (date ? formatWhen(date.toISOString(), org.timeZone) : '—');
    send(
      res,
      200,
      layout(
        req,
        res,
        'Integration delivery health',
        html`<div class="card">
          <p>Status callbacks to each EHR in the last ${HEALTH_WINDOW_DAYS} days.</p>
          <div class="table-scroll">
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">Integration</th>
                  <th scope="col">State</th>
                  <th scope="col">Delivered</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Waiting</th>
                  <th scope="col">Last failure</th>
                  <th scope="col">Last delivered</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  (row) =>
                    html`<tr>
                      <td data-label="Integration">${row.name}</td>
                      <td data-label="State">
                        ${row.active ? (row.hasCallbackUrl ? 'Active' : 'Active, no callbacks') : 'Disabled'}
                      </td>
                      <td data-label="Delivered">${row.delivered}</td>
                      <td data-label="Failed">${row.failed}</td>
                      <td data-label="Waiting">${row.pending}</td>
                      <td data-label="Last failure">${when(row.lastFailureAt)}</td>
                      <td data-label="Last delivered">${when(row.lastDeliveredAt)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>
        </div>`,
      ),
    );
  });

  return router;
}
