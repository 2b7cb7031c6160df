/** Operating the deployment: the Temporal remote codec, health and metrics. */
import { ZCodecRequest } from '../../schemas/codec';
import { error, json, operation, type Schema } from './operation';

/** The two remote-codec operations differ only in their words. */
const codecOperation = (operationId: string, summary: string, ok: string, bad: string) => ({
  post: operation({
    operationId,
    summary,
    tags: ['ops'],
    auth: 'staff',
    scope: 'ops',
    body: ZCodecRequest,
    checksMediaType: false,
    invalid: bad,
    responses: {
      200: json(ZCodecRequest, ok),
      403: error('Only ops and admins of the organisations that run the deployment (CODEC_OPERATOR_ORGANIZATIONS)'),
    },
  }),
});

/** Served only with payload keys (the codec's /codec). */
export function codecPaths(): Record<string, Schema> {
  return {
    '/codec/decode': codecOperation(
      'codecDecode',
      'Remote codec for the Temporal Web UI and CLI: decrypt payloads (the deployment’s operators; audited)',
      'The payloads, decoded ({"payloads":[{"metadata":{…},"data":"<base64>"}]})',
      'Not a codec request, or a payload that does not decrypt',
    ),
    '/codec/encode': codecOperation(
      'codecEncode',
      'Remote codec: encrypt payloads (the deployment’s operators; audited)',
      'The payloads, encrypted',
      'Not a codec request',
    ),
  };
}

export function healthPaths(): Record<string, Schema> {
  return {
    '/healthz': {
      get: operation({
        operationId: 'liveness',
        summary: 'Liveness',
        description: 'No credentials: it says nothing but that the process answers.',
        tags: ['ops'],
        auth: 'none',
        responses: { 200: { description: 'Alive' } },
      }),
    },
    '/readyz': {
      get: operation({
        operationId: 'readiness',
        summary: 'Readiness: database and Temporal reachable',
        description: 'No credentials: it says only which dependency is down.',
        tags: ['ops'],
        auth: 'none',
        responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready' } },
      }),
    },
    '/metrics': {
      get: operation({
        operationId: 'metrics',
        summary: 'Prometheus metrics (text exposition format)',
        description:
          'No staff API key. With METRICS_TOKEN set, send it as `Authorization: Bearer <token>`; without it, only clients on the same host (loopback) are answered and everyone else gets 404.',
        tags: ['ops'],
        auth: 'none',
        responses: {
          200: { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
          401: error('METRICS_TOKEN is set and the request does not carry it'),
          404: error('No METRICS_TOKEN is set and the client is not on this host'),
        },
      }),
    },
  };
}
