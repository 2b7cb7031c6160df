import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';

const RAW_BODY = Symbol('rawBody');

type WithRawBody = IncomingMessage & { [RAW_BODY]?: string };

/** body-parser `verify` hook: keeps the bytes as received, for signature checks. */
export function keepRawBody(req: IncomingMessage, _res: unknown, buffer: Buffer): void {
  (req as WithRawBody)[RAW_BODY] = buffer.toString('utf8');
}

export function rawBodyOf(req: Request): string {
  return (req as unknown as WithRawBody)[RAW_BODY] ?? '';
}
