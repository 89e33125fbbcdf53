/**
 * Issue 22, the storage items: 5 (private data files whatever the umask, existing installs
 * corrected), 9 (health degraded when the database cannot write; an empty database file refused)
 * and 12 (commits synced: configuration changes survive a power loss).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestPulse, type TestPulse, tempDir } from '../helpers/pulse.js';
import { passwordEnv } from '../helpers/session.js';

const TOKEN = '5'.repeat(64);
const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('item 5: the data directory and its files are private', () => {
  it('a fresh install under umask 022 gets a 0700 directory and 0600 files', async () => {
    const old = process.umask(0o022);
    const dir = path.join(tempDir('pulse-perm-'), 'data');
    try {
      const pulse = await startTestPulse({ dataDir: dir, env: { API_TOKENS: TOKEN } });
      try {
        expect(mode(dir)).toBe(0o700);
        for (const f of ['pulse.db', 'pulse.db-wal', 'pulse.db-shm', '.encryption.key']) {
          expect(mode(path.join(dir, f)), f).toBe(0o600);
        }
      } finally {
        await pulse.close();
      }
    } finally {
      process.umask(old);
    }
  });

  it('an existing install with loose modes is corrected at start', async () => {
    const dir = tempDir('pulse-perm-old-');
    let pulse = await startTestPulse({ dataDir: dir, env: { API_TOKENS: TOKEN } });
    await pulse.close();
    fs.chmodSync(dir, 0o755);
    for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);
    pulse = await startTestPulse({ dataDir: dir, env: { API_TOKENS: TOKEN } });
    try {
      expect(mode(dir)).toBe(0o700);
      for (const f of fs.readdirSync(dir)) expect(mode(path.join(dir, f)), f).toBe(0o600);
    } finally {
      await pulse.close();
    }
  });
});

describe('item 9: an empty database file is refused, not taken for a fresh install', () => {
  it('start fails with a message that says what to do, and the file is left as it was', async () => {
    const dir = tempDir('pulse-empty-');
    fs.writeFileSync(path.join(dir, 'pulse.db'), '');
    await expect(startTestPulse({ dataDir: dir, env: passwordEnv })).rejects.toThrow(/is empty \(0 bytes\).*backup/);
    expect(fs.statSync(path.join(dir, 'pulse.db')).size).toBe(0);
  });
});

describe('item 9: /api/health reports a database that cannot write', () => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { API_TOKENS: TOKEN }, clock });
  });
  afterAll(() => pulse.close());

  const health = async () => (await fetch(`${pulse.url}/api/health`)).json();

  it('is healthy while writes work', async () => {
    expect(await health()).toMatchObject({ status: 'healthy', database: { writable: true } });
  });

  it('a read-only database is degraded with a reason, and recovers', async () => {
    pulse.deps.db.pragma('query_only = ON');
    // A healthy answer is reused for a few seconds; the next probe finds the failure.
    clock.advance(10_000);
    try {
      const h = await health();
      expect(h).toMatchObject({ status: 'degraded', database: { writable: false } });
      expect(h.reason).toMatch(/cannot write/);
    } finally {
      pulse.deps.db.pragma('query_only = OFF');
    }
    expect((await health()).status).toBe('healthy');
  });

  it('a full disk (SQLite refuses to grow the file) turns health degraded', async () => {
    const db = pulse.deps.db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    let failed: Response | undefined;
    try {
      for (let i = 0; i < 2000 && !failed; i++) {
        const res = await fetch(`${pulse.url}/api/security/tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-token': TOKEN },
          body: JSON.stringify({ name: `filler ${i} ${'x'.repeat(100)}` }),
        });
        if (res.status !== 200) failed = res;
      }
      expect(failed?.status).toBe(500);
      const h = await health();
      expect(h.status).toBe('degraded');
      expect(h.reason).toBe('the database cannot write: the disk is full');
    } finally {
      db.pragma('max_page_count = 4294967294');
    }
  });
});

describe('item 12: commits are synced to disk', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { API_TOKENS: TOKEN } });
  });
  afterAll(() => pulse.close());

  it('the database runs in WAL mode with synchronous=FULL', () => {
    expect(pulse.deps.db.pragma('journal_mode', { simple: true })).toBe('wal');
    // 2 = FULL: the WAL is synced at every commit (NORMAL, 1, may lose the last commits on power loss).
    expect(pulse.deps.db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it("keeps SQLite's own 2-MiB page cache, not the 16 MiB better-sqlite3 is built with", () => {
    expect(pulse.deps.db.pragma('cache_size', { simple: true })).toBe(-2000);
  });
});
