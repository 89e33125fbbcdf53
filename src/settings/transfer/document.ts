/**
 * The plaintext of a configuration export (wire contract §7.4) and its validation. Pure.
 *
 *   {version:"4.0", exportedAt, nodes {pveInstances, pbsInstances, pmgInstances}, alerts, email,
 *    webhooks, system, guestMetadata}
 *
 * Node entries use Pulse 4.24's PascalCase field names with their secrets in clear (the whole
 * document is encrypted under the passphrase), so exports move between Pulse 4.24 and this
 * server both ways. Authentication (password, API tokens) is never part of it: each instance
 * keeps its own.
 *
 * `parseDocument` validates every section the way the API would validate it, before anything is
 * stored, so an import either applies completely or is refused with nothing changed.
 */
import { type AlertConfig, ConfigError, defaultAlertConfig, normaliseAlertConfig } from '../../alerts/config.js';
import { type GuestMetadata, MetadataValidationError, parseMetadataMap } from '../../guest-metadata/metadata.js';
import { HttpError } from '../../http/errors.js';
import type { WebhookConfig } from '../../model/notifications.js';
import { parseEmail, parseWebhook, validateWebhook } from '../../notify/input.js';
import { DEFAULT_EMAIL, type StoredEmail } from '../../notify/store.js';
import {
  type ClusterEndpoint,
  type ClusterInfo,
  MONITOR_FLAGS,
  type NodeConfig,
  type NodeInput,
  type NodeType,
  NodeValidationError,
  parseNodeInput,
} from '../node-config.js';
import { SettingsValidationError, type SystemSettings, validateSettingsUpdate } from '../system-settings.js';
import { TransferError } from './cipher.js';

export const EXPORT_VERSION = '4.0';

const SECTION_OF: Record<NodeType, 'pveInstances' | 'pbsInstances' | 'pmgInstances'> = {
  pve: 'pveInstances',
  pbs: 'pbsInstances',
  pmg: 'pmgInstances',
};

export interface ConfigSnapshot {
  nodes: NodeConfig[];
  alerts: AlertConfig;
  email: StoredEmail;
  webhooks: WebhookConfig[];
  system: SystemSettings;
  guestMetadata: Record<string, GuestMetadata>;
}

export interface ExportDocument {
  version: string;
  exportedAt: string;
  nodes: Record<'pveInstances' | 'pbsInstances' | 'pmgInstances', Array<Record<string, unknown>>>;
  alerts: AlertConfig;
  email: StoredEmail;
  webhooks: WebhookConfig[];
  system: SystemSettings;
  guestMetadata: Record<string, GuestMetadata>;
}

/** `monitorVMs` → `MonitorVMs` */
const pascal = (s: string) => s[0].toUpperCase() + s.slice(1);

/** Flags Pulse 4.24 keeps as `*bool` (null = on); the rest are plain booleans there. */
const NULLABLE_FLAGS = new Set(['monitorPhysicalDisks']);

export function exportNode(n: NodeConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Name: n.name,
    Host: n.host,
    User: n.user ?? '',
    Password: n.password ?? '',
    TokenName: n.tokenName ?? '',
    TokenValue: n.tokenValue ?? '',
    Fingerprint: n.fingerprint ?? '',
    VerifySSL: n.verifySSL,
  };
  for (const f of MONITOR_FLAGS[n.type]) {
    const v = n.monitor[f];
    out[pascal(f)] = NULLABLE_FLAGS.has(f) ? (v ?? null) : v !== false;
  }
  if (n.type === 'pve') {
    out.IsCluster = n.cluster?.isCluster ?? false;
    out.ClusterName = n.cluster?.clusterName ?? '';
    out.ClusterEndpoints = n.cluster?.endpoints ?? [];
    // Not in Pulse 4.24's format (it ignores unknown fields): what this server adds to clusters.
    if (n.cluster?.nodeNames) out.ClusterNodeNames = n.cluster.nodeNames;
    if (n.cluster?.extraEndpoints?.length) out.ExtraEndpoints = n.cluster.extraEndpoints;
  }
  return out;
}

