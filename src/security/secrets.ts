/**
 * Small primitives for secrets: random values, hashes and timing-safe comparison.
 * Every comparison of a secret in Pulse goes through `safeEqual` so that response time does not
 * reveal how many leading characters of a guess were right.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The contract stores API tokens (and setup codes) as SHA3-256 hex. */
export function sha3Hex(value: string): string {
  return createHash('sha3-256').update(value, 'utf8').digest('hex');
}

/**
 * Compares two strings in time independent of where they differ. Both sides are hashed first so
 * that unequal lengths do not short-circuit either.
 */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** A raw API token: 64 lowercase hex characters (32 random bytes), as the contract defines. */
export function generateApiToken(): string {
  return randomBytes(32).toString('hex');
}

/** A session id: 64 hex characters. */
export function generateSessionId(): string {
  return randomBytes(32).toString('hex');
}

/** A CSRF token: base64url of 32 random bytes with padding (44 characters). */
export function generateCsrfToken(): string {
  return `${randomBytes(32).toString('base64url')}=`;
}

/** The hint shown for a token: first 6 and last 4 characters. */
export function tokenHints(raw: string): { prefix: string; suffix: string } {
  return { prefix: raw.slice(0, 6), suffix: raw.slice(-4) };
}
