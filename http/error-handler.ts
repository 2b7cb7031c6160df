import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError, type AppErrorCode } from '../use-cases/app-error';
import { html, page } from '../web/html';
import { howToReach, type PagePractice } from '../web/practice-contact';
import { send } from '../web/send-page';
import { ZErrorResponse } from '../schemas/error-response';

/** The only place an application error becomes an HTTP status. */
const HTTP_STATUS: Record<AppErrorCode, number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_BODY: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  INSUFFICIENT_SCOPE: 403,
  CONFLICT: 409,
  EMAIL_IN_USE: 409,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  UNKNOWN_FORM_PACKAGE: 422,
  UNKNOWN_CLINICIAN: 422,
  UNKNOWN_CHART: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  INTEGRATION_DISABLED: 403,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** Turns zod issues into field errors. zod's messages never quote the input, so no PHI is echoed. */
export function fieldErrors(error: z.ZodError, prefix: readonly PropertyKey[] = []): AppError {
  return new AppError('VALIDATION_FAILED', 'request failed validation', {
    fields: error.issues.map((issue) => ({
      path: [...prefix, ...issue.path].map(String).join('.') || '(body)',
      message: issue.message,
    })),
  });
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof z.ZodError) return fieldErrors(error);
  // body-parser's errors carry `type`; they are client mistakes, not ours.
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.parse.failed') return new AppError('MALFORMED_BODY', 'body is not valid JSON');
  if (type === 'entity.too.large') return new AppError('BODY_TOO_LARGE', 'body too large');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new AppError('MALFORMED_BODY', String(type));
  }
  // The router's own 400s, e.g. a path parameter that is not valid percent-encoded UTF-8.
  if ((error as { status?: unknown }).status === 400) {
    return new AppError('VALIDATION_FAILED', 'malformed request URL', {
      publicMessage: 'The request URL is malformed.',
      fields: [{ path: '(url)', message: 'is not valid percent-encoded UTF-8' }],
    });
  }
  return new AppError('INTERNAL', 'unhandled error', { cause: error });
}

/**
 * @param practiceOfPath the practice a /portal/<slug>/… or /staff/<slug>/…
 *   path names, or null: its error pages name it, say how to reach it and
 *   link back, so no page a person reaches is a dead end.
 */
export function errorHandler(
  logger: Logger,
  practiceOfPath: (path: string) => Promise<PagePractice | null> = () => Promise.resolve(null),
): ErrorRequestHandler {
  return async (error: unknown, req, res, _next) => {
    const appError = toAppError(error);
    const status = HTTP_STATUS[appError.code];
    if (status >= 500) {
      logger.error(
        { err: appError.cause ?? appError, code: appError.code, requestId: req.id, status },
        appError.message,
      );
    } else {
      // A refusal the API exists to give (a bad field, an email in use, a finished onboarding) is
      // not a fault: one line with its code, no stack trace to scroll past when looking for real ones.
      logger.info({ code: appError.code, requestId: req.id, status }, appError.message);
    }
    const body = ZErrorResponse.parse({
      error: {
        code: appError.code,
        message: appError.publicMessage,
        ...(appError.fields ? { fields: appError.fields } : {}),
        requestId: req.id,
      },
    });
    if (req.path.startsWith('/portal') || req.path.startsWith('/staff')) {
      // People, not programs, read the portal: answer with a page, same message.
      const practice = await practiceOfPath(req.path);
      const portal = req.path.startsWith('/portal');
      // send() gives the page a title that starts with the error (web/send-page.ts).
      send(
        res,
        status,
        page({
          title: status === 404 ? 'Page not found' : 'Something went wrong',
          practiceName: practice?.name,
          brandColor: practice?.brandColor,
          contact: portal ? practice?.contact : null,
          body: html`<div class="card">
            <p>${appError.publicMessage}</p>
            ${
              practice
                ? html`<a class="button" href="/${portal ? 'portal' : 'staff'}/${practice.slug}"
                    >${portal ? 'Go to your portal home' : 'Back to the dashboard'}</a
                  >`
                : ''
            }
            ${portal ? howToReach(practice) : ''}
          </div>`,
        }),
      );
      return;
    }
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(status).json(body);
  };
}
