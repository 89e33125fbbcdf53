import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../crypto/secret-box.js';
import { openDatabase } from '../db/database.js';
import { NodeValidationError, parseNodeInput } from './node-config.js';
import { NodesRepo } from './nodes-repo.js';
import { SettingsValidationError, SystemSettingsService, validateSettingsUpdate } from './system-settings.js';

const FP = 'ab'.repeat(32);

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof NodeValidationError || err instanceof SettingsValidationError) return err.field;
    throw err;
  }
  throw new Error('expected a validation error');
}

describe('parseNodeInput', () => {
  it('adds https:// and the default port, realms and full token ids', () => {
    expect(parseNodeInput({ type: 'pve', host: '10.0.0.5', user: 'root', password: 'x' })).toMatchObject({
      host: 'https://10.0.0.5:8006',
      name: '10.0.0.5',
      user: 'root@pam',
      verifySSL: false,
    });
    expect(parseNodeInput({ type: 'pbs', name: 'b', host: 'pbs.lan', user: 'admin', password: 'x' })).toMatchObject({
      host: 'https://pbs.lan:8007',
      user: 'admin@pbs',
    });
    expect(
      parseNodeInput({
        type: 'pve',
        host: 'https://h:9000/some/path',
        user: 'mon@pve',
        tokenName: 'pulse',
        tokenValue: 's',
      }),
    ).toMatchObject({ host: 'https://h:9000', tokenName: 'mon@pve!pulse', tokenValue: 's' });
    expect(
      parseNodeInput({ type: 'pve', host: 'h', tokenName: 'a@pve!t', tokenValue: 's', fingerprint: FP }).fingerprint,
    ).toBe(FP.toUpperCase().match(/.{2}/g)!.join(':'));
  });

  it('names the offending field', () => {
    expect(fieldOf(() => parseNodeInput({ type: 'xen', host: 'h' }))).toBe('type');
    expect(fieldOf(() => parseNodeInput({ type: 'pve' }))).toBe('host');
    expect(fieldOf(() => parseNodeInput({ type: 'pve', host: 'ftp://h' }))).toBe('host');
    expect(fieldOf(() => parseNodeInput({ type: 'pve', host: 'http://[bad' }))).toBe('host');
    expect(fieldOf(() => parseNodeInput({ type: 'pve', host: 'h', user: 'root' }))).toBe('password');
    expect(fieldOf(() => parseNodeInput({ type: 'pve', host: 'h', tokenName: 'a@pve!t' }))).toBe('tokenValue');
    expect(
      fieldOf(() =>
        parseNodeInput({ type: 'pve', host: 'h', tokenName: 'a@pve!t', tokenValue: 's', fingerprint: 'zz' }),
      ),
    ).toBe('fingerprint');
    expect(
      fieldOf(() => parseNodeInput({ type: 'pve', host: 'h', user: 'r', password: 'p', verifySSL: 'maybe' })),
    ).toBe('verifySSL');
    expect(fieldOf(() => parseNodeInput('nope'))).toBe('body');
  });

  it('PMG: a token is refused with a message saying to use user@realm and password', () => {
    for (const body of [
      { type: 'pmg', host: 'mx', tokenName: 'root@pam!pulse', tokenValue: 's' },
      { type: 'pmg', host: 'mx', user: 'root@pam', password: 'pw', tokenValue: 's' },
    ]) {
      let err: unknown;
      try {
        parseNodeInput(body);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NodeValidationError);
      expect((err as Error).message).toMatch(/PMG has no API tokens; use user@realm and password/);
    }
    expect(fieldOf(() => parseNodeInput({ type: 'pmg', host: 'mx' }))).toBe('user');
    expect(parseNodeInput({ type: 'pmg', host: 'mx', user: 'pulse-monitor', password: 'pw' })).toMatchObject({
      user: 'pulse-monitor@pmg',
      password: 'pw',
      tokenName: undefined,
      tokenValue: undefined,
    });
    // A PMG row stored with a token before tokens were refused: an update drops the token.
    const legacy = {
      uid: 2,
      ...parseNodeInput({ type: 'pmg', host: 'mx', user: 'root@pam', password: 'pw' }),
      tokenName: 'root@pam!old',
      tokenValue: 'old-secret',
    };
    expect(parseNodeInput({ name: 'mail' }, legacy)).toMatchObject({ tokenName: undefined, tokenValue: undefined });
  });

  it('an update keeps stored secrets when they come back empty', () => {
    const existing = {
      uid: 1,
      ...parseNodeInput({ type: 'pve', name: 'a', host: 'h', user: 'root', password: 'secret' }),
    };
    const next = parseNodeInput({ name: 'b', password: '' }, existing);
    expect(next).toMatchObject({ name: 'b', user: 'root@pam', password: 'secret', host: 'https://h:8006' });
  });
});

