/** Node status: one /nodes/{node}/status per online node each cycle; a failed one is left out. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeStatusFetcher } from '../../../src/collect/pve/node-status.js';
import { labSpec, type Rig, startRig } from './rig.js';

let rig: Rig;
const fetcher = new NodeStatusFetcher();
const calls = (node: string) => rig.calls(new RegExp(`^/nodes/${node}/status$`));

beforeAll(async () => {
  rig = await startRig(labSpec());
});
afterAll(async () => {
  await rig?.close();
});

describe('node status', () => {
  it('asks each online node once per cycle', async () => {
    const c = await rig.cycle();
    await fetcher.fetch(c);
    expect([calls('n1'), calls('n2')]).toEqual([1, 1]);
    expect([...c.nodeStatus.keys()].sort()).toEqual(['n1', 'n2']);
    expect(c.nodeStatus.get('n1')?.memory?.total).toBeGreaterThan(0);
    await fetcher.fetch(await rig.cycle());
    expect([calls('n1'), calls('n2')]).toEqual([2, 2]);
  });

  it('a node whose status fails is left to cluster resources; an offline node is not asked', async () => {
    await rig.fault({ target: 'lab', kind: 'http500', path: '/nodes/n2/status' });
    const c = await rig.cycle();
    await fetcher.fetch(c);
    await rig.clearFaults();
    expect([...c.nodeStatus.keys()]).toEqual(['n1']);

    await rig.fault({ target: 'lab/n2', kind: 'down' });
    const d = await rig.cycle();
    await fetcher.fetch(d);
    await rig.clearFaults();
    expect([calls('n1'), calls('n2')]).toEqual([4, 3]);
    expect([...d.nodeStatus.keys()]).toEqual(['n1']);
  });
});
