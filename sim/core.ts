/**
 * The running simulator: the live estate, one HTTPS endpoint per PVE node / PBS / PMG, ticket
 * authorities, faults with their side effects, and the ReadyInfo line.
 */
import type http from 'node:http';
import { TicketAuthority } from './auth.js';
import { makeCert, type ServerCert } from './certs.js';
import type { Credential, Estate, PbsInstance, PmgInstance, PveInstance } from './estate/model.js';
import { type Fault, type FaultKind, FaultRegistry } from './faults.js';
import { Endpoint, type RequestListener } from './http/endpoint.js';
import { ApiError } from './http/error.js';
import type { RequestRecord } from './http/record.js';
import type { Product } from './schema/apidata.js';

export interface NodeReady {
  name: string;
  url: string;
  fingerprint: string;
}

/** Address and password login of a server (every product). */
export interface LoginReady {
  name: string;
  url: string;
  fingerprint: string;
  user: string;
  password: string;
}

/** PVE and PBS also have an API token. */
export interface InstanceReady extends LoginReady {
  tokenId: string;
  tokenSecret: string;
}

export interface PveReady extends InstanceReady {
  cluster: string | null;
  nodes: NodeReady[];
}

export interface PbsReady extends InstanceReady {
  datastores: string[];
}

/** PMG: password login only (PMG has no API tokens). */
export interface PmgReady extends LoginReady {
  nodes: string[];
}

export interface ReadyInfo {
  ready: true;
  control: string;
  estate: string;
  seed: number;
  pve: PveReady[];
  pbs: PbsReady[];
  pmg: PmgReady[];
}

export type AnyInstance = PveInstance | PbsInstance | PmgInstance;

export interface CoreOptions {
  host: string;
  /** First port: endpoints take consecutive ports from here; 0 = free ports. */
  basePort: number;
  /** How long a proxied request to a hung cluster member waits before 596. */
  proxyTimeoutMs?: number;
  /** Rebuilds the initial estate (for `POST /reset`). */
  rebuild?: () => Estate;
}

export class SimCore {
  readonly faults = new FaultRegistry();
  readonly endpoints: Endpoint[] = [];
  private readonly ticketAuthorities = new Map<string, TicketAuthority>();
  private readonly hung = new Set<http.ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** Bumped by every change (control API, API writes, faults): invalidates cached replies. */
  revision = 0;
  private cache = new Map<string, unknown>();
  readonly proxyTimeoutMs: number;
  /** Called once per answered API request (tests record what a client asked and what it got). */
  onRequest?: (record: RequestRecord) => void;

  constructor(
    public estate: Estate,
    readonly opts: CoreOptions,
  ) {
    this.proxyTimeoutMs = opts.proxyTimeoutMs ?? 3000;
  }

  get clock() {
    return this.estate.clock;
  }

  /**
   * Creates certificates and listeners for every server of the estate; `listener` answers their
   * requests (the request pipeline, sim/http/pipeline.ts, handed in by sim/index.ts).
   */
  async start(listener: RequestListener): Promise<void> {
    const host = this.opts.host;
    const plan: Array<{ id: string; product: Product; inst: string; node?: string; cn: string }> = [];
    for (const p of this.estate.pve) {
      this.ticketAuthorities.set(p.name, new TicketAuthority('pve', () => this.clock.now()));
      for (const n of p.nodes)
        plan.push({ id: `${p.name}/${n.name}`, product: 'pve', inst: p.name, node: n.name, cn: n.name });
    }
    for (const p of this.estate.pbs) {
      this.ticketAuthorities.set(p.name, new TicketAuthority('pbs', () => this.clock.now()));
      plan.push({ id: p.name, product: 'pbs', inst: p.name, cn: p.name });
    }
    for (const p of this.estate.pmg) {
      this.ticketAuthorities.set(p.name, new TicketAuthority('pmg', () => this.clock.now()));
      plan.push({ id: p.name, product: 'pmg', inst: p.name, cn: p.nodes[0] });
    }
    let port = this.opts.basePort;
    for (const item of plan) {
      const cert = await makeCert(item.cn, host);
      const ep = new Endpoint(item.id, item.product, item.inst, item.node, host, cert, listener);
      await ep.listen(port === 0 ? 0 : port++);
      this.endpoints.push(ep);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const res of this.hung) res.socket?.destroy();
    this.hung.clear();
    await Promise.all(this.endpoints.map((ep) => ep.close()));
  }

