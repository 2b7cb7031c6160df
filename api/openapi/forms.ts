/** The organisation's form catalogue (api/routes/forms.ts). */
import {
  ZFormKeyParams,
  ZFormListResponse,
  ZFormPackageListResponse,
  ZFormPackageResponse,
  ZFormResponse,
  ZFormVersionParams,
  ZPackageKeyParams,
  ZPublishFormRequest,
  ZPutFormPackageRequest,
} from '../../schemas/forms';
import { error, json, operation, type Schema } from './operation';

export function formPaths(): Record<string, Schema> {
  return {
    '/v1/forms': {
      get: operation({
        operationId: 'listForms',
        summary: 'The newest version of each form',
        tags: ['forms'],
        auth: 'staff',
        scope: 'read',
        responses: { 200: json(ZFormListResponse, 'Forms') },
      }),
      post: operation({
        operationId: 'publishForm',
        summary: 'Publish a form, or the next version of one (admins); packages move to the new version',
        tags: ['forms'],
        auth: 'staff',
        scope: 'admin',
        body: ZPublishFormRequest,
        invalid: 'Invalid definition, with field errors',
        responses: {
          201: json(ZFormResponse, 'Published as a new version'),
          200: json(ZFormResponse, 'Identical to the newest version: nothing changed'),
          403: error('Admins only'),
        },
      }),
    },
    '/v1/forms/{key}': {
      get: operation({
        operationId: 'getForm',
        summary: 'The newest version of a form',
        tags: ['forms'],
        auth: 'staff',
        scope: 'read',
        params: ZFormKeyParams,
        responses: { 200: json(ZFormResponse, 'The form'), 404: error('Not found in your organisation') },
      }),
    },
    '/v1/forms/{key}/versions/{version}': {
      get: operation({
        operationId: 'getFormVersion',
        summary: 'One version of a form',
        tags: ['forms'],
        auth: 'staff',
        scope: 'read',
        params: ZFormVersionParams,
        responses: { 200: json(ZFormResponse, 'The form version'), 404: error('Not found in your organisation') },
      }),
    },
    '/v1/form-packages': {
      get: operation({
        operationId: 'listFormPackages',
        summary: 'Form & Assessment Packages',
        tags: ['forms'],
        auth: 'staff',
        scope: 'read',
        responses: { 200: json(ZFormPackageListResponse, 'Packages') },
      }),
    },
    '/v1/form-packages/{key}': {
      put: operation({
        operationId: 'putFormPackage',
        summary: 'Create or replace a package with the newest version of each form (admins)',
        tags: ['forms'],
        auth: 'staff',
        scope: 'admin',
        params: ZPackageKeyParams,
        body: ZPutFormPackageRequest,
        invalid: 'A malformed key, an invalid body, or unknown form keys',
        responses: { 200: json(ZFormPackageResponse, 'The saved package'), 403: error('Admins only') },
      }),
    },
  };
}
