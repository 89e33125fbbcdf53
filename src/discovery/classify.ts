/**
 * Telling Proxmox products apart without credentials (pure).
 *
 * What an anonymous client can see:
 * - `GET /api2/json/version` needs a login on all three products, so a Proxmox API answers 401 with
 *   a JSON body holding `data` (and `Server: pve-api-daemon/…` from PVE's and PMG's proxies). That
 *   marks a Proxmox API server, not which one.
 * - `GET /api2/json/access/domains` is open to anyone on PVE and PBS (the login box needs the realm
 *   list) and does not exist on PMG. Realm types name the product: `pve` realms exist only on
 *   PVE, `pbs` realms only on PBS. A Proxmox server refusing it anonymously is therefore a PMG.
 * - The self-signed certificates name the product in their subject/issuer (O=Proxmox Virtual
 *   Environment / PVE Cluster Manager CA, O=Proxmox Backup Server, Proxmox Mail Gateway).
 * - Default ports: PVE and PMG 8006, PBS 8007.
 * Direct evidence wins; the port decides only when it names one product.
 */
export type Product = 'pve' | 'pbs' | 'pmg';

export interface HttpAnswer {
  status: number;
  server?: string;
  /** Parsed JSON body, if the body was JSON. */
  json?: unknown;
}

export interface ProbeEvidence {
  version: HttpAnswer;
  domains?: HttpAnswer;
  /** Certificate subject and issuer as text, e.g. "CN=pve1, O=Proxmox Virtual Environment". */
  certText?: string;
  /** The certificate's common name. */
  certCN?: string;
}

export interface Classification {
  type: Product;
  version: string;
  release?: string;
  hostname?: string;
}

function hasDataKey(json: unknown): boolean {
  return json !== null && typeof json === 'object' && !Array.isArray(json) && 'data' in json;
}

/** A Proxmox API server answered (whatever the product). */
export function looksLikeProxmox(a: HttpAnswer): boolean {
  if (/pve-api-daemon|proxmox/i.test(a.server ?? '')) return true;
  return (a.status === 200 || a.status === 401 || a.status === 403) && hasDataKey(a.json);
}

function realmTypes(a: HttpAnswer | undefined): string[] | undefined {
  if (a?.status !== 200 || !hasDataKey(a.json)) return undefined;
  const data = (a.json as { data: unknown }).data;
  if (!Array.isArray(data)) return undefined;
  return data.map((r) => String((r as { type?: unknown })?.type ?? ''));
}

function fromCertificate(text: string | undefined): Product | undefined {
  if (!text) return undefined;
  if (/Proxmox Backup Server|PBS Cluster/i.test(text)) return 'pbs';
  if (/Proxmox Mail Gateway/i.test(text)) return 'pmg';
  if (/Proxmox Virtual Environment|PVE Cluster/i.test(text)) return 'pve';
  return undefined;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function classify(
  port: number,
  hints: Record<Product, number[]>,
  ev: ProbeEvidence,
): Classification | undefined {
  if (!looksLikeProxmox(ev.version)) return undefined;
  const candidates = (['pve', 'pbs', 'pmg'] as const).filter((p) => hints[p].includes(port));
  const realms = realmTypes(ev.domains);
  let type: Product | undefined = fromCertificate(ev.certText);
  if (!type && realms) {
    if (realms.includes('pbs')) type = 'pbs';
    else if (realms.includes('pve')) type = 'pve';
  }
  if (!type && candidates.length === 1) type = candidates[0];
  // Only PMG lacks the anonymous realm list.
  if (!type && ev.domains && !realms && candidates.includes('pmg')) type = 'pmg';
  type ??= candidates[0];
  if (!type) return undefined;

  const out: Classification = { type, version: '' };
  if (ev.version.status === 200 && hasDataKey(ev.version.json)) {
    const d = (ev.version.json as { data: Record<string, unknown> }).data ?? {};
    if (typeof d.version === 'string') out.version = d.version;
    if (typeof d.release === 'string') out.release = d.release;
  }
  if (ev.certCN && !IPV4.test(ev.certCN) && ev.certCN !== 'localhost') out.hostname = ev.certCN;
  return out;
}