export function buildDocument(snapshot: ConfigSnapshot, exportedAt: string): ExportDocument {
  const nodes: ExportDocument['nodes'] = { pveInstances: [], pbsInstances: [], pmgInstances: [] };
  for (const n of snapshot.nodes) nodes[SECTION_OF[n.type]].push(exportNode(n));
  return {
    version: EXPORT_VERSION,
    exportedAt,
    nodes,
    alerts: snapshot.alerts,
    email: snapshot.email,
    webhooks: snapshot.webhooks,
    system: snapshot.system,
    guestMetadata: snapshot.guestMetadata,
  };
}

// ---- parsing ----

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads `Name` or `name`. */
function field(o: Obj, name: string): unknown {
  const p = pascal(name);
  return o[p] !== undefined ? o[p] : o[name];
}

function parseEndpoints(raw: unknown): ClusterEndpoint[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObj).map((e) => {
    const ep: ClusterEndpoint = {
      NodeID: String(e.NodeID ?? ''),
      NodeName: String(e.NodeName ?? ''),
      Host: String(e.Host ?? ''),
      IP: String(e.IP ?? ''),
      Online: e.Online === true,
      LastSeen: typeof e.LastSeen === 'string' ? e.LastSeen : '0001-01-01T00:00:00Z',
    };
    if (typeof e.Fingerprint === 'string' && e.Fingerprint) ep.Fingerprint = e.Fingerprint;
    return ep;
  });
}

function parseCluster(o: Obj): ClusterInfo | undefined {
  if (field(o, 'isCluster') !== true) return undefined;
  const endpoints = parseEndpoints(field(o, 'clusterEndpoints'));
  const cluster: ClusterInfo = { isCluster: true, endpoints };
  const name = field(o, 'clusterName');
  if (typeof name === 'string' && name) cluster.clusterName = name;
  const names = o.ClusterNodeNames;
  if (Array.isArray(names) && names.every((x) => typeof x === 'string')) cluster.nodeNames = [...names].sort();
  else if (endpoints.length)
    cluster.nodeNames = endpoints
      .map((e) => e.NodeName)
      .filter(Boolean)
      .sort();
  const extra = o.ExtraEndpoints;
  if (Array.isArray(extra)) {
    cluster.extraEndpoints = extra
      .filter(isObj)
      .filter((e) => typeof e.host === 'string')
      .map((e) =>
        typeof e.fingerprint === 'string'
          ? { host: String(e.host), fingerprint: e.fingerprint }
          : { host: String(e.host) },
      );
  }
  return cluster;
}

export function importNode(type: NodeType, raw: unknown, where: string): NodeInput {
  if (!isObj(raw)) throw new TransferError(`${where} must be an object`);
  const body: Obj = { type };
  for (const f of ['name', 'host', 'user', 'password', 'tokenName', 'tokenValue', 'fingerprint', 'verifySSL']) {
    const v = field(raw, f);
    if (v !== undefined && v !== null && v !== '') body[f] = v;
  }
  for (const f of MONITOR_FLAGS[type]) {
    const v = field(raw, f);
    if (v === true || v === false || v === null) body[f] = v;
  }
  try {
    const input = parseNodeInput(body);
    const cluster = type === 'pve' ? parseCluster(raw) : undefined;
    return cluster ? { ...input, cluster } : input;
  } catch (err) {
    if (err instanceof NodeValidationError) throw new TransferError(`${where}: ${err.message}`);
    throw err;
  }
}

/**
 * Pulse 4.24 writes unset settings as "" (and an unused PMG interval as 0); they mean "default"
 * here too, not invalid input.
 */
function withoutUnset(raw: unknown): unknown {
  if (!isObj(raw)) return raw;
  const out: Obj = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === '' || v === null) continue;
    if (v === 0 && k.endsWith('PollingInterval')) continue;
    out[k] = v;
  }
  return out;
}

