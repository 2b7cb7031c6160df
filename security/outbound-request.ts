import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isForbiddenAddress } from './outbound-address';

/**
 * Why a request was not answered, in words that say nothing more: a refused
 * target, a refused connection, a timeout and a bad certificate read the
 * same, so the delivery log cannot be used to scan the network behind us.
 */
export const UNREACHABLE = 'the callback URL could not be reached';

export class OutboundUnreachableError extends Error {
  constructor(options?: ErrorOptions) {
    super(UNREACHABLE, options);
    this.name = 'OutboundUnreachableError';
  }
}

export interface OutboundPostOptions {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /**
   * Lets plain http and loopback or private addresses through: for tests and
   * `npm start`, whose EHR stand-ins listen on this machine. Never in production.
   */
  allowPrivateTargets: boolean;
}

/** Whether a URL may be called at all, before anything is resolved: https only, unless private targets are allowed. */
export function outboundUrlProblem(url: string, allowPrivateTargets: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'callback URL is not a URL';
  }
  if (parsed.protocol === 'https:') return null;
  if (!allowPrivateTargets) return 'callback URL must be https';
  return parsed.protocol === 'http:' ? null : 'callback URL is not http(s)';
}

/**
 * DNS resolution that refuses forbidden addresses. It runs inside the socket's
 * connect, so the address checked is the address connected to: a name that
 * answers differently the second time (DNS rebinding) gains nothing.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    const refused = !error && (addresses.length === 0 || addresses.some(({ address }) => isForbiddenAddress(address)));
    const failure =
      error ?? (refused ? Object.assign(new Error(`refused target ${hostname}`), { code: 'EREFUSEDTARGET' }) : null);
    if (failure) {
      callback(failure, '', 0);
      return;
    }
    if (options.all) {
      (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      return;
    }
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/**
 * POSTs `body` to `url` and answers the status code; the response body is
 * discarded unread. Redirects are not followed (a 3xx is just its status).
 * Any failure to get an answer throws OutboundUnreachableError.
 */
export function postOutbound(url: string, options: OutboundPostOptions): Promise<number> {
  const problem = outboundUrlProblem(url, options.allowPrivateTargets);
  if (problem) return Promise.reject(new Error(problem));
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // Node connects to an IP literal without a lookup, so a literal is checked here.
  if (!options.allowPrivateTargets && isIP(host) && isForbiddenAddress(host)) {
    return Promise.reject(new OutboundUnreachableError());
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const req = send(target, {
      method: 'POST',
      headers: { ...options.headers, 'content-length': Buffer.byteLength(options.body) },
      ...(options.allowPrivateTargets ? {} : { lookup: guardedLookup }),
      signal: AbortSignal.timeout(options.timeoutMs),
      // One connection per delivery: a pooled socket could outlive the address it was checked for.
      agent: false,
    });
    req.on('response', (res: IncomingMessage) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error) => reject(new OutboundUnreachableError({ cause: error })));
    req.end(options.body);
  });
}
