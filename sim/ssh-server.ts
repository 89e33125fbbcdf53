/**
 * Simulated SSH on PVE nodes, for node temperatures (`ssh root@<node> sensors -j`).
 *
 * Each PVE node of the estate gets its own listener (a free loopback port; all nodes share the
 * simulator's host) and its own ed25519 host key. Only `root` with one of the authorized public
 * keys gets in; `sensors -j` prints that node's readings (sim/ssh-sensors.ts), any other command
 * exits 127 as bash does for a missing command.
 *
 * Why per-node ports rather than the node's `ip` from /cluster/status: that `ip` is also what
 * Pulse uses for cluster failover, and the simulated members' API listeners are not on those
 * addresses; keeping `ip` unchanged keeps every existing failover behaviour. Pulse is pointed at
 * the ports through PULSE_SENSORS_SSH_HOSTS (node name → host:port).
 *
 * Failures to test with: per node `mode` `down` (sshd stopped: the port refuses connections),
 * `hang` (TCP accepted, SSH never answers), `nosensors` (lm-sensors not installed); the PVE
 * faults `down`/`hang` on the node or its instance act the same; `rotateHostKey` swaps the key.
 */
import net from 'node:net';
import ssh2 from 'ssh2';
import type { SimCore } from './core.js';
import { type SensorsOverride, sensorsOutput, simTemperatures } from './ssh-sensors.js';

const { Server, utils } = ssh2;
type ParsedKey = Exclude<ReturnType<typeof utils.parseKey>, Error>;

export const SSH_MODES = ['ok', 'down', 'hang', 'nosensors'] as const;
export type SshMode = (typeof SSH_MODES)[number];

export interface SshNodeInfo {
  instance: string;
  node: string;
  host: string;
  port: number;
  /** The host key's public half in authorized_keys form (`ssh-ed25519 AAAA…`). */
  hostKey: string;
}

interface NodeSsh {
  instance: string;
  node: string;
  listener: net.Server;
  port: number;
  server: InstanceType<typeof Server>;
  hostKey: string;
  /** The server and host key the node started with (`reset` puts them back). */
  initial: { server: InstanceType<typeof Server>; hostKey: string };
  mode: SshMode;
  override: SensorsOverride;
  /** `sensors -j` runs answered and TCP connections accepted (tests check the collector's cadence). */
  execs: number;
  connections: number;
  /** False while the node's sshd is "stopped" (mode down): connections are refused. */
  listening: boolean;
  sockets: Set<net.Socket>;
}

const registry = new WeakMap<SimCore, SimSshServers>();

/**
 * An ed25519 key pair in OpenSSH form (`private`, and `public` as an authorized_keys line).
 * ssh2's generator drops a leading zero byte of the key (about 1 key in 256), which its own
 * parser then rejects; such pairs are thrown away.
 */
export function generateSshKeyPair(): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error))
      return pair;
  }
}

/** The SSH servers attached to a running simulator core, if it was started with `ssh`. */
export function sshOf(core: SimCore): SimSshServers | undefined {
  return registry.get(core);
}

export class SimSshServers {
  readonly #core: SimCore;
  readonly #host: string;
  readonly #nodes = new Map<string, NodeSsh>();
  #keys: ParsedKey[] = [];
  readonly #initialKeys: string[];

  constructor(core: SimCore, opts: { host: string; authorizedKeys?: string[] }) {
    this.#core = core;
    this.#host = opts.host;
    this.#initialKeys = [...(opts.authorizedKeys ?? [])];
    this.authorize(this.#initialKeys);
    registry.set(core, this);
  }

  /**
   * Back to the start (the simulator's `POST /reset`): every node's sshd running in mode `ok`
   * with no pinned readings and its original host key, the authorized keys given at start, the
   * counters at zero. Ports stay.
   */
  async reset(): Promise<void> {
    this.authorize(this.#initialKeys);
    for (const [id, s] of this.#nodes) {
      await this.setNode(id, { mode: 'ok', cpuPackage: null, nvme: null });
      s.server = s.initial.server;
      s.hostKey = s.initial.hostKey;
      s.execs = 0;
      s.connections = 0;
    }
  }

  /** Replaces the accepted public keys (authorized_keys lines). Throws on a malformed key. */
  authorize(keys: string[]): void {
    this.#keys = keys.map((k) => {
      const parsed = utils.parseKey(k);
      if (parsed instanceof Error) throw new Error(`bad public key: ${parsed.message}`);
      return parsed;
    });
  }

