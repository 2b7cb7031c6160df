export { openApiDocument, type OpenApiOptions } from './document';
export { methodNotAllowed } from './allowed-methods';
