/**
 * Fault injection state. A fault names a target — a PVE instance (all its nodes), one PVE node
 * `<instance>/<node>`, a PBS or PMG instance, or a guest `<instance>/<vmid>` for the agent
 * timeout — and optionally a path prefix so only some API calls misbehave.
 */
export const FAULT_KINDS = [
  'down', // close the listener: connection refused
  'hang', // accept and never answer
  'slow', // answer after `ms` milliseconds
  'http500', // 500 Internal Server Error
  'badjson', // 200 with a body that is not JSON
  'truncated', // 200 whose body stops half-way (connection closed)
  'certchange', // serve a different self-signed certificate
  'tokenrevoked', // the API token is rejected (401)
  'agenttimeout', // guest agent calls time out (guest target)
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  id: number;
  kind: FaultKind;
  target: string;
  /** slow: latency in milliseconds. */
  ms?: number;
  /** Only API paths starting with this (after /api2/json), e.g. `/cluster/resources`. */
  path?: string;
  /** tokenrevoked: the token to revoke; default the instance's main token. */
  tokenId?: string;
}

export class FaultRegistry {
  private nextId = 1;
  private faults: Fault[] = [];

  add(f: Omit<Fault, 'id'>): Fault {
    const fault = { ...f, id: this.nextId++ };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return [...this.faults];
  }

  /** Removes faults matching the filter (all when empty) and returns them. */
  remove(filter: { id?: number; target?: string; kind?: FaultKind }): Fault[] {
    const gone = this.faults.filter(
      (f) =>
        (filter.id === undefined || f.id === filter.id) &&
        (filter.target === undefined || f.target === filter.target) &&
        (filter.kind === undefined || f.kind === filter.kind),
    );
    this.faults = this.faults.filter((f) => !gone.includes(f));
    return gone;
  }

  /** Faults hitting an endpoint: targets equal to one of `targets`, path prefix matching. */
  active(targets: string[], apiPath?: string): Fault[] {
    if (this.faults.length === 0) return [];
    return this.faults.filter(
      (f) => targets.includes(f.target) && (!f.path || apiPath === undefined || apiPath.startsWith(f.path)),
    );
  }

  has(kind: FaultKind, targets: string[]): boolean {
    return this.faults.some((f) => f.kind === kind && targets.includes(f.target) && !f.path);
  }
}
