/**
 * Enforces the scope each staff operation declares in the OpenAPI document
 * (api/openapi/operation.ts, `x-api-key-scope`). The document is the one
 * place a route's scope is written: enforcing it here, and walking it in
 * test/integration/api-key-scopes.test.ts, means a route cannot be documented
 * with one scope and served with another.
 */
import { openApiDocument } from '../api/openapi/document';
import { SCOPE_EXTENSION } from '../api/openapi/operation';
import { scopeCovers, type ApiKeyScope } from '../domain/api-key-scope';
import { AppError } from '../use-cases/app-error';

interface ScopedOperation {
  pattern: RegExp;
  method: string;
  scope: ApiKeyScope;
  /** Fewer templated segments first: a literal path wins over a pattern that also matches it. */
  templates: number;
}

let table: ScopedOperation[] | null = null;

/** Every staff operation any deployment can serve (all options on; the server URL plays no part). */
function scopedOperations(): ScopedOperation[] {
  if (table) return table;
  const document = openApiDocument('http://scopes.invalid', {
    paymentsProvider: 'stripe',
    codec: true,
    emailEvents: true,
  }) as { paths: Record<string, Record<string, Record<string, unknown>>> };
  table = Object.entries(document.paths)
    .flatMap(([path, operations]) => {
      const source = path
        .split(/\{\w+\}/)
        .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
        .join('[^/]+');
      return Object.entries(operations).flatMap(([method, operation]) => {
        const scope = operation[SCOPE_EXTENSION] as ApiKeyScope | undefined;
        return scope
          ? [
              {
                pattern: new RegExp(`^${source}/?$`),
                method: method.toUpperCase(),
                scope,
                templates: (path.match(/\{/g) ?? []).length,
              },
            ]
          : [];
      });
    })
    .sort((a, b) => a.templates - b.templates);
  return table;
}

/**
 * The scope a request needs, or null when no staff operation is documented
 * for its method and path (HEAD counts as GET).
 */
export function requiredScope(method: string, path: string): ApiKeyScope | null {
  const wanted = method === 'HEAD' ? 'GET' : method;
  return scopedOperations().find((op) => op.method === wanted && op.pattern.test(path))?.scope ?? null;
}

/**
 * Refuses a key whose scope does not reach the request's operation. A
 * request no operation documents (a method the path lacks, a path that does
 * not exist, a route someone forgot to document) is open to admin-scoped
 * keys only: it answers 405 or 404 for them, and a narrow key learns nothing
 * and reaches nothing undeclared.
 */
export function assertKeyScope(keyScope: ApiKeyScope, method: string, path: string): void {
  const needed = requiredScope(method, path) ?? 'admin';
  if (!scopeCovers(keyScope, needed)) {
    throw new AppError('INSUFFICIENT_SCOPE', `key scope ${keyScope} does not reach ${needed}`, {
      publicMessage: `This API key’s scope (${keyScope}) does not allow this operation; it needs ${needed}.`,
    });
  }
}
