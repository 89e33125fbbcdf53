/**
 * Update checks (wire contract §7.5): `check` asks the releases feed (5-minute cache per channel)
 * and compares with the running version; `status` follows the checker; every real check is kept
 * in the `update_history` table. On a service install (scripts/install.sh) `apply` downloads the
 * release and its .sha256, verifies it, and hands it to the installer, which upgrades with rollback
 * and leaves its outcome in <data>/updates/result for the next start to record. Elsewhere (a
 * checkout, Docker) there is no apply: the plan says what to run.
 */
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { PulseEvents } from '../events.js';
import type { UpdateHistoryEntry, UpdateInfo, UpdateStatus } from '../model/operations.js';
import { PROJECT_ROOT } from '../version.js';
import { downloadUrlFor, FeedError, fetchReleases, latestRelease, type Release } from './feed.js';
import { detectServiceInstall, readResult, type ServiceInstall } from './installer.js';
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
  /** Set on a service install: what `apply` hands releases to. */
  installer?: ServiceInstall;
}

export class ApplyError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A release is tens of MB; anything far larger is not one. */
const MAX_RELEASE_BYTES = 1024 * 1024 * 1024;
const UPDATE_STEPS_BUSY = new Set(['downloading', 'verifying', 'extracting', 'backing-up', 'applying', 'restarting']);

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
    this.#deps = {
      ...deps,
      installer: deps.installer ?? (deps.isDocker ? undefined : detectServiceInstall(PROJECT_ROOT)),
    };
    this.#current = parseSemver(deps.currentVersion) ?? { major: 0, minor: 0, patch: 0, prerelease: [] };
    this.#status = this.#statusOf('idle', 0, 'No update check yet');
    this.#recordInstallerResult();
  }

  get installer(): ServiceInstall | undefined {
    return this.#deps.installer;
  }

  /**
   * The installer leaves the outcome of an update it ran; the Pulse it started records it. The
   * installer writes it only after that Pulse answered, so it is looked for when asked, too.
   */
  #recordInstallerResult(): void {
    const dir = this.#deps.installer?.updatesDir;
    if (!dir) return;
    const result = readResult(dir);
    if (!result) return;
    const row = this.#deps.db.prepare('SELECT ts FROM update_history WHERE event_id = ?').get(result.eventId) as
      | { ts: number }
      | undefined;
    if (row) {
      this.#deps.db
        .prepare(
          "UPDATE update_history SET status = ?, duration_ms = ?, notes = COALESCE(notes || '; ', '') || ?, error = ? WHERE event_id = ?",
        )
        .run(
          result.status,
          Math.max(0, (result.finishedAt || this.#deps.clock.now()) - row.ts),
          result.message,
          result.status === 'success' ? null : result.message,
          result.eventId,
        );
    }
    if (result.status === 'success') this.#status = this.#statusOf('completed', 100, result.message);
    else this.#status = this.#statusOf('error', 0, 'Update failed', result.message);
    fs.rmSync(path.join(dir, 'result'), { force: true });
  }

  /**
   * Starts an update to the release at `url` (its checksum at `url`.sha256). Returns once the
   * download has started; progress is in status() and the `updateProgress` event, and every
   * step in the history entry's notes.
   */
  apply(url: string, initiatedBy = 'user'): { status: 'started'; message: string; eventId: string } {
    const installer = this.#deps.installer;
    if (!installer) {
      throw new ApplyError(
        400,
        'Automatic updates need a service install (scripts/install.sh); see GET /api/updates/plan',
      );
    }
    if (UPDATE_STEPS_BUSY.has(this.#status.status)) throw new ApplyError(409, 'An update is already in progress');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ApplyError(400, 'downloadUrl must be an http(s) URL of a release tarball');
    }
    if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.pathname.endsWith('.tar.gz')) {
      throw new ApplyError(400, 'downloadUrl must be an http(s) URL of a release tarball (.tar.gz)');
    }
    const eventId = randomUUID();
    const started = this.#deps.clock.now();
    const target = /pulse-(\d+\.\d+\.\d+[^/]*?)-linux-/.exec(parsed.pathname)?.[1] ?? '';
    this.#deps.db
      .prepare(
        `INSERT INTO update_history (event_id, ts, action, channel, version_from, version_to, status, duration_ms,
           initiated_by, initiated_via, error, notes) VALUES (?, ?, 'update', 'stable', ?, ?, 'in_progress', 0, ?, 'api', NULL, ?)`,
      )
      .run(eventId, started, this.currentVersion, target ? `v${target}` : '', initiatedBy, `download ${url}`);
    this.#runApply(installer, parsed, eventId).catch((err) => {
      const message = (err as Error).message;
      this.#setStatus('error', 0, 'Update failed', message);
      this.#deps.db
        .prepare("UPDATE update_history SET status = 'failed', error = ?, duration_ms = ? WHERE event_id = ?")
        .run(message, Math.max(0, this.#deps.clock.now() - started), eventId);
    });
    return { status: 'started', message: `Downloading ${url}`, eventId };
  }

  #note(eventId: string, step: string): void {
    this.#deps.db
      .prepare("UPDATE update_history SET notes = COALESCE(notes || '; ', '') || ? WHERE event_id = ?")
      .run(step, eventId);
  }

  async #runApply(installer: ServiceInstall, url: URL, eventId: string): Promise<void> {
    const timeout = this.#deps.timeoutMs ?? 10 * 60_000;
    fs.mkdirSync(installer.updatesDir, { recursive: true, mode: 0o700 });
    const tarball = path.join(installer.updatesDir, 'pulse-update.tar.gz');
    this.#setStatus('downloading', 10, `Downloading ${url.href}`);
    const sumRes = await fetch(`${url.href}.sha256`, { signal: AbortSignal.timeout(timeout) });
    if (!sumRes.ok) throw new Error(`the release has no checksum: ${url.href}.sha256 answered ${sumRes.status}`);
    const expected = /^[0-9a-f]{64}/.exec((await sumRes.text()).trim())?.[0];
    if (!expected) throw new Error(`${url.href}.sha256 does not hold a SHA-256`);
    const res = await fetch(url, { signal: AbortSignal.timeout(timeout) });
    if (!res.ok || !res.body) throw new Error(`download failed: ${url.href} answered ${res.status}`);
    const hash = createHash('sha256');
    let size = 0;
    await pipeline(
      Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          size += chunk.length;
          if (size > MAX_RELEASE_BYTES) throw new Error('the download is larger than any release');
          hash.update(chunk);
          yield chunk;
        }
      },
      fs.createWriteStream(tarball, { mode: 0o600 }),
    );
    this.#note(eventId, `downloaded ${size} bytes`);
    this.#setStatus('verifying', 50, 'Verifying the checksum');
    const got = hash.digest('hex');
    if (got !== expected) {
      fs.rmSync(tarball, { force: true });
      throw new Error(`checksum mismatch: expected ${expected}, got ${got}`);
    }
    this.#note(eventId, 'checksum verified');
    this.#setStatus('applying', 70, 'Installing with the installer (upgrade with rollback)');
    const request = path.join(installer.updatesDir, 'request');
    fs.writeFileSync(request, `TARBALL=${tarball}\nSHA256=${expected}\nEVENT_ID=${eventId}\n`, { mode: 0o600 });
    this.#note(eventId, installer.systemd ? 'handed to pulse-update.service' : 'installer started');
    if (!installer.systemd) {
      // Detached: the installer stops this process and must outlive it.
      const child = spawn(installer.script, ['--from-request', request], { detached: true, stdio: 'ignore' });
      child.unref();
    }
    this.#setStatus('restarting', 90, 'Pulse restarts with the new release (or rolls back)');
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
    this.#recordInstallerResult();
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
    this.#recordInstallerResult();
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
