/**
 * The detailed collections from the demo estate: guest-agent data, ZFS health, Ceph, SMART
 * disks, PVE and PBS backups, PMG statistics; and faults (hang, garbage) that mark only the
 * instance concerned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim/index.js';
import { api } from '../helpers/http.js';
import { settleBackups, startFastPulse, type TestPulse, untilCycles } from '../helpers/pulse.js';
import { addNodes, control, pmgNodeBody, pveBody, startSim, tokenNodeBody } from '../helpers/sim.js';

let sim: Simulator;
let pulse: TestPulse;

beforeAll(async () => {
  sim = await startSim('demo');
  pulse = await startFastPulse();
  const pbs = sim.ready.pbs[0];
  const pmg = sim.ready.pmg[0];
  await addNodes(pulse.url, [pveBody(sim), tokenNodeBody('pbs', pbs), pmgNodeBody(pmg)]);
  await pulse.deps.monitoring.pollNow();
  await pulse.deps.monitoring.pollNow();
});

afterAll(async () => {
  await pulse?.close();
  await sim?.stop();
});

const state = () => pulse.deps.state.get();

describe('guest agent', () => {
  it('running VMs with the agent have OS, addresses, interfaces and per-filesystem disks', async () => {
    const guests = (await control(sim, 'GET', '/guests/pve-cluster')) as Array<{
      vmid: number;
      type: string;
      status: string;
      agent: boolean;
      template: boolean;
    }>;
    const withAgent = guests.filter((g) => g.type === 'qemu' && g.status === 'running' && g.agent && !g.template);
    expect(withAgent.length).toBeGreaterThan(0);
    for (const g of withAgent) {
      const vm = state().vms.find((v) => v.vmid === g.vmid)!;
      expect(vm.diskStatusReason, `vm ${g.vmid}`).toBeUndefined();
      expect(vm.disk!.usage).toBeGreaterThanOrEqual(0);
      expect(vm.disks?.length).toBeGreaterThan(0);
      expect(vm.osName).toBeTruthy();
      expect(vm.ipAddresses?.length).toBeGreaterThan(0);
      expect(vm.networkInterfaces?.length).toBeGreaterThan(0);
      for (const ip of vm.ipAddresses ?? []) expect(ip).not.toMatch(/^(127\.|fe80)/);
    }
    const ct = state().containers.find((c) => c.status === 'running')!;
    expect(ct.ipAddresses?.length).toBeGreaterThan(0);
    expect(ct.networkInterfaces?.map((i) => i.name)).toContain('eth0');
    const stopped = state().vms.find((v) => v.status === 'stopped');
    if (stopped) expect(stopped.diskStatusReason).toBe('vm-stopped');
  });

  it('an agent that times out is reported as such', async () => {
    const vm = state().vms.find((v) => v.status === 'running' && v.instance === 'pve-cluster' && !v.diskStatusReason)!;
    await control(sim, 'POST', '/faults', { target: `pve-cluster/${vm.vmid}`, kind: 'agenttimeout' });
    await untilCycles(pulse, 3, () => state().vms.find((v) => v.id === vm.id)?.diskStatusReason === 'agent-timeout');
    expect(state().vms.find((v) => v.id === vm.id)?.disk?.usage).toBe(-1);
    await control(sim, 'DELETE', `/faults?target=pve-cluster/${vm.vmid}`);
  });
});

describe('storage health', () => {
  it('ZFS pools carry their health; Ceph and SMART disks are collected', async () => {
    const zfs = state().storage.filter((s) => s.type === 'zfspool');
    expect(zfs.length).toBeGreaterThan(0);
    for (const s of zfs) {
      expect(s.zfsPool?.state).toMatch(/ONLINE|DEGRADED|FAULTED|OFFLINE|REMOVED|UNAVAIL/);
      expect(Array.isArray(s.zfsPool?.devices)).toBe(true);
    }
    expect(state().cephClusters).toHaveLength(1);
    expect(state().cephClusters[0]).toMatchObject({ instance: 'pve-cluster', name: 'Ceph' });
    expect(state().cephClusters[0].health).toMatch(/^HEALTH_/);
    expect(state().cephClusters[0].numOsds).toBeGreaterThan(0);
    expect(state().physicalDisks.length).toBeGreaterThan(0);
    for (const d of state().physicalDisks) {
      expect(d.id).toBe(`${d.instance}-${d.node}-${d.devPath.replace(/\//g, '-')}`);
      expect(d.wearout).toBeGreaterThanOrEqual(-1);
      expect(d.wearout).toBeLessThanOrEqual(100);
    }
  });
});

describe('backups', () => {
  it('PVE backup tasks, storage backups and snapshots; guests know their last backup', async () => {
    await settleBackups(pulse);
    const b = state().pveBackups;
    expect(b.backupTasks.length).toBeGreaterThan(0);
    expect(b.storageBackups.length).toBeGreaterThan(0);
    expect(b.guestSnapshots.length).toBeGreaterThan(0);
    expect(new Set(b.storageBackups.map((x) => x.volid)).size).toBe(b.storageBackups.length);
    expect(b.guestSnapshots.some((s) => s.name === 'current')).toBe(false);
    expect([...state().vms, ...state().containers].some((g) => typeof g.lastBackup === 'number')).toBe(true);
    const snaps = await api(pulse.url, 'GET', '/api/snapshots');
    expect(snaps.body.snapshots.length).toBe(b.guestSnapshots.length);
  });

  it('PBS datastores with usage, dedup factor and namespaces; PBS backups', async () => {
    const pbs = state().pbs[0];
    expect(pbs.status).toBe('online');
    const main = pbs.datastores.find((d) => d.name === 'main')!;
    expect(main.total).toBeGreaterThan(0);
    expect(main.namespaces?.[0]).toEqual({ path: '', depth: 0 });
    expect(main.namespaces!.length).toBeGreaterThan(1);
    expect(pbs.datastores.some((d) => typeof d.deduplicationFactor === 'number')).toBe(true);
    expect(state().pbsBackups.length).toBeGreaterThan(0);
    expect(state().pbsBackups[0].id).toMatch(/^pbs-pbs-main-/);
  });

  it('PMG mail statistics, counts, spam scores, quarantine and queues', async () => {
    const pmg = state().pmg[0];
    expect(pmg.status).toBe('online');
    expect(pmg.mailStats?.timeframe).toBe('day');
    expect(pmg.mailStats?.countTotal).toBeGreaterThan(0);
    expect(pmg.mailCount?.length).toBeGreaterThan(0);
    expect(pmg.spamDistribution?.length).toBeGreaterThan(0);
    expect(pmg.quarantine).toBeDefined();
    expect(pmg.nodes?.every((n) => n.queueStatus && typeof n.queueStatus.total === 'number')).toBe(true);
  });
});

describe('faults stay with their instance', () => {
  it('garbage from PBS marks PBS while PVE keeps updating', async () => {
    await control(sim, 'POST', '/faults', { target: 'pbs-main', kind: 'badjson' });
    await untilCycles(pulse, 3, () => state().connectionHealth['pbs-pbs-main'] === false, 'pbs-0');
    expect(state().pbs[0].status).toBe('offline');
    const cfg = (await api(pulse.url, 'GET', '/api/config/nodes')).body.find((n: { id: string }) => n.id === 'pbs-0');
    expect(cfg.errorKind).toBe('invalid-json');
    expect(state().connectionHealth['pve-cluster']).toBe(true);
    await control(sim, 'DELETE', '/faults?target=pbs-main');
    await untilCycles(pulse, 6, () => state().connectionHealth['pbs-pbs-main'] === true, 'pbs-0');
  });

  it('a hanging PMG never delays the PVE cycles', async () => {
    await control(sim, 'POST', '/faults', { target: 'pmg-main', kind: 'hang' });
    const seen = state().nodes[0].lastSeen;
    // Three PVE cycles complete while the PMG request hangs.
    for (let i = 0; i < 3; i++)
      await pulse.deps.monitoring.nextCycle(pulse.deps.monitoring.nodes.byPublicId('pve-0')!.uid);
    expect(state().nodes[0].lastSeen).toBeGreaterThan(seen);
    await control(sim, 'DELETE', '/faults?target=pmg-main');
  });
});
