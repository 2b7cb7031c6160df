/**
 * `npm run webhook:send -- [json]`: plays the demo EHR against a local
 * `npm start`: signs a chart.created event (Standard Webhooks) with the demo
 * integration's secret from the data folder and posts it. Without an
 * argument it sends a sample client with a fresh chart id.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEMO } from '../prisma/seed';
import { signWebhook } from '../security/standard-webhooks';
import { runMain } from './run-main';

runMain(async () => {
  const dataDir = path.resolve(process.env.LOCAL_DATA_DIR ?? path.join(__dirname, '..', '.data'));
  const secret = (await readFile(path.join(dataDir, 'demo-webhook-secret'), 'utf8')).trim();
  const url = `${process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`}/v1/webhooks/ehr/${DEMO.integrationId}`;
  const body =
    process.argv[2] ??
    JSON.stringify({
      type: 'chart.created',
      data: {
        externalChartId: `CHART-${randomUUID().slice(0, 8)}`,
        client: {
          firstName: 'Ada',
          lastName: 'Lovelace',
          dateOfBirth: '1990-12-10',
          email: `ada-${randomUUID().slice(0, 6)}@example.com`,
        },
        portal: { invite: true },
        formPackageKey: DEMO.defaultPackageKey,
        clinicianEmail: DEMO.therapistEmail,
      },
    });
  const id = `msg_${randomUUID()}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(secret, id, timestamp, body),
    },
    body,
  });
  process.stdout.write(`${response.status} ${await response.text()}\n`);
  if (!response.ok) process.exitCode = 1;
});
