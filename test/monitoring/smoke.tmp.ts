import { startSimulator } from '../../sim/index.js';
import { startTestPulse } from '../../test/helpers/pulse.js';

const sim = await startSimulator({ estate: 'demo', seed: 42, port: 0 });
const pulse = await startTestPulse();
const pve = sim.ready.pve[0];
console.log(JSON.stringify(sim.ready.pve.map((p) => ({ name: p.name, url: p.url, nodes: p.nodes.length }))));
let r = await fetch(`${pulse.url}/api/config/nodes/test-connection`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    type: 'pve',
    host: pve.url,
    tokenName: pve.tokenId,
    tokenValue: pve.tokenSecret,
    fingerprint: pve.fingerprint,
  }),
});
console.log(r.status, await r.text());
r = await fetch(`${pulse.url}/api/config/nodes`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    type: 'pve',
    name: pve.name,
    host: pve.url,
    tokenName: pve.tokenId,
    tokenValue: pve.tokenSecret,
    fingerprint: pve.fingerprint,
  }),
});
console.log(r.status, await r.text());
const t0 = Date.now();
await pulse.deps.monitoring.nextCycle();
console.log('cycle ms', Date.now() - t0);
const st = pulse.deps.state.get();
console.log(
  'nodes',
  st.nodes.length,
  'vms',
  st.vms.length,
  'cts',
  st.containers.length,
  'storage',
  st.storage.length,
  'ceph',
  st.cephClusters.length,
  'disks',
  st.physicalDisks.length,
  st.connectionHealth,
);
console.log(JSON.stringify(st.nodes[0]).slice(0, 800));
console.log(JSON.stringify(st.vms.slice(0, 3)).slice(0, 2500));
console.log(JSON.stringify(st.storage).slice(0, 1500));
console.log(JSON.stringify(st.cephClusters).slice(0, 800));
r = await fetch(`${pulse.url}/api/config/nodes`);
console.log(await r.text());
await new Promise((r) => setTimeout(r, 1500));
const st2 = pulse.deps.state.get();
console.log(
  'backups',
  st2.pveBackups.backupTasks.length,
  st2.pveBackups.storageBackups.length,
  st2.pveBackups.guestSnapshots.length,
);
await pulse.close();
await sim.stop();
