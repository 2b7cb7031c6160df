/**
 * The summary of an episode: one line per fault kind (injected, flows it hit,
 * and of those how many were lost or duplicated), one per invariant, and the
 * seed to replay it with.
 */
import { FAULT_KINDS } from './faults';
import type { EpisodeResult } from './episode';

function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  return rows.map((row) => row.map((cell, column) => String(cell).padEnd(widths[column]!)).join('  ')).join('\n');
}

export function summarize(result: EpisodeResult): string {
  const { ledger, faults, accounting } = result;
  const chartsWith = (kind: 'lost' | 'duplicated') =>
    new Set(accounting.violations.filter((v) => v.kind === kind && v.externalChartId).map((v) => v.externalChartId));
  const lost = chartsWith('lost');
  const duplicated = chartsWith('duplicated');
  const faultRows: (string | number)[][] = [['fault', 'injected', 'flows affected', 'lost', 'duplicated']];
  for (const kind of FAULT_KINDS) {
    const ofKind = faults.filter((fault) => fault.kind === kind && !fault.note?.startsWith('skipped'));
    if (ofKind.length === 0 && !faults.some((fault) => fault.kind === kind)) continue;
    // A flow is affected when it was under way while the fault lasted.
    const affected = ledger.filter((record) =>
      ofKind.some((fault) => record.startedAt <= fault.endedAt && record.finishedAt >= fault.startedAt),
    );
    const skipped = faults.some((fault) => fault.kind === kind && fault.note?.startsWith('skipped'));
    faultRows.push([
      `${kind}${skipped ? ' (skipped)' : ''}`,
      ofKind.length,
      affected.length,
      affected.filter((record) => lost.has(record.externalChartId)).length,
      affected.filter((record) => duplicated.has(record.externalChartId)).length,
    ]);
  }
  const checkRows: (string | number)[][] = [['invariant', 'checked', 'violations']];
  for (const check of accounting.checks) checkRows.push([check.name, check.checked, check.violations]);
  const scripts = ['register', 'resend', 'cancel', 'wait']
    .map((script) => `${script} ${ledger.filter((record) => record.script === script).length}`)
    .join(', ');
  const lines = [
    `seed ${result.seed}: ${ledger.length} charts (${scripts}), ` +
      `${ledger.reduce((sum, record) => sum + record.deliveries, 0)} webhook deliveries; email provider answered ` +
      Object.entries(result.providerAnswers)
        .map(([status, count]) => `${status === '0' ? 'dropped' : status} x${count}`)
        .join(', '),
    `EHR callback endpoint answered ` +
      (Object.entries(result.callbackAnswers)
        .map(([status, count]) => `${status === '0' ? 'down' : status} x${count}`)
        .join(', ') || 'nothing') +
      (result.accounting.callbacksRetrying > 0
        ? `; ${result.accounting.callbacksRetrying} callbacks still retrying`
        : ''),
    '',
    table(faultRows),
    '',
    table(checkRows),
  ];
  if (accounting.violations.length > 0) {
    lines.push('', `${accounting.violations.length} violations (first 20):`);
    for (const violation of accounting.violations.slice(0, 20)) {
      lines.push(`  [${violation.check}/${violation.kind}] ${violation.externalChartId ?? ''} ${violation.detail}`);
    }
    lines.push('', `replay with: npm run chaos -- --seed ${result.seed}`);
  }
  return lines.join('\n');
}
