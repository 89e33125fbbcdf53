/**
 * Update checks (wire contract §7.5): `check` asks the releases feed (5-minute cache per channel)
 * and compares with the running version; `status` follows the checker; every real check is kept
 * in the `update_history` table. This Node build cannot replace itself, so there is no apply step:
 * the plan gives manual instructions instead of pretending to install anything.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { PulseEvents } from '../events.js';
import type { UpdateHistoryEntry, UpdateInfo, UpdateStatus } from '../model/system-extras.js';
import { downloadUrlFor, FeedError, fetchReleases, latestRelease, type Release } from './feed.js';
import { compareSemver, formatSemver, parseSemver, type SemVer } from './semver.js';

export const UPDATE_CACHE_MS = 5 * 60_000;

export type Channel = 'stable' | 'rc';

export interface UpdateServiceDeps {
  db: Database;
  clock: Clock;
  events: PulseEvents;
  /** GitHub-style releases JSON; without one, checks report that no feed is configured. */
  feedUrl?: string;
  currentVersion: string;
  deploymentType: string;
  isDocker: boolean;
  timeoutMs?: number;
}

interface Row {
  event_id: string;
  ts: number;
  action: string;
  channel: string;
  version_from: string;
  version_to: string;
  status: UpdateHistoryEntry['status'];
  duration_ms: number;
  initiated_by: string;
  initiated_via: string;
  error: string | null;
  notes: string | null;
}

export class UpdateService {
  readonly #deps: UpdateServiceDeps;
  readonly #current: SemVer;
  readonly #cache = new Map<Channel, { at: number; info: UpdateInfo }>();
  readonly #inflight = new Map<Channel, Promise<UpdateInfo>>();
  #status: UpdateStatus;

  constructor(deps: UpdateServiceDeps) {
    this.#deps = deps;
    this.#current = parseSemver(deps.currentVersion) ?? { major: 0, minor: 0, patch: 0, prerelease: [] };
    this.#status = this.#statusOf('idle', 0, 'No update check yet');
  }

  #timer: NodeJS.Timeout | undefined;
  #lastAutoCheck = 0;

