// Loaded by path (DataConverter.failureConverterPath) by both the client and
// the worker's workflow bundle. Failure messages and stack traces can quote
// data, so they go into an encoded payload that the codec encrypts, instead
// of the plaintext fields of the history.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