export interface ParsedImport {
  nodes: NodeInput[];
  alerts?: AlertConfig;
  email?: StoredEmail;
  webhooks?: WebhookConfig[];
  system?: Partial<SystemSettings>;
  guestMetadata?: GuestMetadata[];
}

export interface ParseOptions {
  /** Webhook URL policy and template checks, as for webhooks created through the API. */
  webhookPolicy: { allowLoopback: boolean; now: number; publicUrl: string };
}

function rethrow(section: string, err: unknown): never {
  if (err instanceof TransferError) throw err;
  if (
    err instanceof HttpError ||
    err instanceof ConfigError ||
    err instanceof SettingsValidationError ||
    err instanceof MetadataValidationError
  ) {
    throw new TransferError(`${section}: ${err.message}`);
  }
  throw err;
}

/**
 * Validates a decrypted document. Sections that are absent are left as they are on import
 * (older exports have no guestMetadata); sections that are present replace what is stored.
 */
export function parseDocument(plaintext: string, opts: ParseOptions): ParsedImport {
  let doc: unknown;
  try {
    doc = JSON.parse(plaintext);
  } catch {
    throw new TransferError('decrypted data is not a configuration export (invalid JSON)');
  }
  if (!isObj(doc)) throw new TransferError('decrypted data is not a configuration export');
  if (typeof doc.version !== 'string' || doc.version === '') {
    throw new TransferError('decrypted data is not a configuration export (no version)');
  }
  if (!isObj(doc.nodes)) throw new TransferError('nodes: missing from the export');

  const nodes: NodeInput[] = [];
  const nodesDoc = doc.nodes;
  for (const type of ['pve', 'pbs', 'pmg'] as const) {
    const list = nodesDoc[SECTION_OF[type]];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new TransferError(`nodes.${SECTION_OF[type]} must be a list`);
    const names = new Set<string>();
    list.forEach((raw, i) => {
      const input = importNode(type, raw, `nodes.${SECTION_OF[type]}[${i}]`);
      const key = input.name.toLowerCase();
      if (names.has(key)) throw new TransferError(`nodes.${SECTION_OF[type]}: duplicate name "${input.name}"`);
      names.add(key);
      nodes.push(input);
    });
  }

  const out: ParsedImport = { nodes };
  if (doc.alerts !== undefined && doc.alerts !== null) {
    try {
      out.alerts = normaliseAlertConfig(doc.alerts, defaultAlertConfig());
    } catch (err) {
      rethrow('alerts', err);
    }
  }
  if (doc.email !== undefined && doc.email !== null) {
    try {
      out.email = parseEmail(doc.email, { ...DEFAULT_EMAIL, to: [] });
    } catch (err) {
      rethrow('email', err);
    }
  }
  if (doc.webhooks !== undefined && doc.webhooks !== null) {
    if (!Array.isArray(doc.webhooks)) throw new TransferError('webhooks must be a list');
    const ids = new Set<string>();
    out.webhooks = doc.webhooks.map((raw, i) => {
      const given = isObj(raw) ? raw.id : undefined;
      const id = typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : `webhook-import-${i + 1}`;
      if (ids.has(id)) throw new TransferError(`webhooks: duplicate id "${id}"`);
      ids.add(id);
      let w: WebhookConfig;
      try {
        w = parseWebhook(raw, id);
        validateWebhook(w, opts.webhookPolicy);
      } catch (err) {
        rethrow(`webhooks[${i}]`, err);
      }
      return w;
    });
  }
  if (doc.system !== undefined && doc.system !== null) {
    try {
      out.system = validateSettingsUpdate(withoutUnset(doc.system));
    } catch (err) {
      rethrow('system', err);
    }
  }
  if (doc.guestMetadata !== undefined && doc.guestMetadata !== null) {
    try {
      out.guestMetadata = parseMetadataMap(doc.guestMetadata);
    } catch (err) {
      rethrow('guestMetadata', err);
    }
  }
  return out;
}