  /**
   * Background checks: every hour the tick asks `schedule()` whether automatic checks are on and
   * how many hours apart (0 = off); a due check runs on the configured channel. Nothing is installed.
   */
  start(schedule: () => { enabled: boolean; intervalHours: number; channel: Channel }): void {
    this.#timer = setInterval(() => {
      const s = schedule();
      if (!s.enabled || s.intervalHours <= 0) return;
      const now = this.#deps.clock.now();
      if (now - this.#lastAutoCheck < s.intervalHours * 3600_000) return;
      this.#lastAutoCheck = now;
      this.check(s.channel, 'auto').catch(() => undefined); // the failure is in status and history
    }, 3600_000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  get currentVersion(): string {
    return formatSemver(this.#current);
  }

  status(): UpdateStatus {
    return this.#status;
  }

  /** The result of the last check of `channel` if one was made, without asking the feed. */
  lastKnown(channel: Channel): UpdateInfo | undefined {
    return this.#cache.get(channel)?.info;
  }

  /** Cached for 5 minutes per channel; concurrent callers share one request. */
  async check(channel: Channel, initiatedBy = 'user'): Promise<UpdateInfo> {
    const now = this.#deps.clock.now();
    const hit = this.#cache.get(channel);
    if (hit && now - hit.at < UPDATE_CACHE_MS) return hit.info;
    let p = this.#inflight.get(channel);
    if (!p) {
      p = this.#checkNow(channel, initiatedBy).finally(() => this.#inflight.delete(channel));
      this.#inflight.set(channel, p);
    }
    return p;
  }

  async #checkNow(channel: Channel, initiatedBy: string): Promise<UpdateInfo> {
    const started = this.#deps.clock.now();
    const feedUrl = this.#deps.feedUrl;
    if (!feedUrl) {
      // This build has no release channel of its own yet; pointing at another project's
      // releases would announce "updates" that are not for this code.
      return {
        available: false,
        currentVersion: this.currentVersion,
        latestVersion: this.currentVersion,
        releaseNotes: '',
        releaseDate: '',
        downloadUrl: '',
        isPrerelease: false,
        deploymentType: this.#deps.deploymentType,
        warning: 'No update feed configured: set PULSE_UPDATE_FEED_URL to a GitHub-style releases URL',
      };
    }
    this.#setStatus('checking', 10, `Checking for updates (${channel})`);
    let releases: Release[];
    try {
      releases = await fetchReleases(feedUrl, this.#deps.timeoutMs ?? 10_000);
    } catch (err) {
      const message = err instanceof FeedError ? err.message : String(err);
      this.#setStatus('error', 0, 'Update check failed', message);
      this.#record({ channel, versionTo: '', status: 'failed', started, initiatedBy, error: message });
      throw err;
    }
    const latest = latestRelease(releases, channel);
    const newer = latest !== undefined && compareSemver(latest.version, this.#current) > 0;
    const info: UpdateInfo = {
      available: newer && !this.#deps.isDocker,
      currentVersion: this.currentVersion,
      latestVersion: latest?.tag ?? this.currentVersion,
      releaseNotes: latest?.notes ?? '',
      releaseDate: latest?.publishedAt ?? '',
      downloadUrl: latest ? downloadUrlFor(latest, process.platform, process.arch) : '',
      isPrerelease: latest?.prerelease ?? false,
      deploymentType: this.#deps.deploymentType,
    };
    if (newer && this.#deps.isDocker) info.warning = `${latest.tag} is out: pull the new Docker image to update`;
    if (!latest) info.warning = `No ${channel} release found in the feed`;
    this.#cache.set(channel, { at: this.#deps.clock.now(), info });
    if (newer) this.#setStatus('available', 100, `Update available: ${latest.tag}`);
    else this.#setStatus('idle', 100, 'Pulse is up to date');
    this.#record({
      channel,
      versionTo: latest?.tag ?? '',
      status: 'success',
      started,
      initiatedBy,
      notes: newer ? `update available: ${latest.tag}` : 'up to date',
    });
    return info;
  }

  #statusOf(status: UpdateStatus['status'], progress: number, message: string, error?: string): UpdateStatus {
    const s: UpdateStatus = {
      status,
      progress,
      message,
      updatedAt: new Date(this.#deps.clock.now()).toISOString(),
    };
    if (error) s.error = error;
    return s;
  }

  #setStatus(status: UpdateStatus['status'], progress: number, message: string, error?: string): void {
    this.#status = this.#statusOf(status, progress, message, error);
    this.#deps.events.emit('updateProgress', this.#status);
  }

  #record(e: {
    channel: Channel;
    versionTo: string;
    status: UpdateHistoryEntry['status'];
    started: number;
    initiatedBy: string;
    error?: string;
    notes?: string;
  }): void {
    const now = this.#deps.clock.now();
    this.#deps.db
      .prepare(
        `INSERT INTO update_history (event_id, ts, action, channel, version_from, version_to, status, duration_ms,
           initiated_by, initiated_via, error, notes) VALUES (?, ?, 'check', ?, ?, ?, ?, ?, ?, 'api', ?, ?)`,
      )
      .run(
        randomUUID(),
        now,
        e.channel,
        this.currentVersion,
        e.versionTo,
        e.status,
        Math.max(0, now - e.started),
        e.initiatedBy,
        e.error ?? null,
        e.notes ?? null,
      );
    // Keep the table small: the API shows at most 50 entries.
    this.#deps.db
      .prepare(
        'DELETE FROM update_history WHERE event_id NOT IN (SELECT event_id FROM update_history ORDER BY ts DESC LIMIT 500)',
      )
      .run();
  }

  #entry(r: Row): UpdateHistoryEntry {
    const e: UpdateHistoryEntry = {
      event_id: r.event_id,
      timestamp: new Date(r.ts).toISOString(),
      action: r.action,
      channel: r.channel,
      version_from: r.version_from,
      version_to: r.version_to,
      deployment_type: this.#deps.deploymentType,
      initiated_by: r.initiated_by,
      initiated_via: r.initiated_via,
      status: r.status,
      duration_ms: r.duration_ms,
    };
    if (r.error) e.error = { message: r.error };
    if (r.notes) e.notes = r.notes;
    return e;
  }

  history(limit = 50, status?: string): UpdateHistoryEntry[] {
    const n = Math.min(Math.max(1, limit), 50);
    const rows = (
      status
        ? this.#deps.db
            .prepare('SELECT * FROM update_history WHERE status = ? ORDER BY ts DESC, rowid DESC LIMIT ?')
            .all(status, n)
        : this.#deps.db.prepare('SELECT * FROM update_history ORDER BY ts DESC, rowid DESC LIMIT ?').all(n)
    ) as Row[];
    return rows.map((r) => this.#entry(r));
  }

  entry(id: string): UpdateHistoryEntry | undefined {
    const r = this.#deps.db.prepare('SELECT * FROM update_history WHERE event_id = ?').get(id) as Row | undefined;
    return r ? this.#entry(r) : undefined;
  }
}
