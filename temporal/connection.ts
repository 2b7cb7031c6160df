import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { NativeConnection } from '@temporalio/worker';
import type { AppConfig } from '../config/env';
import { createDataConverter } from './data-converter';

type TemporalSettings = AppConfig['temporal'];

function tlsConfig(settings: TemporalSettings): TLSConfig | undefined {
  if (!settings.tls) return undefined;
  const { certPath, keyPath, caPath, serverName } = settings.tls;
  return {
    ...(serverName ? { serverNameOverride: serverName } : {}),
    ...(caPath ? { serverRootCACertificate: readFileSync(caPath) } : {}),
    ...(certPath && keyPath ? { clientCertPair: { crt: readFileSync(certPath), key: readFileSync(keyPath) } } : {}),
  };
}

function connectionOptions(settings: TemporalSettings) {
  const tls = tlsConfig(settings);
  return {
    address: settings.address,
    ...(tls ? { tls } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
  };
}

/**
 * Client used by the API (start, signal, query, describe workflows).
 * `interceptors`: gRPC interceptors, e.g. the benches' call counter.
 */
export async function connectClient(
  config: Pick<AppConfig, 'temporal' | 'payloadKeys'>,
  options: { interceptors?: ConnectionOptions['interceptors'] } = {},
): Promise<Client> {
  const connection = await Connection.connect({
    ...connectionOptions(config.temporal),
    ...(options.interceptors ? { interceptors: options.interceptors } : {}),
  });
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(config.payloadKeys),
  });
}

/** Connection used by the worker. */
export function connectWorker(settings: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(settings));
}
