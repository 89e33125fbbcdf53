/**
 * One PVE poller against the simulator with a token that may not read guest files: the 403 of
 * agent/file-read is remembered for the instance and asked again only after an hour, the missing
 * privilege is reported by name; and a VM whose status/current fails says so (not agent-disabled).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { ManualClock } from '../../src/clock.js';
import { PvePoller } from '../../src/collect/pve-poller.js';
import type { ApiCallCounter } from '../../src/proxmox/client.js';
import { GUEST_MEMINFO_FEATURE, missingPvePrivileges } from '../../src/proxmox/privileges.js';
import { control } from '../helpers/sim.js';
import { pveNodeConfig, SECRET, testPollerEnv } from './fetchers/rig.js';

const HOUR = 3_600_000;
let sim: Simulator;
let poller: PvePoller;
const clock = new ManualClock(Date.UTC(2026, 11, 5, 3, 0, 0));
const counter: ApiCallCounter = { total: 0, failed: 0, paths: [] };

beforeAll(async () => {
  sim = await startSimulator({
    estate: {
      name: 'fileread',
      seed: 11,
      pve: [
        {
          name: 'lab',
          version: '9.0.10',
          nodes: [{ name: 'n1' }],
          guests: [
            { vmid: 100, type: 'qemu', node: 'n1', name: 'app', agent: true, balloon: true, memMiB: 4096 },
            { vmid: 101, type: 'qemu', node: 'n1', name: 'db', agent: true, memMiB: 2048 },
          ],
          // Guest-agent audit but no VM.GuestAgent.FileRead: PVE 9 refuses agent/file-read.
          tokens: [
            {
              tokenid: 'mon@pve!pulse',
              secret: SECRET,
              acl: { '/': ['Sys.Audit', 'VM.Audit', 'Datastore.Audit', 'VM.GuestAgent.Audit'] },
            },
          ],
        },
      ],
    },
    port: 0,
  });
  const cfg = pveNodeConfig(sim.ready.pve[0], { monitorBackups: false, monitorPhysicalDisks: false });
  poller = new PvePoller(cfg, testPollerEnv(clock, counter));
});

afterAll(async () => {
  await poller?.close();
  await sim?.stop();
});

const fileReads = () => (counter.paths ?? []).filter((p) => p.includes('/agent/file-read')).length;

describe('agent file-read without the privilege', () => {
  it('is asked once, then not again within the hour, and the missing privilege is named', async () => {
    await poller.poll();
    // The first VM to try gets the 403; the other may have been asked in the same burst.
    const first = fileReads();
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThanOrEqual(2);
    const problem = poller.problems.get(GUEST_MEMINFO_FEATURE);
    expect(problem?.privilege).toMatch(/VM\.GuestAgent\.FileRead/);

    for (let i = 0; i < 3; i++) {
      clock.advance(10_000);
      await poller.poll();
    }
    expect(fileReads()).toBe(first);
    // Still reported while it is remembered.
    expect(poller.problems.has(GUEST_MEMINFO_FEATURE)).toBe(true);

    clock.advance(HOUR);
    await poller.poll();
    expect(fileReads()).toBeGreaterThan(first);
  });

  it('the permission check lists the file-read privilege; VM.Monitor (PVE 8) satisfies it', () => {
    const base = { '/': { 'Sys.Audit': 1, 'VM.Audit': 1, 'Datastore.Audit': 1, 'VM.GuestAgent.Audit': 1 } };
    expect(missingPvePrivileges(base).map((p) => p.feature)).toEqual([GUEST_MEMINFO_FEATURE]);
    expect(missingPvePrivileges({ '/': { ...base['/'], 'VM.GuestAgent.FileRead': 1 } })).toEqual([]);
    expect(
      missingPvePrivileges({ '/': { 'Sys.Audit': 1, 'VM.Audit': 1, 'Datastore.Audit': 1, 'VM.Monitor': 1 } }),
    ).toEqual([]);
  });
});

describe('a failed status/current', () => {
  it('gives the VM a reason that says so, not agent-disabled', async () => {
    await control(sim, 'POST', '/faults', {
      target: 'lab',
      kind: 'http500',
      path: '/nodes/n1/qemu/101/status/current',
    });
    clock.advance(10_000);
    const slice = await poller.poll();
    const db = slice.vms.find((v) => v.vmid === 101)!;
    expect(db.diskStatusReason).toBe('status-unavailable');
    const app = slice.vms.find((v) => v.vmid === 100)!;
    expect(app.diskStatusReason).toBeUndefined();
    await control(sim, 'DELETE', '/faults');
  });
});