  async start(): Promise<void> {
    for (const p of this.#core.estate.pve) {
      for (const n of p.nodes) {
        const listener = net.createServer((socket) => this.#accept(`${p.name}/${n.name}`, socket));
        await new Promise<void>((resolve, reject) => {
          listener.once('error', reject);
          listener.listen(0, this.#host, () => resolve());
        });
        const addr = listener.address();
        const { server, hostKey } = this.#newServer(`${p.name}/${n.name}`);
        this.#nodes.set(`${p.name}/${n.name}`, {
          instance: p.name,
          node: n.name,
          listener,
          port: typeof addr === 'object' && addr ? addr.port : 0,
          server,
          hostKey,
          initial: { server, hostKey },
          mode: 'ok',
          override: {},
          execs: 0,
          connections: 0,
          listening: true,
          sockets: new Set(),
        });
      }
    }
  }

  list(): SshNodeInfo[] {
    return [...this.#nodes.values()].map((s) => ({
      instance: s.instance,
      node: s.node,
      host: this.#host,
      port: s.port,
      hostKey: s.hostKey,
    }));
  }

  #node(id: string): NodeSsh {
    const s = this.#nodes.get(id);
    if (!s) throw Object.assign(new Error(`no SSH node ${id}`), { status: 404 });
    return s;
  }

  /** A node's SSH state and the readings `sensors -j` would print now. */
  view(id: string) {
    const s = this.#node(id);
    const n = this.#core.pve(s.instance)?.nodes.find((x) => x.name === s.node);
    const t = n ? simTemperatures(n, this.#core.clock.now(), s.override) : undefined;
    return {
      instance: s.instance,
      node: s.node,
      host: this.#host,
      port: s.port,
      hostKey: s.hostKey,
      mode: s.mode,
      execs: s.execs,
      connections: s.connections,
      override: s.override,
      temperatures: t ?? null,
    };
  }

  /**
   * Changes a node: `mode`, `cpuPackage` (°C) and/or `nvme` (°C list, 0–2 drives); `null`
   * clears a pinned value. Throws a 400-flavoured error on bad input.
   */
  async setNode(id: string, patch: Record<string, unknown>) {
    const s = this.#node(id);
    const bad = (m: string) => Object.assign(new Error(m), { status: 400 });
    for (const k of Object.keys(patch))
      if (!['mode', 'cpuPackage', 'nvme'].includes(k)) throw bad(`unknown field ${k}`);
    if (patch.mode !== undefined && !(SSH_MODES as readonly unknown[]).includes(patch.mode))
      throw bad(`mode must be one of ${SSH_MODES.join(', ')}`);
    const temp = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 150;
    if (patch.cpuPackage !== undefined && patch.cpuPackage !== null && !temp(patch.cpuPackage))
      throw bad('cpuPackage must be a temperature in °C (0–150) or null');
    if (
      patch.nvme !== undefined &&
      patch.nvme !== null &&
      !(Array.isArray(patch.nvme) && patch.nvme.length <= 2 && patch.nvme.every(temp))
    )
      throw bad('nvme must be a list of at most 2 temperatures in °C, or null');
    const wasHung = s.mode === 'hang';
    if (patch.mode !== undefined) s.mode = patch.mode as SshMode;
    if (patch.cpuPackage === null) delete s.override.cpuPackage;
    else if (patch.cpuPackage !== undefined) s.override.cpuPackage = patch.cpuPackage as number;
    if (patch.nvme === null) delete s.override.nvme;
    else if (patch.nvme !== undefined) s.override.nvme = [...(patch.nvme as number[])];
    // A hang ends with the mode: drop the connections it left open.
    if (wasHung && s.mode !== 'hang') for (const sock of s.sockets) sock.destroy();
    // `down` is a stopped sshd: the port refuses connections until the mode changes back.
    if (s.mode === 'down' && s.listening) {
      s.listening = false;
      await new Promise<void>((resolve) => s.listener.close(() => resolve()));
    } else if (s.mode !== 'down' && !s.listening) {
      await new Promise<void>((resolve, reject) => {
        s.listener.once('error', reject);
        s.listener.listen(s.port, this.#host, () => {
          s.listener.off('error', reject);
          resolve();
        });
      });
      s.listening = true;
    }
    return this.view(id);
  }

  /** Gives the node a new host key (what a reinstalled node looks like to a client). */
  rotateHostKey(id: string): string {
    const s = this.#node(id);
    const { server, hostKey } = this.#newServer(id);
    s.server = server;
    s.hostKey = hostKey;
    return hostKey;
  }

  execCount(id: string): number {
    return this.#node(id).execs;
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.#nodes.values()].map(
        (s) =>
          new Promise<void>((resolve) => {
            for (const sock of s.sockets) sock.destroy();
            if (!s.listening) return resolve();
            s.listener.close(() => resolve());
          }),
      ),
    );
    this.#nodes.clear();
    registry.delete(this.#core);
  }

  #accept(id: string, socket: net.Socket): void {
    const s = this.#nodes.get(id);
    if (!s) return void socket.destroy();
    socket.on('error', () => {});
    s.connections++;
    s.sockets.add(socket);
    socket.once('close', () => s.sockets.delete(socket));
    const targets = [s.instance, id];
    const node = this.#core.pve(s.instance)?.nodes.find((x) => x.name === s.node);
    if (node?.down || this.#core.faults.has('down', targets)) return void socket.destroy();
    // Hung: the TCP connection stays open and no SSH banner ever comes.
    if (s.mode === 'hang' || this.#core.faults.has('hang', targets)) return;
    s.server.injectSocket(socket);
  }

  #newServer(id: string): { server: InstanceType<typeof Server>; hostKey: string } {
    const pair = generateSshKeyPair();
    const server = new Server({ hostKeys: [pair.private] }, (client) => {
      client.on('error', () => {});
      client.on('authentication', (ctx) => {
        if (ctx.method !== 'publickey' || ctx.username !== 'root') return ctx.reject(['publickey']);
        const key = this.#keys.find((k) => k.type === ctx.key.algo && k.getPublicSSH().equals(ctx.key.data));
        if (!key) return ctx.reject(['publickey']);
        // Without a signature the client only asks whether the key would do.
        if (ctx.signature && !(ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo)))
          return ctx.reject(['publickey']);
        ctx.accept();
      });
      client.on('ready', () => {
        client.on('session', (acceptSession) => {
          const session = acceptSession();
          session.on('exec', (acceptExec, _reject, info) => {
            const stream = acceptExec();
            const s = this.#nodes.get(id);
            const node = s && this.#core.pve(s.instance)?.nodes.find((x) => x.name === s.node);
            const cmd = info.command.trim();
            if (s && node && s.mode !== 'nosensors' && /^sensors\s+-j(\s|$)/.test(cmd)) {
              s.execs++;
              stream.write(sensorsOutput(simTemperatures(node, this.#core.clock.now(), s.override)));
              stream.exit(0);
            } else {
              const word = cmd.split(/\s+/)[0] || cmd;
              stream.stderr.write(`bash: line 1: ${word}: command not found\n`);
              stream.exit(127);
            }
            stream.end();
          });
        });
      });
    });
    const pub = utils.parseKey(pair.public);
    const hostKey = pub instanceof Error ? pair.public : `${pub.type} ${pub.getPublicSSH().toString('base64')}`;
    return { server, hostKey };
  }
}
