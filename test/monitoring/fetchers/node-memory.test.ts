/**
 * Node memory from the RRD: only for nodes whose status lacks `available` (PVE 8's, as recorded
 * in test/fixtures), at most once a minute per node.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, type PveCycle } from '../../../src/collect/pve/fetcher.js';
import { NodeMemoryFetcher } from '../../../src/collect/pve/node-memory.js';
import type { PveNodeStatus } from '../../../src/proxmox/pve.js';
import { labSpec, type Rig, startRig } from './rig.js';

const recorded = (name: string): PveNodeStatus =>
  JSON.parse(readFileSync(new URL(`../../fixtures/proxmox/pve-node/${name}`, import.meta.url), 'utf8')).data;
const pve8 = recorded('pve8-node-status-memory.json');
const pve9 = recorded('pve9-node-status-memory.json');

let rig: Rig;
const fetcher = new NodeMemoryFetcher();
const calls = (node: string) => rig.calls(new RegExp(`^/nodes/${node}/rrddata`));

/** A cycle where n1 answered its status as PVE 8 does and n2 as PVE 9 does. */
async function cycle(): Promise<PveCycle> {
  const c = await rig.cycle();
  c.nodeStatus.set('n1', pve8);
  c.nodeStatus.set('n2', pve9);
  return c;
}

beforeAll(async () => {
  rig = await startRig(labSpec());
});
afterAll(async () => {
  await rig?.close();
});

describe('node memory (RRD)', () => {
  it('asks the RRD only for a node whose status has no available memory', async () => {
    expect(pve8.memory?.available).toBeUndefined();
    expect(pve9.memory?.available).toBeDefined();
    const c = await cycle();
    await fetcher.fetch(c);
    expect([calls('n1'), calls('n2')]).toEqual([1, 0]);
    expect(c.nodeMemoryRrd.get('n1')?.value).toBeGreaterThan(0);
    expect(c.nodeMemoryRrd.has('n2')).toBe(false);
  });

  it('at most once a minute; the figure stands in between', async () => {
    const first = await cycle();
    await fetcher.fetch(first);
    expect(calls('n1')).toBe(1);
    rig.clock.advance(MINUTE - 1);
    const c = await cycle();
    await fetcher.fetch(c);
    expect(calls('n1')).toBe(1);
    expect(c.nodeMemoryRrd.get('n1')?.value).toBe(first.nodeMemoryRrd.get('n1')?.value);
    rig.clock.advance(1);
    await fetcher.fetch(await cycle());
    expect(calls('n1')).toBe(2);
  });

  it('a failed ask leaves no figure until the next minute', async () => {
    rig.clock.advance(MINUTE);
    await rig.fault({ target: 'lab', kind: 'http500', path: '/nodes/n1/rrddata' });
    const c = await cycle();
    await fetcher.fetch(c);
    await rig.clearFaults();
    expect(calls('n1')).toBe(3);
    expect(c.nodeMemoryRrd.get('n1')?.value).toBeUndefined();
  });
});
