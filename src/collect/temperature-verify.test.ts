import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/pulse.js';
import { parseSensors } from './normalise/sensors.js';
import { KnownHosts, keyFingerprint, keyType, knownHostName } from './temperature-known-hosts.js';
import { formatReport, MAX_VERIFY_NODES, parseNodeList, requestFor, VerifyInputError } from './temperature-verify.js';

describe('verify-temperature-ssh input and report', () => {
  it('node lists: spaces or commas, duplicates dropped; bad input refused', () => {
    expect(parseNodeList('pve1 pve2,pve3  pve1')).toEqual(['pve1', 'pve2', 'pve3']);
    expect(parseNodeList(['a', 'b'])).toEqual(['a', 'b']);
    expect(parseNodeList('10.0.0.5 fe80::1')).toEqual(['10.0.0.5', 'fe80::1']);
    const many = Array.from({ length: MAX_VERIFY_NODES + 1 }, (_, i) => `n${i}`).join(' ');
    for (const bad of [undefined, '', '  ', 5, [1], 'a;rm', '-oProxyCommand=x', many])
      expect(() => parseNodeList(bad), String(bad)).toThrow(VerifyInputError);
  });

  it('names resolve to a monitored node (by name or address), else are used as the host', () => {
    const known = [{ instance: 'c', node: 'pve1', address: '10.0.0.11' }];
    expect(requestFor('pve1', known)).toEqual({ instance: 'c', node: 'pve1', address: '10.0.0.11' });
    expect(requestFor('10.0.0.11', known)).toEqual({ instance: 'c', node: 'pve1', address: '10.0.0.11' });
    expect(requestFor('other', known)).toEqual({ instance: '', node: 'other', address: 'other' });
  });

  it('report lines: OK with the readings, FAIL with the reason, a summary', () => {
    const target = { host: 'h', port: 22 };
    const t = parseSensors(
      '{"k10temp-pci-00c3":{"Tctl":{"temp1_input":47.25}},"nvme-pci-0100":{"Composite":{"temp1_input":40}}}',
      0,
    );
    const text = formatReport(
      [
        { node: 'a', result: { ok: true, target, temperature: t } },
        { node: 'b', result: { ok: true, target, temperature: parseSensors('{}', 0) } },
        { node: 'c', result: { ok: false, target, failure: 'timeout', message: 'no answer' } },
      ],
      'header',
    );
    expect(text).toBe(
      'header\n\n' +
        'OK   a (h:22): CPU 47.3°C, 1 NVMe drive\n' +
        'FAIL b (h:22): [no-readings] sensors ran but reported no CPU or NVMe temperature (run sensors-detect on the node)\n' +
        'FAIL c (h:22): [timeout] no answer\n\n' +
        '1 of 3 nodes OK\n',
    );
  });
});

describe('KnownHosts', () => {
  const blob = (type: string, body: string) => {
    const t = Buffer.from(type);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(t.length);
    return Buffer.concat([len, t, Buffer.from(body)]);
  };

  it('trusts on first use, pins, refuses a change; survives a restart; reads pre-seeded OpenSSH lines', () => {
    const dir = tempDir('pulse-kh-');
    const k1 = blob('ssh-ed25519', 'one');
    const k2 = blob('ssh-ed25519', 'two');
    const kh = KnownHosts.inDataDir(dir);
    expect(kh.check('10.0.0.1', 22, k1)).toBe('new');
    expect(kh.check('10.0.0.1', 22, k1)).toBe('known');
    expect(kh.check('10.0.0.1', 22, k2)).toBe('changed');
    expect(kh.check('10.0.0.1', 2222, k2)).toBe('new');
    const again = KnownHosts.inDataDir(dir);
    expect(again.check('10.0.0.1', 22, k2)).toBe('changed');
    expect(again.get('10.0.0.1', 2222)).toBe(`ssh-ed25519 ${k2.toString('base64')}`);
    expect(fs.statSync(path.join(dir, 'ssh_known_hosts')).mode & 0o777).toBe(0o600);

    const seeded = path.join(tempDir('pulse-kh-'), 'kh');
    fs.writeFileSync(seeded, `# comment\npve1,10.0.0.9 ssh-ed25519 ${k1.toString('base64')}\n|1|abc= ssh-rsa AAAA\n`);
    const s = new KnownHosts(seeded);
    expect(s.check('10.0.0.9', 22, k1)).toBe('known');
    expect(s.check('pve1', 22, k2)).toBe('changed');
  });

  it('names, key types and fingerprints as OpenSSH shows them', () => {
    expect(knownHostName('h', 22)).toBe('h');
    expect(knownHostName('h', 2222)).toBe('[h]:2222');
    expect(keyType(blob('ecdsa-sha2-nistp256', 'x'))).toBe('ecdsa-sha2-nistp256');
    expect(keyType(Buffer.from([0, 0]))).toBe('unknown');
    expect(keyFingerprint(Buffer.from('abc'))).toBe('SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0');
  });
});
