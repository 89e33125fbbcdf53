import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyFileError, keyFilePath, loadOrCreateKey } from './key-file.js';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  it('round-trips and uses a fresh IV each time', () => {
    const box = new SecretBox(randomBytes(32));
    const a = box.encrypt('hunter2');
    const b = box.encrypt('hunter2');
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(box.decrypt(a)).toBe('hunter2');
  });

  it('rejects a different key and tampering', () => {
    const box = new SecretBox(randomBytes(32));
    const other = new SecretBox(randomBytes(32));
    const c = box.encrypt('secret');
    expect(() => other.decrypt(c)).toThrow();
    const tampered = `${c.slice(0, -4)}AAAA`;
    expect(() => box.decrypt(tampered)).toThrow();
  });
});

describe('loadOrCreateKey', () => {
  it('creates a 0600 key once and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-key-'));
    const k1 = loadOrCreateKey(dir, false);
    expect(k1.length).toBe(32);
    expect(fs.statSync(keyFilePath(dir)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKey(dir, true).equals(k1)).toBe(true);
  });

  it('refuses to create a new key over existing encrypted data', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-key-'));
    expect(() => loadOrCreateKey(dir, true)).toThrow(KeyFileError);
    expect(fs.existsSync(keyFilePath(dir))).toBe(false);
  });

  it('refuses a key file of the wrong size', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-key-'));
    fs.writeFileSync(keyFilePath(dir), 'short');
    expect(() => loadOrCreateKey(dir, false)).toThrow(/expected 32/);
  });
});