describe('NodesRepo', () => {
  it('stores secrets encrypted and lists in positional order; survives reopening', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-nodes-'));
    const box = new SecretBox(crypto.randomBytes(32));
    let db = openDatabase(dir);
    let repo = new NodesRepo(db, box, () => 1);
    repo.insert(
      parseNodeInput({ type: 'pve', name: 'one', host: 'h1', tokenName: 'a@pve!t', tokenValue: 'tok-secret' }),
    );
    repo.insert(parseNodeInput({ type: 'pbs', name: 'b', host: 'h2', user: 'u', password: 'pw-secret' }));
    repo.insert(parseNodeInput({ type: 'pve', name: 'two', host: 'h3', user: 'u', password: 'pw2' }));
    const raw = JSON.stringify(db.prepare('SELECT * FROM monitored_nodes').all());
    expect(raw).not.toContain('tok-secret');
    expect(raw).not.toContain('pw-secret');
    db.close();
    db = openDatabase(dir);
    repo = new NodesRepo(db, box, () => 2);
    expect(repo.byPublicId('pve-1')?.name).toBe('two');
    expect(repo.byPublicId('pbs-0')?.password).toBe('pw-secret');
    expect(repo.byPublicId('pve-0')?.tokenValue).toBe('tok-secret');
    expect(repo.byPublicId('pve-2')).toBeUndefined();
    expect(repo.findByName('pve', 'ONE')?.name).toBe('one');
    db.close();
  });
});

describe('system settings', () => {
  it('validates per §7.2 and names the field', () => {
    expect(validateSettingsUpdate({ pvePollingInterval: 30, pbsPollingInterval: 120, theme: 'dark' })).toEqual({
      pvePollingInterval: 30,
      pbsPollingInterval: 120,
      theme: 'dark',
    });
    expect(fieldOf(() => validateSettingsUpdate({ pbsPollingInterval: 5 }))).toBe('pbsPollingInterval');
    expect(fieldOf(() => validateSettingsUpdate({ pmgPollingInterval: 3601 }))).toBe('pmgPollingInterval');
    expect(fieldOf(() => validateSettingsUpdate({ connectionTimeout: 301 }))).toBe('connectionTimeout');
    expect(validateSettingsUpdate({ connectionTimeout: 0, autoUpdateCheckInterval: 0 })).toEqual({
      connectionTimeout: 0,
      autoUpdateCheckInterval: 0,
    });
    expect(fieldOf(() => validateSettingsUpdate({ autoUpdateCheckInterval: 169 }))).toBe('autoUpdateCheckInterval');
    expect(fieldOf(() => validateSettingsUpdate({ theme: 'blue' }))).toBe('theme');
    expect(fieldOf(() => validateSettingsUpdate({ updateChannel: 'beta' }))).toBe('updateChannel');
  });

  it('persists and notifies listeners', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-settings-'));
    const db = openDatabase(dir);
    const repo = new SystemSettingsService(db);
    expect(repo.hasStored()).toBe(false);
    expect(repo.get().pvePollingInterval).toBe(10);
    const heard: number[] = [];
    repo.onChange((s) => heard.push(s.pvePollingInterval));
    repo.save({ pvePollingInterval: 42 });
    expect(heard).toEqual([42]);
    expect(new SystemSettingsService(db).get()).toMatchObject({ pvePollingInterval: 42, pbsPollingInterval: 60 });
    db.close();
  });
});
