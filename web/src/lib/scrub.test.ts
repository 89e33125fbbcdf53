import { describe, expect, it } from 'vitest';
import { scrubReport } from './scrub';

describe('scrubReport', () => {
  it('removes secrets and replaces identifying values with stable placeholders', () => {
    const out = scrubReport({
      version: 'v1.2.3',
      nodes: [
        { name: 'pve-home', host: 'https://192.168.1.10:8006', tokenValue: 'abc', connected: true },
        { name: 'pve-home', host: 'https://192.168.1.11:8006', password: 'hunter2', connected: false },
      ],
      errors: [
        'connect ECONNREFUSED 192.168.1.11:8006 at https://192.168.1.11:8006/api2/json',
        'mail root@example.org',
      ],
      uptime: 12,
    }) as { version: string; nodes: Array<Record<string, unknown>>; errors: string[]; uptime: number };
    const text = JSON.stringify(out);
    for (const leaked of ['192.168', 'pve-home', 'abc', 'hunter2', 'example.org']) expect(text).not.toContain(leaked);
    expect(out.version).toBe('v1.2.3');
    expect(out.uptime).toBe(12);
    expect(out.nodes[0]!.name).toBe(out.nodes[1]!.name);
    expect(out.nodes[0]!.host).not.toBe(out.nodes[1]!.host);
    expect(out.nodes[0]!.tokenValue).toBe('[redacted]');
    expect(out.nodes[1]!.connected).toBe(false);
    expect(out.errors[0]).toMatch(/^connect ECONNREFUSED <ip-\d>:8006 at <url-\d>$/);
  });

  it("leaves the permission doctor's grant command out (it names the token) and keeps its features", () => {
    const out = scrubReport({
      permissions: {
        features: [{ feature: 'VMs and containers', works: false, privilege: 'VM.Audit', path: '/vms' }],
        grantCommand: "pveum acl modify /vms --tokens 'pulse@pve!monitor' --roles PulseExtra-vms",
      },
    }) as { permissions: { features: Array<Record<string, unknown>>; grantCommand: string } };
    expect(JSON.stringify(out)).not.toContain('pulse@pve!monitor');
    expect(out.permissions.grantCommand).toBe('[omitted: names the user]');
    expect(out.permissions.features[0]).toEqual({
      feature: 'VMs and containers',
      works: false,
      privilege: 'VM.Audit',
      path: '/vms',
    });
  });
});
