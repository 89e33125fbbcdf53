/**
 * Control-API routes for the simulated SSH (sim/ssh-server.ts): listing, authorized keys,
 * per-node mode and pinned temperatures, host-key rotation. Spliced into control.ts's table.
 */
import type { SimCore } from './core.js';
import { ActionError } from './estate/actions.js';
import { type SimSshServers, sshOf } from './ssh-server.js';

type Json = Record<string, unknown>;

interface Route {
  method: string;
  path: string;
  doc: string;
  handler: (p: Record<string, string>, body: Json) => unknown;
}

/** Runs `fn` against the SSH servers, mapping their errors to control-API statuses. */
function withSsh<T>(sim: SimCore, fn: (ssh: SimSshServers) => T): T {
  const ssh = sshOf(sim);
  if (!ssh) throw new ActionError(409, 'SSH is not enabled (start the simulator with the ssh option)');
  try {
    return fn(ssh);
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (typeof status === 'number') throw new ActionError(status, (e as Error).message);
    if (e instanceof Error && /bad public key/.test(e.message)) throw new ActionError(400, e.message);
    throw e;
  }
}

export function sshControlRoutes(sim: SimCore): Route[] {
  return [
    {
      method: 'GET',
      path: '/ssh',
      doc: 'SSH endpoint per PVE node {instance, node, host, port, hostKey, mode, execs, temperatures}',
      handler: () => withSsh(sim, (ssh) => ssh.list().map((i) => ssh.view(`${i.instance}/${i.node}`))),
    },
    {
      method: 'PUT',
      path: '/ssh/authorized-keys',
      doc: 'replace the public keys root may log in with {keys: ["ssh-ed25519 AAAA…"]}',
      handler: (_p, b) =>
        withSsh(sim, (ssh) => {
          if (!Array.isArray(b.keys) || !b.keys.every((k: unknown) => typeof k === 'string'))
            throw new ActionError(400, 'keys must be a list of public keys');
          ssh.authorize(b.keys);
          return { keys: b.keys.length };
        }),
    },
    {
      method: 'PUT',
      path: '/ssh/:inst/:node',
      doc: 'set {mode: ok|down|hang|nosensors, cpuPackage (°C), nvme ([°C], ≤2)}; null clears a pinned value',
      handler: (p, b) => withSsh(sim, (ssh) => ssh.setNode(`${p.inst}/${p.node}`, b)),
    },
    {
      method: 'POST',
      path: '/ssh/:inst/:node/rotate-host-key',
      doc: 'give the node a new SSH host key',
      handler: (p) => withSsh(sim, (ssh) => ({ hostKey: ssh.rotateHostKey(`${p.inst}/${p.node}`) })),
    },
  ];
}
