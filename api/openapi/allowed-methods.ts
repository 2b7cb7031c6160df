import type { RequestHandler } from 'express';
import { AppError } from '../../use-cases/app-error';

/** Each documented path as a pattern ({id} matches one segment), with the methods it has. */
export function documentedPathPatterns(document: { paths: Record<string, object> }): {
  pattern: RegExp;
  methods: string[];
}[] {
  return Object.entries(document.paths).map(([path, operations]) => {
    const methods = Object.keys(operations).map((method) => method.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    const source = path
      .split(/\{\w+\}/)
      .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    return { pattern: new RegExp(`^${source}/?$`), methods };
  });
}

/**
 * After every route: a request for a documented path with a method it does
 * not have answers 405 with an Allow header, instead of the 404 of a path
 * that does not exist.
 */
export function methodNotAllowed(document: { paths: Record<string, object> }): RequestHandler {
  const patterns = documentedPathPatterns(document);
  return (req, res, next) => {
    const known = patterns.find(({ pattern }) => pattern.test(req.path));
    if (!known || known.methods.includes(req.method)) {
      next();
      return;
    }
    res.setHeader('Allow', known.methods.join(', '));
    next(new AppError('METHOD_NOT_ALLOWED', `${req.method} is not a method of ${req.path}`));
  };
}
