/**
 * Typed failures of a Proxmox API call. Every way a call can fail maps to one `kind`, so that
 * test-connection can say exactly what went wrong and pollers can decide whether to fail over
 * (network kinds) or not (auth kinds: another endpoint would refuse the same credentials).
 */
export type ProxmoxErrorKind =
  | 'dns' // host name does not resolve
  | 'refused' // nothing listens on the port
  | 'unreachable' // no route / host down
  | 'timeout' // connect, headers or body took longer than allowed
  | 'reset' // connection dropped mid-request
  | 'tls' // certificate not trusted, name mismatch, or pinned fingerprint differs
  | 'auth' // 401: bad credentials or expired ticket
  | 'forbidden' // 403: the token/user lacks a privilege
  | 'http' // any other non-2xx answer
  | 'invalid-json'; // 2xx whose body is not the JSON envelope Proxmox sends

export interface ProxmoxErrorDetails {
  /** HTTP status, for auth/forbidden/http. */
  status?: number;
  /** API path that failed (without /api2/json). */
  path?: string;
  /** SHA-256 fingerprint the server presented (tls kind), colon-separated upper-case hex. */
  presentedFingerprint?: string;
  /** The privilege Proxmox names in a 403 ("Permission check failed (/vms/100, VM.Audit)"). */
  privilege?: string;
  /** Object path of the privilege check, e.g. "/vms/100". */
  privilegePath?: string;
  cause?: unknown;
}

export class ProxmoxError extends Error {
  readonly kind: ProxmoxErrorKind;
  readonly status?: number;
  readonly path?: string;
  readonly presentedFingerprint?: string;
  readonly privilege?: string;
  readonly privilegePath?: string;

  constructor(kind: ProxmoxErrorKind, message: string, details: ProxmoxErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ProxmoxError';
    this.kind = kind;
    this.status = details.status;
    this.path = details.path;
    this.presentedFingerprint = details.presentedFingerprint;
    this.privilege = details.privilege;
    this.privilegePath = details.privilegePath;
  }

  /** Failures where another endpoint of the same cluster may well succeed. */
  get isNetwork(): boolean {
    return (
      this.kind === 'dns' ||
      this.kind === 'refused' ||
      this.kind === 'unreachable' ||
      this.kind === 'timeout' ||
      this.kind === 'reset' ||
      this.kind === 'tls'
    );
  }
}

/** Proxmox's 403 reason reads "Permission check failed (/vms/100, VM.Audit)"; PBS/PMG are similar. */
export function parsePermissionMessage(text: string): { privilegePath?: string; privilege?: string } {
  const m = /\(([^,()]+),\s*([A-Za-z.| ]+)\)/.exec(text);
  if (m) return { privilegePath: m[1].trim(), privilege: m[2].trim() };
  const priv = /\b((?:Sys|VM|Datastore|SDN|Pool|Realm|Permissions|Group|User|Mapping)\.[A-Za-z.]+)/.exec(text);
  return priv ? { privilege: priv[1] } : {};
}

const NETWORK_CODES: Record<string, ProxmoxErrorKind> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NONAME: 'dns',
  ECONNREFUSED: 'refused',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
};

/** Turns whatever undici/node threw into a ProxmoxError with a message a user can act on. */
export function classifyNetworkError(err: unknown, host: string, path: string, timeoutMs: number): ProxmoxError {
  if (err instanceof ProxmoxError) return err;
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code ?? '';
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new ProxmoxError('timeout', `Request to ${host} timed out after ${Math.round(timeoutMs / 1000)} s`, {
      path,
      cause: err,
    });
  }
  const kind = NETWORK_CODES[code];
  switch (kind) {
    case 'dns':
      return new ProxmoxError('dns', `Cannot resolve host name of ${host} (DNS lookup failed)`, { path, cause: err });
    case 'refused':
      return new ProxmoxError('refused', `Connection refused by ${host}: is the port right and the service running?`, {
        path,
        cause: err,
      });
    case 'unreachable':
      return new ProxmoxError('unreachable', `Host ${host} is unreachable`, { path, cause: err });
    case 'timeout':
      return new ProxmoxError('timeout', `Request to ${host} timed out after ${Math.round(timeoutMs / 1000)} s`, {
        path,
        cause: err,
      });
    case 'reset':
      return new ProxmoxError('reset', `Connection to ${host} was closed unexpectedly`, { path, cause: err });
  }
  if (/^ERR_SSL|^ERR_TLS|CERT|EPROTO/.test(code)) {
    return new ProxmoxError('tls', `TLS handshake with ${host} failed: ${e?.message ?? code}`, { path, cause: err });
  }
  return new ProxmoxError('reset', `Request to ${host} failed: ${e?.message ?? String(err)}`, { path, cause: err });
}
