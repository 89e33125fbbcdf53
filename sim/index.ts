/**
 * The Proxmox simulator as a library: `startSimulator({estate: 'demo'})` brings up HTTPS
 * endpoints for every PVE node, PBS and PMG of the estate plus the control API, and resolves
 * once all listen. See sim/README.md for the ReadyInfo shape and the control routes.
 */

import fs from 'node:fs';
import { startControlServer } from './control.js';
import { type CoreOptions, type ReadyInfo, SimCore } from './core.js';
import { buildEstate } from './estate/build.js';
import { BUILTIN_ESTATES } from './estate/builtin.js';
import type { EstateSpec } from './estate/spec.js';
import { handleRequest } from './http/pipeline.js';
import { SimSshServers, type SshNodeInfo } from './ssh-server.js';

export type { InstanceReady, NodeReady, PbsReady, PmgReady, PveReady, ReadyInfo } from './core.js';
export { BUILTIN_ESTATES } from './estate/builtin.js';
export type { EstateSpec } from './estate/spec.js';
export type { SshNodeInfo } from './ssh-server.js';

export interface SimulatorOptions {
  /** A built-in estate name (demo, small, large, xlarge, mixed), a path to a JSON EstateSpec, or the spec itself. */
  estate: string | EstateSpec;
  seed?: number;
  host?: string;
  /** 0 (default) = free ports; otherwise the control API on `port` and servers on port+1, port+2, … */
  port?: number;
  /** How long a cluster member waits on a hung peer before answering 596 (default 3000 ms). */
  proxyTimeoutMs?: number;
  /**
   * SSH on every PVE node (for `sensors -j` temperatures): one listener per node on `host`,
   * reported as `ssh: {host, port, hostKey}` on each ReadyInfo node. `true` or the public keys
   * (authorized_keys lines) to accept for root; more via `PUT /ssh/authorized-keys`.
   */
  ssh?: boolean | { authorizedKeys?: string[] };
}

export interface Simulator {
  /** Exactly the object the CLI prints as its one JSON line. */
  ready: ReadyInfo;
  controlUrl: string;
  stop(): Promise<void>;
  /** The running core, for in-process tests that want direct access (estate, faults, clock). */
  core: SimCore;
  /** The SSH servers when started with `ssh` (sim/ssh-server.ts). */
  ssh?: SimSshServers;
}

export function resolveEstate(estate: string | EstateSpec): EstateSpec {
  if (typeof estate !== 'string') return estate;
  const builtin = BUILTIN_ESTATES[estate];
  if (builtin) return builtin();
  if (fs.existsSync(estate)) return JSON.parse(fs.readFileSync(estate, 'utf8')) as EstateSpec;
  throw new Error(`unknown estate '${estate}' (built-in: ${Object.keys(BUILTIN_ESTATES).join(', ')}, or a JSON file)`);
}

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const spec = resolveEstate(opts.estate);
  const estate = buildEstate(spec, opts.seed);
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  const coreOpts: CoreOptions = {
    host,
    basePort: port === 0 ? 0 : port + 1,
    proxyTimeoutMs: opts.proxyTimeoutMs,
    rebuild: () => buildEstate(spec, opts.seed),
  };
  const core = new SimCore(estate, coreOpts);
  let control: Awaited<ReturnType<typeof startControlServer>> | undefined;
  const ssh = opts.ssh
    ? new SimSshServers(core, { host, authorizedKeys: opts.ssh === true ? [] : opts.ssh.authorizedKeys })
    : undefined;
  if (ssh) core.resetHooks.push(() => ssh.reset());
  try {
    // The control API is unauthenticated: loopback only, whatever host the servers bind to.
    control = await startControlServer(core, '127.0.0.1', port);
    await core.start((ep, req, res) => {
      handleRequest(core, ep, req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await ssh?.start();
  } catch (e) {
    await ssh?.stop();
    await core.stop();
    await control?.close();
    throw e;
  }
  const ready = core.readyInfo(control.url);
  if (ssh) {
    const byId = new Map(ssh.list().map((i) => [`${i.instance}/${i.node}`, i]));
    for (const p of ready.pve)
      for (const n of p.nodes as Array<(typeof p.nodes)[number] & { ssh?: Omit<SshNodeInfo, 'instance' | 'node'> }>) {
        const i = byId.get(`${p.name}/${n.name}`);
        if (i) n.ssh = { host: i.host, port: i.port, hostKey: i.hostKey };
      }
  }
  let stopping: Promise<void> | undefined;
  return {
    ready,
    controlUrl: control.url,
    core,
    ssh,
    stop: () => {
      stopping ??= (async () => {
        await ssh?.stop();
        await core.stop();
        await control.close();
      })();
      return stopping;
    },
  };
}
