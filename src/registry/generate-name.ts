/**
 * generateName: the prefix, cut to 58 characters, plus five random characters from the
 * alphabet Kubernetes uses (no vowels, no confusable digits), as `storage/names/generate.go`.
 * Owns: name generation. Must not: check for collisions (the store retries).
 */
import { randomInt } from 'node:crypto';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_NAME_LENGTH = 63;
const RANDOM_LENGTH = 5;
const MAX_PREFIX_LENGTH = MAX_NAME_LENGTH - RANDOM_LENGTH;

/** A name from `prefix` plus five random characters. */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return prefix.slice(0, MAX_PREFIX_LENGTH) + suffix;
}
