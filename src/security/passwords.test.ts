import { describe, expect, it } from 'vitest';
import { hashPassword, isBcryptHash, verifyPassword } from './passwords.js';
import { generateCsrfToken, generateSessionId, safeEqual } from './secrets.js';

describe('passwords', () => {
  it('recognises only full 60-character bcrypt hashes', async () => {
    const h = await hashPassword('hunter2-hunter2', 4);
    expect(isBcryptHash(h)).toBe(true);
    expect(isBcryptHash('$2short')).toBe(false);
    expect(isBcryptHash(`${h}x`)).toBe(false);
    expect(await verifyPassword('hunter2-hunter2', h, 4)).toBe(true);
    expect(await verifyPassword('hunter3-hunter3', h, 4)).toBe(false);
    expect(await verifyPassword('anything', undefined, 4)).toBe(false);
  });
});

describe('secrets', () => {
  it('compares in constant shape and generates contract-shaped values', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(generateSessionId()).toMatch(/^[0-9a-f]{64}$/);
    expect(generateCsrfToken()).toMatch(/^[A-Za-z0-9_-]{43}=$/);
  });
});
