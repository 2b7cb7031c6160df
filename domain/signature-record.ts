/**
 * The electronic signature on a submitted form. Everything that was signed
 * (the exact form version and its text, the answers, the typed name, when,
 * from where) is hashed with SHA-256 over a canonical JSON encoding, so anyone
 * can later recompute the hash from the stored record and see whether a
 * single character changed. The hash is also written, at signing time, into
 * the append-only timeline and the workflow history, so a tamperer who
 * rewrites the row and its hash together is still caught.
 */
import { createHash } from 'node:crypto';
import type { FormAnswers } from './form-answers';

export interface SignedContent {
  assignmentId: string;
  formDefinitionId: string;
  formKey: string;
  formVersion: number;
  /** SHA-256 of the form definition's canonical JSON: the questions and consent text the client saw. */
  definitionSha256: string;
  answers: FormAnswers;
  /** The full name the client typed as their signature. */
  signerName: string;
  /** Who signed: the portal account (the client or a guardian). */
  portalAccountId: string;
  signedAt: string;
  ip: string | null;
  userAgent: string | null;
  /** The words the client agreed to by signing. */
  attestation: string;
}

export const SIGNATURE_ATTESTATION =
  'I agree that typing my full name below is my electronic signature, and that it has the same effect as my handwritten signature on this form.';

/** JSON with object keys sorted at every level, so equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function signedContentSha256(content: SignedContent): string {
  return sha256Hex(canonicalJson(content));
}

export function definitionSha256(definition: unknown): string {
  return sha256Hex(canonicalJson(definition));
}
