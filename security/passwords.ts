import { hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

/** OWASP's argon2id recommendation: 19 MiB memory, 2 iterations, 1 lane. */
// algorithm 2 is Argon2id (a const enum in the binding's types, which isolatedModules cannot inline).
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

const strength = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });

/**
 * Why a password is refused, or null when it is acceptable. Long enough, and
 * not guessable: zxcvbn matches it against lists of the most common and
 * breached passwords, keyboard patterns and the user's own details.
 */
export function passwordProblem(password: string, userInputs: string[] = []): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  const result = strength.check(password, userInputs.filter(Boolean));
  if (result.score < 3) {
    return 'This password is too common or too easy to guess. Try a few unrelated words together.';
  }
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash to verify against when the account does not exist, so a sign-in for
 * an unknown email takes as long as one for a known email.
 */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('dummy password for constant-time sign-in');
  return dummyHash;
}
