/**
 * Container interfaces: /lxc/{vmid}/interfaces once per 5 minutes per running container, only
 * when containers are monitored; a container that is gone is forgotten.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIVE_MIN } from '../../../src/collect/pve/fetcher.js';
import { LxcInterfacesFetcher } from '../../../src/collect/pve/lxc-interfaces.js';
import { labSpec, type Rig, startRig } from './rig.js';

let rig: Rig;
const fetcher = new LxcInterfacesFetcher();
const calls = (vmid: number) => rig.calls(new RegExp(`/lxc/${vmid}/interfaces$`));

beforeAll(async () => {
  rig = await startRig(labSpec());
});
afterAll(async () => {
  await rig?.close();
});

describe('container interfaces', () => {
  it('each running container once per 5 minutes; stopped ones never', async () => {
    const c = await rig.cycle();
    await fetcher.fetch(c);
    expect([calls(200), calls(201), calls(202)]).toEqual([1, 1, 0]);
    expect(c.lxcNetwork.get('lxc/200')?.network?.result?.length).toBeGreaterThan(0);
    rig.clock.advance(FIVE_MIN - 1);
    const next = await rig.cycle();
    await fetcher.fetch(next);
    expect([calls(200), calls(201)]).toEqual([1, 1]);
    expect(next.lxcNetwork.get('lxc/200')).toBe(c.lxcNetwork.get('lxc/200'));
    rig.clock.advance(1);
    await fetcher.fetch(await rig.cycle());
    expect([calls(200), calls(201)]).toEqual([2, 2]);
  });

  it('a failed ask is remembered as no addresses until its next turn', async () => {
    rig.clock.advance(FIVE_MIN);
    await rig.fault({ target: 'lab', kind: 'http500', path: '/nodes/n2/lxc/201/interfaces' });
    const c = await rig.cycle();
    await fetcher.fetch(c);
    await rig.clearFaults();
    expect(c.lxcNetwork.get('lxc/201')).toEqual({ at: c.now, network: undefined });
    expect(c.lxcNetwork.get('lxc/200')?.network).toBeDefined();
  });

  it('a gone container is forgotten; nothing is asked when containers are not monitored', async () => {
    fetcher.prune(new Map([['lxc/200', true]]));
    const c = await rig.cycle();
    expect(calls(201)).toBe(3);
    await fetcher.fetch(c);
    expect([calls(200), calls(201)]).toEqual([3, 4]);

    fetcher.prune(new Map());
    const off = await rig.cycle();
    off.want.containers = false;
    await fetcher.fetch(off);
    expect([calls(200), calls(201)]).toEqual([3, 4]);
  });
});