  instanceOf(ep: Endpoint): AnyInstance {
    const inst = this.findInstance(ep.instanceName);
    if (!inst) throw new ApiError(500, `unknown instance ${ep.instanceName}`);
    return inst;
  }

  findInstance(name: string): AnyInstance | undefined {
    return (
      this.estate.pve.find((p) => p.name === name) ??
      this.estate.pbs.find((p) => p.name === name) ??
      this.estate.pmg.find((p) => p.name === name)
    );
  }

  pve(name: string): PveInstance | undefined {
    return this.estate.pve.find((p) => p.name === name);
  }

  tickets(ep: Endpoint): TicketAuthority {
    return this.ticketAuthorities.get(ep.instanceName)!;
  }

  ticketsOf(instance: string): TicketAuthority | undefined {
    return this.ticketAuthorities.get(instance);
  }

  /** Fault targets an endpoint answers to: its instance, and for PVE also `<instance>/<node>`. */
  faultTargets(ep: Endpoint): string[] {
    return ep.id === ep.instanceName ? [ep.id] : [ep.instanceName, ep.id];
  }

  holdHung(res: http.ServerResponse): void {
    this.hung.add(res);
    res.on('close', () => this.hung.delete(res));
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  bump(): void {
    this.revision++;
  }

  /**
   * Memoises an expensive reply for `ttlSeconds` of simulated time within one estate revision.
   * Real PVE serves /cluster/resources from a status cache that pvestatd refreshes every 10 s;
   * the 10,000-guest estate relies on the same trick.
   */
  cached<T>(key: string, compute: () => T, ttlSeconds = 1): T {
    const epoch = `${this.revision}:${Math.floor(this.clock.now() / 1000 / ttlSeconds)}`;
    const hit = this.cache.get(key) as { epoch: string; value: T } | undefined;
    if (hit && hit.epoch === epoch) return hit.value;
    const value = compute();
    this.cache.set(key, { epoch, value });
    return value;
  }

  /**
   * A PVE node answers for other members by proxying. A member that is down gives 596 (the
   * connection fails), a hung member 596 after the proxy timeout, an unknown name 500.
   */
  async proxyCheck(ep: Endpoint, node: string): Promise<void> {
    const inst = this.pve(ep.instanceName);
    if (!inst) return;
    const target = inst.nodes.find((n) => n.name === node);
    if (!target) {
      throw new ApiError(
        500,
        `hostname lookup '${node}' failed - failed to get address info for: ${node}: Name or service not known`,
      );
    }
    if (node === ep.node) return;
    const targetId = `${inst.name}/${node}`;
    if (target.down || this.faults.has('down', [targetId])) {
      throw new ApiError(596, `Connection refused`);
    }
    if (this.faults.has('hang', [targetId])) {
      await this.sleep(this.proxyTimeoutMs);
      throw new ApiError(596, 'Connection timed out');
    }
    // The member answers through the proxy with its own latency and errors.
    const slow = this.faults.list().find((f) => f.kind === 'slow' && f.target === targetId && !f.path);
    if (slow) await this.sleep(slow.ms ?? 1000);
    if (this.faults.has('http500', [targetId])) throw new ApiError(500, 'Internal Server Error (simulated fault)');
  }

  endpoint(id: string): Endpoint | undefined {
    return this.endpoints.find((e) => e.id === id);
  }

  /** Endpoints a fault target covers (an instance covers all its nodes). */
  endpointsFor(target: string): Endpoint[] {
    return this.endpoints.filter((e) => e.id === target || e.instanceName === target);
  }

  /**
   * Back to the start: every fault cleared (listeners reopened, certificates restored), the estate
   * rebuilt from its spec and seed (control-API changes and added credentials are gone), the
   * simulated clock back to real time, existing tickets invalid. Endpoints and ports stay.
   */
  async reset(): Promise<void> {
    if (!this.opts.rebuild) throw new ApiError(400, 'this simulator cannot be reset');
    await this.clearFaults({});
    this.estate = this.opts.rebuild();
    for (const t of this.ticketAuthorities.values()) t.rotate();
    this.cache.clear();
    for (const hook of this.resetHooks) await hook();
    this.bump();
  }

  /** Parts attached to the core (the SSH servers) that `reset` puts back too. */
  readonly resetHooks: Array<() => Promise<void> | void> = [];

  // -------------------------------------------------------------------------------------------
  // Faults with side effects

  async addFault(f: Omit<Fault, 'id'>): Promise<Fault & { fingerprint?: string }> {
    const eps = this.endpointsFor(f.target);
    const guestTarget = f.kind === 'agenttimeout';
    if (guestTarget) {
      const [inst, vmid] = f.target.split('/');
      if (!this.pve(inst)?.guests.has(Number(vmid))) throw new ApiError(404, `no guest ${f.target}`);
    } else if (eps.length === 0) {
      throw new ApiError(404, `no target ${f.target}`);
    }
    if (f.kind === 'tokenrevoked') {
      const cred = this.tokenCredential(eps[0].instanceName, f.tokenId);
      if (!cred) throw new ApiError(404, `no token ${f.tokenId ?? '(main)'} on ${f.target}`);
      cred.revoked = true;
      f = { ...f, tokenId: cred.tokenid };
    }
    const fault = this.faults.add(f);
    this.bump();
    if (f.kind === 'down') {
      for (const ep of eps) {
        await ep.close();
        this.setDown(ep, true);
      }
    }
    if (f.kind === 'certchange') {
      let fingerprint: string | undefined;
      for (const ep of eps) {
        const cert: ServerCert = await makeCert(ep.node ?? ep.instanceName, ep.host);
        ep.setCert(cert);
        fingerprint ??= cert.fingerprint;
      }
      return { ...fault, fingerprint };
    }
    return fault;
  }

  async clearFaults(filter: { id?: number; target?: string; kind?: FaultKind }): Promise<Fault[]> {
    const gone = this.faults.remove(filter);
    this.bump();
    for (const f of gone) {
      const eps = f.kind === 'agenttimeout' ? [] : this.endpointsFor(f.target);
      if (f.kind === 'down') {
        for (const ep of eps) {
          if (this.faults.has('down', this.faultTargets(ep))) continue;
          await ep.reopen();
          this.setDown(ep, false);
        }
      }
      if (f.kind === 'certchange') {
        for (const ep of eps) if (!this.faults.has('certchange', this.faultTargets(ep))) ep.setCert(ep.original);
      }
      if (f.kind === 'tokenrevoked' && eps[0]) {
        const cred = this.tokenCredential(eps[0].instanceName, f.tokenId);
        if (cred) cred.revoked = false;
      }
    }
    return gone;
  }

  private setDown(ep: Endpoint, down: boolean): void {
    const inst = this.findInstance(ep.instanceName);
    if (!inst) return;
    if (inst.kind === 'pve') {
      const node = inst.nodes.find((n) => n.name === ep.node);
      if (node) node.down = down;
    } else {
      inst.down = down;
    }
  }

  private tokenCredential(instance: string, tokenId?: string): Credential | undefined {
    const inst = this.findInstance(instance);
    return inst?.credentials.find((c) => (tokenId ? c.tokenid === tokenId : c.tokenid !== undefined));
  }

  /** True while a guest-agent timeout fault covers the guest. */
  agentTimedOut(instance: string, vmid: number): boolean {
    return this.faults.has('agenttimeout', [`${instance}/${vmid}`]);
  }

  // -------------------------------------------------------------------------------------------

  readyInfo(controlUrl: string): ReadyInfo {
    const login = (creds: Credential[]) => {
      const user = creds.find((c) => !c.tokenid)!;
      return { user: user.userid, password: user.password ?? '' };
    };
    const auth = (creds: Credential[]) => {
      const token = creds.find((c) => c.tokenid)!;
      return { ...login(creds), tokenId: token.tokenid!, tokenSecret: token.secret ?? '' };
    };
    const ep = (id: string) => this.endpoint(id)!;
    return {
      ready: true,
      control: controlUrl,
      estate: this.estate.name,
      seed: this.estate.seed,
      pve: this.estate.pve.map((p) => {
        const nodes = p.nodes.map((n) => {
          const e = ep(`${p.name}/${n.name}`);
          return { name: n.name, url: e.url, fingerprint: e.original.fingerprint };
        });
        return {
          name: p.name,
          cluster: p.cluster ?? null,
          url: nodes[0].url,
          fingerprint: nodes[0].fingerprint,
          ...auth(p.credentials),
          nodes,
        };
      }),
      pbs: this.estate.pbs.map((p) => ({
        name: p.name,
        url: ep(p.name).url,
        fingerprint: ep(p.name).original.fingerprint,
        ...auth(p.credentials),
        datastores: p.datastores.map((d) => d.name),
      })),
      pmg: this.estate.pmg.map((p) => ({
        name: p.name,
        url: ep(p.name).url,
        fingerprint: ep(p.name).original.fingerprint,
        ...login(p.credentials),
        nodes: p.nodes,
      })),
    };
  }
}
