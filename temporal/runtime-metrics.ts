import type { RuntimeOptions } from '@temporalio/worker';

/**
 * Runtime options that make Temporal Core export the SDK's own metrics
 * (workflow completed/failed, task latencies, poller and slot usage) in
 * Prometheus format at http://<bindAddress>/metrics, beside our own registry.
 * Names keep the SDK's defaults (temporal_ prefix, durations in ms) so that
 * Temporal's documentation and dashboards apply as they are.
 *
 * Only Runtime.install takes these, once per process and before the first
 * native connection (a worker's, or the test/dev server's): the caller
 * installs the runtime first thing.
 */
export function temporalMetricsRuntimeOptions(
  bindAddress: string | undefined,
): Pick<RuntimeOptions, 'telemetryOptions'> {
  return bindAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress } } } } : {};
}
