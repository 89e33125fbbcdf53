/**
 * SMART disks: /nodes/{n}/disks/list of each online node every 5 minutes, when physical disks
 * are monitored; a node that fails keeps its disks of the last run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIVE_MIN } from '../../../src/collect/pve/fetcher.js';
import { SmartDisksFetcher } from '../../../src/collect/pve/smart-disks.js';
import type { PhysicalDisk } from '../../../src/model/state.js';
import { labSpec, type Rig, startRig } from './rig.js';

let rig: Rig;
const fetcher = new SmartDisksFetcher();
let last: PhysicalDisk[] = [];
const calls = (node: string) => rig.calls(new RegExp(`^/nodes/${node}/disks/list`));

beforeAll(async () => {
  rig = await startRig(labSpec());
});
afterAll(async () => {
  await rig?.close();
});

describe('SMART disks', () => {
  it('every online node once per 5 minutes', async () => {
    const c = await rig.cycle();
    await fetcher.fetch(c);
    expect([calls('n1'), calls('n2')]).toEqual([1, 1]);
    expect(new Set(c.physicalDisks.map((d) => d.node))).toEqual(new Set(['n1', 'n2']));
    rig.clock.advance(FIVE_MIN - 1);
    const next = await rig.cycle();
    await fetcher.fetch(next);
    expect(calls('n1')).toBe(1);
    expect(next.physicalDisks).toBe(c.physicalDisks);
    rig.clock.advance(1);
    const third = await rig.cycle();
    await fetcher.fetch(third);
    expect(calls('n1')).toBe(2);
    last = third.physicalDisks;
  });

  it('a node that fails keeps its last disks', async () => {
    rig.clock.advance(FIVE_MIN);
    await rig.fault({ target: 'lab', kind: 'http500', path: '/nodes/n2/disks/list' });
    const c = await rig.cycle();
    await fetcher.fetch(c);
    await rig.clearFaults();
    expect(calls('n2')).toBe(3);
    const n2 = (list: typeof c.physicalDisks) => list.filter((d) => d.node === 'n2').map((d) => d.devPath);
    expect(n2(c.physicalDisks).length).toBeGreaterThan(0);
    expect(n2(c.physicalDisks)).toEqual(n2(last));
    // n2's are the very disks of the last run; n1's are new.
    const ofNode = (list: typeof c.physicalDisks, node: string) => list.find((d) => d.node === node);
    expect(ofNode(c.physicalDisks, 'n2')).toBe(ofNode(last, 'n2'));
    expect(ofNode(c.physicalDisks, 'n1')).not.toBe(ofNode(last, 'n1'));
  });

  it('nothing is asked when physical disks are not monitored', async () => {
    rig.clock.advance(FIVE_MIN);
    const c = await rig.cycle();
    c.want.physicalDisks = false;
    await fetcher.fetch(c);
    expect([calls('n1'), calls('n2')]).toEqual([3, 3]);
  });
});
