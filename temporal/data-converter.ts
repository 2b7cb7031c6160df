import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, type PayloadKey } from './payload-codec';

export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** The data converter every client and worker of this service must use. */
export function createDataConverter(keys: readonly PayloadKey[]): DataConverter {
  return {
    payloadCodecs: [new AesGcmPayloadCodec(keys)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
