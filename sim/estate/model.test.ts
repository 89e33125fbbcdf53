import { describe, expect, it } from 'vitest';
import { buildEstate } from './build.js';
import { demoEstate, mixedEstate } from './builtin.js';
import { pveAtLeast, pveMajorMinor } from './model.js';

describe('per-node PVE versions', () => {
  it('reads both version spellings: 8.x/9.x "8.2.4" and PVE 7 "7.4-17"', () => {
    expect(pveMajorMinor('8.2.4')).toEqual({ major: 8, minor: 2 });
    expect(pveMajorMinor('9.0.10')).toEqual({ major: 9, minor: 0 });
    expect(pveMajorMinor('7.4-17')).toEqual({ major: 7, minor: 4 });
    expect(() => pveMajorMinor('nine')).toThrow(/not a pve-manager version/);
    expect(pveAtLeast('8.4.14', 8, 4)).toBe(true);
    expect(pveAtLeast('8.3.5', 8, 4)).toBe(false);
    expect(pveAtLeast('9.0.10', 8, 4)).toBe(true);
    expect(pveAtLeast('7.4-17', 8)).toBe(false);
  });

  it('nodes carry their own version; demo has a node at 8.3 or older; mixed mixes within a cluster', () => {
    const demo = buildEstate(demoEstate());
    expect(demo.pve.flatMap((p) => p.nodes).some((n) => !pveAtLeast(n.version, 8, 4))).toBe(true);
    const mixed = buildEstate(mixedEstate());
    const cluster = mixed.pve.find((p) => p.cluster)!;
    expect(new Set(cluster.nodes.map((n) => n.version)).size).toBe(cluster.nodes.length);
    expect(mixed.pve.find((p) => p.name === 'pve-old')!.nodes[0].version).toBe('7.4-17');
  });

  it('an estate file is refused for a malformed node version and for PMG tokens', () => {
    expect(() => buildEstate({ name: 'x', pve: [{ name: 'p', nodes: [{ name: 'n', version: 'latest' }] }] })).toThrow(
      /pve\[0\]\.nodes\[0\]\.version/,
    );
    expect(() =>
      buildEstate({ name: 'x', pmg: [{ name: 'm', tokens: [{ tokenid: 'a@pmg!t', secret: 's' }] } as never] }),
    ).toThrow(/PMG has no API tokens/);
    // PMG gets users only: no credential of a built PMG is a token.
    const pmg = buildEstate(demoEstate()).pmg[0];
    expect(pmg.credentials.every((c) => c.tokenid === undefined)).toBe(true);
  });
});
