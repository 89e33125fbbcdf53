import type { Database } from 'better-sqlite3';
import type { SecretBox } from './secret-box.js';

/** Named secrets (e.g. SMTP password), stored encrypted, returned decrypted. */
export class SecretRepo {
  readonly #get;
  readonly #set;
  readonly #delete;

  constructor(
    db: Database,
    private readonly box: SecretBox,
    private readonly now: () => number = Date.now,
  ) {
    this.#get = db.prepare<[string], { value: string }>('SELECT value FROM secrets WHERE name = ?');
    this.#set = db.prepare(
      'INSERT INTO secrets (name, value, updated_at) VALUES (?, ?, ?) ' +
        'ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    this.#delete = db.prepare('DELETE FROM secrets WHERE name = ?');
  }

  get(name: string): string | undefined {
    const row = this.#get.get(name);
    return row ? this.box.decrypt(row.value) : undefined;
  }

  set(name: string, plaintext: string): void {
    this.#set.run(name, this.box.encrypt(plaintext), this.now());
  }

  delete(name: string): void {
    this.#delete.run(name);
  }
}
