import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { openDatabase } from '../db/database.js';
import { sha3Hex } from './secrets.js';
import { TokenStore } from './token-store.js';

const db = () => openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-tok-')));

describe('TokenStore', () => {
  it('accepts a 64-hex env value both as the raw token and as its SHA3-256 hash', () => {
    const raw = 'ab'.repeat(32);
    const hashed = sha3Hex('the-real-token');
    const store = new TokenStore(db(), new ManualClock(), [raw, hashed]);
    expect(store.verify(raw)).toBeDefined();
    expect(store.verify('the-real-token')).toBeDefined();
    expect(store.verify(hashed)).toBeDefined(); // 64 hex: also taken literally (see token-store.ts)
    expect(store.verify('nope')).toBeUndefined();
    expect(store.verify('')).toBeUndefined();
  });

  it('lists newest first with hints and lastUsedAt', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const store = new TokenStore(db(), clock, []);
    const a = store.create('a');
    clock.advance(1000);
    const b = store.create('b');
    expect(store.list().map((t) => t.name)).toEqual(['b', 'a']);
    expect(store.hint()).toBe(`${b.token.slice(0, 6)}...${b.token.slice(-4)}`);
    expect(store.list()[1].lastUsedAt).toBeNull();
    clock.advance(5000);
    store.verify(a.token);
    expect(store.list()[1].lastUsedAt).toBe(new Date(clock.now()).toISOString());
  });

  it('persists created tokens and revocations', () => {
    const d = db();
    const clock = new ManualClock();
    const s1 = new TokenStore(d, clock, ['env-value-123456']);
    const { token } = s1.create('x');
    const envId = s1.list().find((t) => t.name === 'Environment token')!.id;
    s1.revoke(envId);
    const s2 = new TokenStore(d, clock, ['env-value-123456']);
    expect(s2.verify(token)).toBeDefined();
    expect(s2.verify('env-value-123456')).toBeUndefined();
    expect(s2.list()).toHaveLength(1);
  });
});
