import { describe, expect, it } from 'vitest';
import { decryptConfig, encryptConfig, TransferError, validatePassphrase } from './cipher.js';

describe('export cipher', () => {
  it('round-trips, with the salt(32) ‖ nonce(12) ‖ ciphertext ‖ tag(16) layout and fresh salt each time', async () => {
    const plain = JSON.stringify({ version: '4.0', x: 'é✓' });
    const a = await encryptConfig(plain, 'twelve chars');
    const b = await encryptConfig(plain, 'twelve chars');
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64').length).toBe(32 + 12 + Buffer.byteLength(plain) + 16);
    expect(await decryptConfig(a, 'twelve chars')).toBe(plain);
  });

  it('a wrong passphrase or a flipped bit is a TransferError', async () => {
    const data = await encryptConfig('{}', 'twelve chars');
    await expect(decryptConfig(data, 'twelve chars!')).rejects.toBeInstanceOf(TransferError);
    const raw = Buffer.from(data, 'base64');
    raw[40] ^= 1; // inside the nonce
    await expect(decryptConfig(raw.toString('base64'), 'twelve chars')).rejects.toBeInstanceOf(TransferError);
    await expect(decryptConfig('AAAA', 'twelve chars')).rejects.toThrow(/too short/);
    await expect(decryptConfig('***', 'twelve chars')).rejects.toThrow(/base64/);
  });

  it('passphrases need 12 characters (counted as characters, not bytes)', () => {
    expect(() => validatePassphrase('elevenchars')).toThrow(TransferError);
    expect(validatePassphrase('twelve chars')).toBe('twelve chars');
    expect(() => validatePassphrase('ééééééééééé')).toThrow(/12 characters/); // 11 chars, 22 bytes
    expect(() => validatePassphrase(undefined)).toThrow(/required/);
    expect(() => validatePassphrase(123456789012)).toThrow(/required/);
  });
});
