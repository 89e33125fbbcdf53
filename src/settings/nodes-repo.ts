/**
 * Persistence of configured instances in `monitored_nodes`. Secrets are encrypted with the
 * SecretBox on the way in and decrypted on the way out; nothing else sees ciphertext.
 */
import type { Database } from 'better-sqlite3';
import type { SecretBox } from '../crypto/secret-box.js';
import type { ClusterInfo, NodeConfig, NodeInput, NodeType } from './node-config.js';

interface Row {
  uid: number;
  type: NodeType;
  name: string;
  host: string;
  user: string | null;
  password_enc: string | null;
  token_name: string | null;
  token_value_enc: string | null;
  fingerprint: string | null;
  verify_ssl: number;
  monitor: string;
  cluster: string | null;
}

function parseJson<T>(s: string | null, fallback: T): T {
  if (!s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

export class NodesRepo {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #now: () => number;

  constructor(db: Database, box: SecretBox, now: () => number) {
    this.#db = db;
    this.#box = box;
    this.#now = now;
  }

  #toConfig(r: Row): NodeConfig {
    const cfg: NodeConfig = {
      uid: r.uid,
      type: r.type,
      name: r.name,
      host: r.host,
      verifySSL: r.verify_ssl === 1,
      monitor: parseJson(r.monitor, {}),
    };
    if (r.user) cfg.user = r.user;
    if (r.token_name) cfg.tokenName = r.token_name;
    if (r.fingerprint) cfg.fingerprint = r.fingerprint;
    const password = this.#box.decryptOptional(r.password_enc);
    if (password) cfg.password = password;
    const tokenValue = this.#box.decryptOptional(r.token_value_enc);
    if (tokenValue) cfg.tokenValue = tokenValue;
    const cluster = parseJson<ClusterInfo | undefined>(r.cluster, undefined);
    if (cluster) cfg.cluster = cluster;
    return cfg;
  }

  /** All instances, by type then creation order (the order positional ids follow). */
  list(type?: NodeType): NodeConfig[] {
    const rows = (
      type
        ? this.#db.prepare('SELECT * FROM monitored_nodes WHERE type = ? ORDER BY uid').all(type)
        : this.#db
            .prepare(
              "SELECT * FROM monitored_nodes ORDER BY CASE type WHEN 'pve' THEN 0 WHEN 'pbs' THEN 1 ELSE 2 END, uid",
            )
            .all()
    ) as Row[];
    return rows.map((r) => this.#toConfig(r));
  }

  get(uid: number): NodeConfig | undefined {
    const r = this.#db.prepare('SELECT * FROM monitored_nodes WHERE uid = ?').get(uid) as Row | undefined;
    return r ? this.#toConfig(r) : undefined;
  }

  /** Resolves a positional id `pve-<i>` to the instance. */
  byPublicId(id: string): NodeConfig | undefined {
    const m = /^(pve|pbs|pmg)-(\d+)$/.exec(id);
    if (!m) return undefined;
    return this.list(m[1] as NodeType)[Number(m[2])];
  }

  findByName(type: NodeType, name: string): NodeConfig | undefined {
    const r = this.#db
      .prepare('SELECT * FROM monitored_nodes WHERE type = ? AND lower(name) = lower(?)')
      .get(type, name) as Row | undefined;
    return r ? this.#toConfig(r) : undefined;
  }

  insert(input: NodeInput): NodeConfig {
    const now = this.#now();
    const info = this.#db
      .prepare(
        `INSERT INTO monitored_nodes (type, name, host, user, password_enc, token_name, token_value_enc, fingerprint,
           verify_ssl, monitor, cluster, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        input.type,
        input.name,
        input.host,
        input.user ?? null,
        this.#box.encryptOptional(input.password),
        input.tokenName ?? null,
        this.#box.encryptOptional(input.tokenValue),
        input.fingerprint ?? null,
        input.verifySSL ? 1 : 0,
        JSON.stringify(input.monitor ?? {}),
        input.cluster ? JSON.stringify(input.cluster) : null,
        now,
        now,
      );
    return this.get(Number(info.lastInsertRowid))!;
  }

  update(uid: number, input: NodeInput): NodeConfig | undefined {
    const res = this.#db
      .prepare(
        `UPDATE monitored_nodes SET name = ?, host = ?, user = ?, password_enc = ?, token_name = ?, token_value_enc = ?,
           fingerprint = ?, verify_ssl = ?, monitor = ?, cluster = ?, updated_at = ? WHERE uid = ?`,
      )
      .run(
        input.name,
        input.host,
        input.user ?? null,
        this.#box.encryptOptional(input.password),
        input.tokenName ?? null,
        this.#box.encryptOptional(input.tokenValue),
        input.fingerprint ?? null,
        input.verifySSL ? 1 : 0,
        JSON.stringify(input.monitor ?? {}),
        input.cluster ? JSON.stringify(input.cluster) : null,
        this.#now(),
        uid,
      );
    return res.changes ? this.get(uid) : undefined;
  }

  /** Stores what cluster detection found, without touching anything else. */
  setCluster(uid: number, cluster: ClusterInfo | undefined): void {
    this.#db
      .prepare('UPDATE monitored_nodes SET cluster = ? WHERE uid = ?')
      .run(cluster ? JSON.stringify(cluster) : null, uid);
  }

  delete(uid: number): boolean {
    return this.#db.prepare('DELETE FROM monitored_nodes WHERE uid = ?').run(uid).changes > 0;
  }
}
