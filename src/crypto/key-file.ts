/**
 * The encryption key file. Created once (32 random bytes, mode 0600) and never silently replaced:
 * if encrypted data already exists and the key is gone or unreadable, start-up stops, because a
 * new key would make every stored secret unreadable.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KEY_BYTES } from './secret-box.js';

export const KEY_FILE_NAME = '.encryption.key';

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, KEY_FILE_NAME);
}

/**
 * Returns the key, creating it if there is none and `encryptedDataExists` is false.
 */
export function loadOrCreateKey(dataDir: string, encryptedDataExists: boolean): Buffer {
  const file = keyFilePath(dataDir);
  let content: Buffer | undefined;
  try {
    content = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      throw new KeyFileError(`cannot read encryption key ${file} (${code}); refusing to start`);
    }
  }

  if (content !== undefined) {
    // Accept raw 32 bytes or the same bytes written as base64 text (hand-restored backups).
    if (content.length === KEY_BYTES) return content;
    const decoded = Buffer.from(content.toString('utf8').trim(), 'base64');
    if (decoded.length === KEY_BYTES) return decoded;
    throw new KeyFileError(
      `encryption key ${file} is ${content.length} bytes, expected ${KEY_BYTES}; refusing to start`,
    );
  }

  if (encryptedDataExists) {
    throw new KeyFileError(
      `encryption key ${file} is missing but the database holds encrypted secrets; ` +
        'restore the key file from a backup (a new key cannot read them). Refusing to start.',
    );
  }

  const key = randomBytes(KEY_BYTES);
  fs.mkdirSync(dataDir, { recursive: true });
  // 'wx' fails if another process created it meanwhile, rather than overwriting.
  fs.writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  return key;
}
