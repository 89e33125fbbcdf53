/**
 * SSH host keys of the nodes Pulse reads temperatures from: trust on first use, then pinned.
 *
 * Kept in `<data dir>/ssh_known_hosts` in OpenSSH's known_hosts layout (`host` or `[host]:port`,
 * key type, base64 key), so an operator can read it, pre-seed it with `ssh-keyscan`, or delete
 * one line after reinstalling a node. A key that differs from the remembered one is refused.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type HostKeyVerdict = 'known' | 'new' | 'changed';

/** `host` for port 22, else `[host]:port` (as OpenSSH writes it). */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type inside an SSH public key blob (its first length-prefixed string). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return len > 0 && len < 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : 'unknown';
}

/** OpenSSH's `SHA256:…` fingerprint of a key blob, for log lines and reports. */
export function keyFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export class KnownHosts {
  readonly file: string;
  readonly #keys = new Map<string, string>();
  #loaded = false;

  constructor(file: string) {
    this.file = file;
  }

  static inDataDir(dataDir: string): KnownHosts {
    return new KnownHosts(path.join(dataDir, 'ssh_known_hosts'));
  }

  #load(): void {
    if (this.#loaded) return;
    this.#loaded = true;
    let text = '';
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    for (const line of text.split('\n')) {
      const t = line.trim();
      if (!t || t.startsWith('#')) continue;
      const [names, type, key] = t.split(/\s+/);
      if (!names || !type || !key) continue;
      // A line may name several hosts (`a,b`); hashed names (`|1|…`) are not ours to read.
      for (const name of names.split(',')) if (!name.startsWith('|')) this.#keys.set(name, `${type} ${key}`);
    }
  }

  /** Compares a presented host key with the remembered one; a new host is remembered. */
  check(host: string, port: number, blob: Buffer): HostKeyVerdict {
    this.#load();
    const name = knownHostName(host, port);
    const presented = `${keyType(blob)} ${blob.toString('base64')}`;
    const known = this.#keys.get(name);
    if (known === presented) return 'known';
    if (known !== undefined) return 'changed';
    this.#keys.set(name, presented);
    this.#append(`${name} ${presented}\n`);
    return 'new';
  }

  /** The remembered key line (`type base64`) of a host, if any. */
  get(host: string, port: number): string | undefined {
    this.#load();
    return this.#keys.get(knownHostName(host, port));
  }

  #append(line: string): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.appendFileSync(this.file, line, { mode: 0o600 });
    } catch {
      // A read-only data dir still pins keys for the life of the process.
    }
  }
}
