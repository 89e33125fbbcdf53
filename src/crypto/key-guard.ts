/**
 * Ties the key file to the database: a canary encrypted under the key is kept in `meta`, so
 * that start-up can tell "fresh install" from "encrypted data exists", and can detect a key that
 * belongs to another installation before it silently fails to decrypt secrets later.
 */
import type { Database } from 'better-sqlite3';
import { MetaRepo } from '../db/meta-repo.js';
import { KeyFileError, loadOrCreateKey } from './key-file.js';
import { SecretBox } from './secret-box.js';

const CANARY_KEY = 'encryption_canary';
const CANARY_TEXT = 'pulse-encryption-canary';

export function openSecretBox(db: Database, dataDir: string): SecretBox {
  const meta = new MetaRepo(db);
  const canary = meta.get(CANARY_KEY);
  const hasSecrets = (db.prepare('SELECT COUNT(*) AS n FROM secrets').get() as { n: number }).n > 0;
  const key = loadOrCreateKey(dataDir, canary !== undefined || hasSecrets);
  const box = new SecretBox(key);
  if (canary === undefined) {
    meta.set(CANARY_KEY, box.encrypt(CANARY_TEXT));
  } else {
    let ok = false;
    try {
      ok = box.decrypt(canary) === CANARY_TEXT;
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new KeyFileError(
        `the encryption key in ${dataDir} does not match the one the database was written with; ` +
          'restore the original .encryption.key. Refusing to start.',
      );
    }
  }
  return box;
}
