/**
 * `POST /api/system/verify-temperature-ssh {nodes: "n1 n2"}`: can Pulse read each node's
 * temperatures over SSH right now? One fresh `sensors -j` per node (the cache is not used), and
 * a plain-text report naming the exact problem per node.
 */
import type { Temperature } from '../model/state.js';
import { mapLimit } from './limit.js';
import type { ProbeResult, TemperatureCollector, TemperatureRequest } from './temperature.js';

/** Most nodes one request may check (each costs an SSH session of up to 5 s). */
export const MAX_VERIFY_NODES = 64;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,252}$/;

export class VerifyInputError extends Error {}

/** `"n1 n2"` or `"n1,n2"` (or a list) → distinct node names; throws VerifyInputError on bad input. */
export function parseNodeList(raw: unknown): string[] {
  const parts = Array.isArray(raw)
    ? raw
    : typeof raw === 'string'
      ? raw.split(/[\s,]+/)
      : raw === undefined
        ? []
        : undefined;
  if (!parts?.every((p) => typeof p === 'string'))
    throw new VerifyInputError('nodes must be a string of node names separated by spaces');
  const names = [...new Set((parts as string[]).map((p) => p.trim()).filter(Boolean))];
  if (names.length === 0) throw new VerifyInputError('nodes is required (e.g. {"nodes":"pve1 pve2"})');
  if (names.length > MAX_VERIFY_NODES) throw new VerifyInputError(`at most ${MAX_VERIFY_NODES} nodes per check`);
  const bad = names.find((n) => !NAME.test(n));
  if (bad !== undefined) throw new VerifyInputError(`not a node name or address: ${JSON.stringify(bad.slice(0, 64))}`);
  return names;
}

/** What the configured PVE instances know about node names (cluster members and their IPs). */
export interface KnownNode {
  instance: string;
  node: string;
  address?: string;
}

/** The request for a name: a known node of a monitored instance, else the name as a host. */
export function requestFor(name: string, known: readonly KnownNode[]): TemperatureRequest {
  const k = known.find((n) => n.node === name) ?? known.find((n) => n.address === name);
  return k ? { instance: k.instance, node: k.node, address: k.address } : { instance: '', node: name, address: name };
}

function describe(t: Temperature): string {
  const parts: string[] = [];
  if (t.cpuPackage !== undefined) parts.push(`CPU ${t.cpuPackage.toFixed(1)}°C`);
  else if (t.cpuMax !== undefined) parts.push(`CPU max ${t.cpuMax.toFixed(1)}°C`);
  if (t.cores?.length) parts.push(`${t.cores.length} core sensor${t.cores.length === 1 ? '' : 's'}`);
  if (t.nvme?.length) parts.push(`${t.nvme.length} NVMe drive${t.nvme.length === 1 ? '' : 's'}`);
  return parts.join(', ');
}

export interface VerifyLine {
  node: string;
  result: ProbeResult;
}

/** The text report: one line per node, then a summary. */
export function formatReport(lines: VerifyLine[], header: string): string {
  let ok = 0;
  const body = lines.map(({ node, result: r }) => {
    const where = `${r.target.host}:${r.target.port}`;
    if (!r.ok) return `FAIL ${node} (${where}): [${r.failure}] ${r.message}`;
    if (!r.temperature.available)
      return `FAIL ${node} (${where}): [no-readings] sensors ran but reported no CPU or NVMe temperature (run sensors-detect on the node)`;
    ok++;
    return `OK   ${node} (${where}): ${describe(r.temperature)}`;
  });
  return `${header}\n\n${body.join('\n')}\n\n${ok} of ${lines.length} node${lines.length === 1 ? '' : 's'} OK\n`;
}

/** Probes every node (bounded by the collector's own timeout) and returns the report. */
export async function verifyTemperatureSsh(
  collector: TemperatureCollector,
  names: string[],
  known: readonly KnownNode[],
  user: string,
): Promise<string> {
  const lines: VerifyLine[] = [];
  const results = await mapLimit(names, 8, (n) => collector.probe(collector.target(requestFor(n, known))));
  names.forEach((node, i) => {
    lines.push({ node, result: results[i] });
  });
  const key = collector.keyFiles().join(' or ');
  return formatReport(lines, `Temperature monitoring over SSH (${user}@<node>, key ${key}, command "sensors -j")`);
}
