/**
 * Password hashing with bcrypt. PULSE_AUTH_PASS may hold plain text (hashed at start) or a
 * bcrypt hash; only a full 60-character `$2…` value counts as a hash (shorter `$2` strings are
 * somebody's password).
 */
import bcrypt from 'bcrypt';

const BCRYPT_RE = /^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/;

export function isBcryptHash(value: string): boolean {
  return value.length === 60 && BCRYPT_RE.test(value);
}

export const MIN_PASSWORD_LENGTH = 8;

export async function hashPassword(plain: string, cost: number): Promise<string> {
  return bcrypt.hash(plain, cost);
}

/** A hash of a random string, compared against when the username is unknown so timing matches. */
let dummyHash: Promise<string> | undefined;
function dummy(cost: number): Promise<string> {
  dummyHash ??= bcrypt.hash(`pulse-dummy-${Math.random()}`, cost);
  return dummyHash;
}

/** bcrypt's compare is constant-time in the hash; a missing hash still spends the same work. */
export async function verifyPassword(plain: string, hash: string | undefined, cost: number): Promise<boolean> {
  if (hash === undefined || !isBcryptHash(hash)) {
    await bcrypt.compare(plain, await dummy(cost));
    return false;
  }
  return bcrypt.compare(plain, hash);
}
