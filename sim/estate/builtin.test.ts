import { describe, expect, it } from 'vitest';
import { buildEstate } from './build.js';
import { BUILTIN_ESTATES, largeEstate, xlargeEstate } from './builtin.js';

describe('generated estates', () => {
  it('xlarge: 500 nodes and 15,000 guests with distinct ids, spread evenly, backed up to PBS', () => {
    const e = buildEstate(xlargeEstate());
    const pve = e.pve[0];
    expect(pve.nodes).toHaveLength(500);
    expect(new Set(pve.nodes.map((n) => n.name)).size).toBe(500);
    expect(new Set(pve.nodes.map((n) => n.ip)).size).toBe(500);
    expect(pve.nodes[499].name).toBe('node500');
    const guests = [...pve.guests.values()];
    expect(guests).toHaveLength(15_000);
    expect(new Set(guests.map((g) => g.vmid)).size).toBe(15_000);
    const perNode = new Map<string, number>();
    for (const g of guests) perNode.set(g.node, (perNode.get(g.node) ?? 0) + 1);
    expect(perNode.size).toBe(500);
    expect(new Set(perNode.values())).toEqual(new Set([30]));
    expect(guests.filter((g) => g.type === 'lxc').length).toBeGreaterThan(3000);
    expect(guests.filter((g) => g.status === 'stopped').length).toBeGreaterThan(1000);
    expect(e.pbs[0].datastores[0].name).toBe('big');
    expect(BUILTIN_ESTATES.xlarge).toBe(xlargeEstate);
  });

  it('large keeps its shape: 200 nodes named node001…node200, 10,000 guests from vmid 1000', () => {
    const spec = largeEstate();
    expect(spec.name).toBe('large');
    expect(spec.seed).toBe(1000);
    const pve = buildEstate(spec).pve[0];
    expect(pve.name).toBe('pve-large');
    expect(pve.nodes.map((n) => n.name).slice(0, 2)).toEqual(['node001', 'node002']);
    expect(pve.nodes.at(-1)?.name).toBe('node200');
    expect(pve.guests.size).toBe(10_000);
    expect(Math.min(...pve.guests.keys())).toBe(1000);
  });
});
