/**
 * Secrets at rest: AES-256-GCM under the 32-byte key in `<dataDir>/.encryption.key`.
 *
 * Ciphertexts are strings `enc:v1:<base64(iv ‖ tag ‖ ciphertext)>`, so a column can be checked
 * for "is this already encrypted" and the format can change later without guessing.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`encryption key must be ${KEY_BYTES} bytes, got ${key.length}`);
    this.#key = Buffer.from(key);
  }

  static isEncrypted(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Throws when the value was not produced under this key or has been tampered with. */
  decrypt(value: string): string {
    if (!SecretBox.isEncrypted(value)) throw new Error('value is not an encrypted secret');
    const raw = Buffer.from(value.slice(PREFIX.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  /** Encrypts optional values, leaving absent ones absent. */
  encryptOptional(plaintext: string | undefined | null): string | null {
    return plaintext === undefined || plaintext === null || plaintext === '' ? null : this.encrypt(plaintext);
  }

  decryptOptional(value: string | null | undefined): string | undefined {
    return value === null || value === undefined || value === '' ? undefined : this.decrypt(value);
  }
}
