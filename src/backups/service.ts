/**
 * BackupCoverageService (`deps.backupCoverage`): the coverage audit of the current state under the
 * stored policy. The report is cached until the guests, the backup lists or the policy change,
 * or a minute of clock time passes (ages move), so alert rounds on every commit reuse it.
 */
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { Guest, PulseState } from '../model/state.js';
import type { StateStore } from '../state/store.js';
import { auditCoverage, type CoverageReport, reageCoverage } from './coverage.js';
import { BackupPolicyRepo, type PolicyConfig, parsePolicyConfig } from './policy.js';

const MAX_AGE_MS = 60_000;

export interface CoverageSnapshot extends CoverageReport {
  /** unix ms */
  computedAt: number;
}

export class BackupCoverageService {
  readonly #repo: BackupPolicyRepo;
  #policy: PolicyConfig;
  #cached?: { report: CoverageSnapshot; sources: unknown[] };

  constructor(private readonly deps: { db: Database; state: Pick<StateStore, 'get'>; clock: Clock }) {
    this.#repo = new BackupPolicyRepo(deps.db);
    this.#policy = this.#repo.load();
  }

  policy(): PolicyConfig {
    return structuredClone(this.#policy);
  }

  /** Validates and stores a whole policy document (throws PolicyError on bad input). */
  setPolicy(input: unknown): PolicyConfig {
    const next = parsePolicyConfig(input);
    this.#repo.save(next);
    this.#policy = next;
    this.#cached = undefined;
    return this.policy();
  }

  current(): CoverageSnapshot {
    const now = this.deps.clock.now();
    const state = this.deps.state.get();
    const sources = [state.vms, state.containers, state.pveBackups, state.pbsBackups, listingState(state)];
    const c = this.#cached;
    if (
      c &&
      // Every poll replaces the guest lists (their metrics move); the audit reads none of that.
      sameGuests(c.sources[0] as Guest[], state.vms) &&
      sameGuests(c.sources[1] as Guest[], state.containers) &&
      c.sources[2] === sources[2] &&
      c.sources[3] === sources[3] &&
      c.sources[4] === sources[4]
    ) {
      c.sources = sources;
      if (now >= c.report.computedAt && now - c.report.computedAt < MAX_AGE_MS) return c.report;
      // Only time moved since the audit: its ages are brought up to date.
      c.report = { ...reageCoverage(c.report, now), computedAt: now };
      return c.report;
    }
    const report = { ...auditCoverage(state, this.#policy, now), computedAt: now };
    this.#cached = { report, sources };
    return report;
  }

  /**
   * Whether any backup source has been listed; the audit itself holds back each guest whose
   * sources have not all been (GuestCoverage.status), so this only spares the work before.
   */
  static backupsKnown(state: Readonly<PulseState>): boolean {
    return Object.values(state.backupSources ?? {}).some((s) => s.listedAt !== undefined);
  }
}

/** What of the backup sources the audit reads, as one comparable string. */
function listingState(state: Readonly<PulseState>): string {
  const s = state.backupSources;
  if (!s) return '';
  return Object.entries(s)
    .map(([k, v]) => `${k}=${v.listedAt === undefined ? (v.error ?? '-') : 'listed'}`)
    .join('\n');
}

/** Whether two guest lists are the same for the audit: the same guests, names, tags and templates. */
function sameGuests(a: readonly Guest[], b: readonly Guest[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (
      x.id !== y.id ||
      x.vmid !== y.vmid ||
      x.instance !== y.instance ||
      x.node !== y.node ||
      x.name !== y.name ||
      x.type !== y.type ||
      x.template !== y.template ||
      x.tags !== y.tags
    )
      return false;
  }
  return true;
}
