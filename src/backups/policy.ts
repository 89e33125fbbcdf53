/**
 * Backup policy: a global policy, overridden per tag and per guest (`<instance>:<vmid>`).
 * Validation is pure: types, ranges and required fields are the route schema's (PolicyConfigBody),
 * keys and unknown fields are checked here. `BackupPolicyRepo` keeps the document as JSON in the
 * `meta` table (one small document read at start and on change, so it needs no table of its own).
 */
import type { Database } from 'better-sqlite3';
import { MetaRepo } from '../db/meta-repo.js';
import { conforming, type SchemaProblem } from '../http/schema-check.js';
import { BackupPolicy as BackupPolicySchema, PolicyConfigBody } from '../schemas/insight.js';

export interface BackupPolicy {
  /** The newest backup on some target must be at most this old. */
  maxAgeHours: number;
  /** Restore points over all targets. */
  minRestorePoints: number;
  /** At least one verified PBS snapshot. */
  requireVerified: boolean;
  /** Targets holding a backup within maxAgeHours. */
  minTargets: number;
}

export interface PolicyConfig {
  global: BackupPolicy;
  /** tag → fields overriding the global policy */
  tags: Record<string, Partial<BackupPolicy>>;
  /** `<instance>:<vmid>` → fields overriding global and tag policies */
  guests: Record<string, Partial<BackupPolicy>>;
}

export function defaultPolicyConfig(): PolicyConfig {
  // Lenient defaults: daily backups with a day's slack; verification and second targets are
  // asked for by tag or guest, so a fresh install does not flag every guest.
  return {
    global: { maxAgeHours: 48, minRestorePoints: 1, requireVerified: false, minTargets: 1 },
    tags: {},
    guests: {},
  };
}

export class PolicyError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const FIELDS = Object.keys(BackupPolicySchema.properties) as Array<keyof BackupPolicy>;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** A policy's fields, already checked by the schema, with any field the schema does not know refused. */
function fields(v: Obj, where: string): Partial<BackupPolicy> {
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (!(FIELDS as string[]).includes(k)) throw new PolicyError(`${where}.${k} is not a policy field`);
    out[k] = x;
  }
  return out as Partial<BackupPolicy>;
}

function overrides(v: Record<string, Obj> | undefined, where: string, key: RegExp) {
  const out: Record<string, Partial<BackupPolicy>> = {};
  for (const [k, x] of Object.entries(v ?? {})) {
    if (FORBIDDEN.has(k) || !key.test(k)) throw new PolicyError(`${where} key '${k}' is not valid`);
    out[k] = fields(x, `${where}.${k}`);
  }
  return out;
}

const refuse = (p: SchemaProblem) => new PolicyError(`${p.field} ${p.rule}`);

/** A complete, valid policy document from user input or storage; throws PolicyError naming the field. */
export function parsePolicyConfig(input: unknown): PolicyConfig {
  if (!isObj(input)) throw new PolicyError('policy must be an object');
  for (const k of Object.keys(input)) {
    if (k !== 'global' && k !== 'tags' && k !== 'guests') throw new PolicyError(`${k} is not a policy section`);
  }
  const body = conforming(PolicyConfigBody, input, refuse);
  return {
    global: body.global === undefined ? defaultPolicyConfig().global : (fields(body.global, 'global') as BackupPolicy),
    tags: overrides(body.tags, 'tags', /^[\w.+-]{1,64}$/),
    // Guests by instance and VMID: a VMID alone names different guests on different clusters.
    guests: overrides(body.guests, 'guests', /^[^:\s]{1,128}:\d{1,9}$/),
  };
}

/**
 * The effective policy of a guest: global, then its tags' overrides (the strictest value of
 * each field where several tags set it), then its own override.
 */
export function policyFor(
  cfg: PolicyConfig,
  key: string,
  tags: readonly string[],
): { policy: BackupPolicy; source: string } {
  const policy = { ...cfg.global };
  const sources: string[] = [];
  const tagged = tags.filter((t) => Object.hasOwn(cfg.tags, t)).sort();
  for (const [i, t] of tagged.entries()) {
    const o = cfg.tags[t];
    const first = i === 0;
    if (o.maxAgeHours !== undefined)
      policy.maxAgeHours = first ? o.maxAgeHours : Math.min(policy.maxAgeHours, o.maxAgeHours);
    if (o.minRestorePoints !== undefined)
      policy.minRestorePoints = first ? o.minRestorePoints : Math.max(policy.minRestorePoints, o.minRestorePoints);
    if (o.minTargets !== undefined)
      policy.minTargets = first ? o.minTargets : Math.max(policy.minTargets, o.minTargets);
    if (o.requireVerified !== undefined)
      policy.requireVerified = first ? o.requireVerified : policy.requireVerified || o.requireVerified;
    sources.push(`tag:${t}`);
  }
  const own = Object.hasOwn(cfg.guests, key) ? cfg.guests[key] : undefined;
  if (own) {
    Object.assign(policy, own);
    sources.push('guest');
  }
  return { policy, source: sources.length > 0 ? sources.join('+') : 'global' };
}

const META_KEY = 'backupPolicy';

export class BackupPolicyRepo {
  readonly #meta: MetaRepo;

  constructor(db: Database) {
    this.#meta = new MetaRepo(db);
  }

  /** The stored policy; defaults when none is stored or the stored one no longer validates. */
  load(): PolicyConfig {
    const raw = this.#meta.get(META_KEY);
    if (raw === undefined) return defaultPolicyConfig();
    try {
      return parsePolicyConfig(JSON.parse(raw));
    } catch {
      return defaultPolicyConfig();
    }
  }

  save(cfg: PolicyConfig): void {
    this.#meta.set(META_KEY, JSON.stringify(cfg));
  }
}
