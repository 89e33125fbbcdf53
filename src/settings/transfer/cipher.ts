/**
 * Encryption of exported configuration (wire contract §7.4), compatible with Pulse 4.24:
 *
 *   data = base64( salt(32) ‖ nonce(12) ‖ AES-256-GCM(ciphertext ‖ tag(16)) )
 *   key  = PBKDF2-HMAC-SHA256(passphrase, salt, 100 000 iterations, 32 bytes)
 *
 * Key derivation runs on libuv's thread pool (async pbkdf2) so an export does not stall the
 * event loop for the ~50 ms the iterations take.
 */
import { createCipheriv, createDecipheriv, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

export const SALT_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const KEY_BYTES = 32;
export const PBKDF2_ITERATIONS = 100_000;
export const MIN_PASSPHRASE_LENGTH = 12;
const MAX_PASSPHRASE_LENGTH = 1024;

/** Bad input from the caller: a passphrase that is too short, data that is not ours or tampered. */
export class TransferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransferError';
  }
}

export function validatePassphrase(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw new TransferError('passphrase is required');
  const length = [...raw].length;
  if (length < MIN_PASSPHRASE_LENGTH) {
    throw new TransferError(`passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
  if (length > MAX_PASSPHRASE_LENGTH)
    throw new TransferError(`passphrase must be at most ${MAX_PASSPHRASE_LENGTH} characters`);
  return raw;
}

function deriveKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(passphrase, 'utf8'), salt, PBKDF2_ITERATIONS, KEY_BYTES, 'sha256');
}

export async function encryptConfig(plaintext: string, passphrase: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const key = await deriveKey(passphrase, salt);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([salt, nonce, body]).toString('base64');
}

/** Throws TransferError for anything that does not decrypt under `passphrase`. */
export async function decryptConfig(data: unknown, passphrase: string): Promise<string> {
  if (typeof data !== 'string' || data.trim() === '') throw new TransferError('data is required');
  const compact = data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new TransferError('data is not valid base64');
  }
  const raw = Buffer.from(compact, 'base64');
  if (raw.length < SALT_BYTES + NONCE_BYTES + TAG_BYTES) throw new TransferError('data is too short to be an export');
  const salt = raw.subarray(0, SALT_BYTES);
  const nonce = raw.subarray(SALT_BYTES, SALT_BYTES + NONCE_BYTES);
  const sealed = raw.subarray(SALT_BYTES + NONCE_BYTES);
  const key = await deriveKey(passphrase, salt);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    // GCM cannot tell a wrong passphrase from tampered data; both fail authentication.
    throw new TransferError('failed to decrypt: wrong passphrase or corrupted data');
  }
}
