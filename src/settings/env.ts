/**
 * Settings read from the environment at start-up.
 *
 * Every variable is parsed and validated here once; the rest of the program receives a typed,
 * frozen object. An invalid value raises SettingsError naming the variable, which main.ts turns
 * into one line on stderr and exit code 2.
 */
import path from 'node:path';
import type { LogLevel } from '../logging.js';
import { LOG_LEVELS as SETTING_LOG_LEVELS } from '../schemas/system-settings.js';

export interface Settings {
  /** Directory holding the database, the encryption key and `.env`. */
  dataDir: string;
  /** TCP port of the HTTP server (FRONTEND_PORT, then PORT; default 7655). 0 picks a free port. */
  port: number;
  /** Address to bind (BIND_ADDRESS; default 0.0.0.0). */
  bindAddress: string;
  logLevel: LogLevel;
  /** Largest accepted request body in bytes (PULSE_BODY_LIMIT; default 1 MiB). */
  bodyLimit: number;
  /** PULSE_AUTH_USER / PULSE_AUTH_PASS (plain text or a bcrypt hash). */
  authUser?: string;
  authPass?: string;
  /** API_TOKENS (comma list) merged with the legacy API_TOKEN. */
  apiTokens: string[];
  /** DISABLE_AUTH=true|1 opens every route (for use behind a trusted proxy only). */
  disableAuth: boolean;
  /** bcrypt cost for new hashes (PULSE_BCRYPT_COST; 12 in production, lower in tests). */
  bcryptCost: number;
  /** Directory of the built web UI (PULSE_FRONTEND_DIR; default dist/web next to the code). */
  frontendDir?: string;
  /** Connection timeout towards Proxmox hosts, seconds (CONNECTION_TIMEOUT; default 60). */
  connectionTimeoutSec: number;
  /** Public URL of this Pulse, used in notification links (PULSE_PUBLIC_URL). */
  publicUrl?: string;
  /** ALLOWED_ORIGINS: CORS / WebSocket origins (comma list or *). */
  allowedOrigins: string[];
  /** PULSE_ALLOW_LOOPBACK_WEBHOOKS: allow webhook URLs on loopback/link-local (local receivers, tests). */
  allowLoopbackWebhooks: boolean;
  /** Check every JSON reply against its route's response schema (tests turn this on; src/http/validation.ts). */
  strictResponses: boolean;
  /** True when running inside the Docker image (PULSE_DOCKER=true). */
  isDocker: boolean;
  /** PULSE_MEMORY_RECLAIM (default true): a full GC after bursts of commits that left much garbage. */
  memoryReclaim: boolean;
  /** NODE_ENV !== 'production'. */
  isDevelopment: boolean;
  /** PULSE_UPDATE_FEED_URL: GitHub-style releases JSON for update checks (unset: checks report that no feed is configured). */
  updateFeedUrl?: string;
  /** DISCOVERY_ENABLED: background network discovery every 5 min (unset = the system setting decides). */
  discoveryEnabled?: boolean;
  /** DISCOVERY_SUBNET: CIDR to scan, or "auto" (the host's private /24 networks). */
  discoverySubnet?: string;
  /** PULSE_DISCOVERY_PORTS: ports probed per product, e.g. "pve=8006,pbs=8007,pmg=8006". */
  discoveryPorts?: Record<'pve' | 'pbs' | 'pmg', number[]>;
  /** PULSE_SENSORS_SSH_KEY: private key for `ssh <node> sensors -j` (default <data dir>/.ssh/id_ed25519, then id_rsa). */
  sensorsSshKey?: string;
  /** PULSE_SENSORS_SSH_USER: user for temperature SSH (default root). */
  sensorsSshUser: string;
  /** PULSE_SENSORS_SSH_PORT: SSH port of the nodes (default 22). */
  sensorsSshPort: number;
  /** PULSE_SENSORS_SSH_HOSTS: where to SSH for a node, keyed by node name, `<instance>/<node>` or address. */
  sensorsSshHosts: Record<string, { host: string; port?: number }>;
  /** PULSE_SENSORS_REFRESH_SECONDS: how often one node's temperatures are read (default 30). */
  sensorsRefreshSec: number;
  /** HTTPS_ENABLED: Pulse serves HTTPS itself with TLS_CERT_FILE / TLS_KEY_FILE (PEM). */
  httpsEnabled: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Authentication by a reverse proxy (PROXY_AUTH_*); undefined when PROXY_AUTH_SECRET is unset. */
  proxyAuth?: ProxyAuthSettings;
  /** ALLOW_UNPROTECTED_EXPORT: config export/import from public addresses while no authentication is configured. */
  allowUnprotectedExport: boolean;
  /** Started by systemd (INVOCATION_ID is set): the update service reports a systemd deployment. */
  underSystemd: boolean;
  /** PULSE_BUILD: the build label /api/version reports instead of release/development. */
  buildLabel?: string;
  /** PULSE_INIT_CONFIG_*: an export imported once at the first start; undefined unless data (or a file) and a passphrase are set. */
  initialConfig?: InitialConfigSettings;
}

export interface InitialConfigSettings {
  /** PULSE_INIT_CONFIG_DATA: the export itself (base64). */
  data?: string;
  /** PULSE_INIT_CONFIG_FILE: a file holding the export, read when DATA is unset. */
  file?: string;
  /** PULSE_INIT_CONFIG_PASSPHRASE. */
  passphrase: string;
}

export interface ProxyAuthSettings {
  /** The shared secret the proxy sends in X-Proxy-Secret. */
  secret: string;
  /** Header naming the user (PROXY_AUTH_USER_HEADER); when set it must be non-empty. */
  userHeader?: string;
  /** Header listing the user's roles (PROXY_AUTH_ROLE_HEADER); absent means every user is an admin. */
  roleHeader?: string;
  roleSeparator: string;
  adminRole: string;
  logoutUrl?: string;
}

export class SettingsError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'SettingsError';
  }
}

// The system setting's list, typed as the logger's levels so the two cannot part.
const LOG_LEVELS: readonly LogLevel[] = SETTING_LOG_LEVELS;

type Env = Record<string, string | undefined>;

function parseProxyAuth(env: Env): ProxyAuthSettings | undefined {
  // The secret is used as given (not trimmed): it must equal what the proxy sends byte for byte.
  const secret = env.PROXY_AUTH_SECRET;
  if (secret === undefined || secret === '') return undefined;
  if (secret.length < 16) throw new SettingsError('PROXY_AUTH_SECRET', 'must be at least 16 characters long');
  return {
    secret,
    userHeader: nonEmpty(env, 'PROXY_AUTH_USER_HEADER')?.toLowerCase(),
    roleHeader: nonEmpty(env, 'PROXY_AUTH_ROLE_HEADER')?.toLowerCase(),
    roleSeparator: env.PROXY_AUTH_ROLE_SEPARATOR || '|',
    adminRole: nonEmpty(env, 'PROXY_AUTH_ADMIN_ROLE') ?? 'admin',
    logoutUrl: parseUrl(env, 'PROXY_AUTH_LOGOUT_URL'),
  };
}

function parseInitialConfig(env: Env, cwd: string): InitialConfigSettings | undefined {
  const data = nonEmpty(env, 'PULSE_INIT_CONFIG_DATA');
  const file = nonEmpty(env, 'PULSE_INIT_CONFIG_FILE');
  // The passphrase is used as given: spaces may be part of it.
  const passphrase = env.PULSE_INIT_CONFIG_PASSPHRASE;
  if ((data === undefined && file === undefined) || !passphrase) return undefined;
  return { data, file: file === undefined ? undefined : path.resolve(cwd, file), passphrase };
}

function nonEmpty(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function parseInteger(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new SettingsError(name, `expected a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new SettingsError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function parseBool(env: Env, name: string): boolean {
  const raw = nonEmpty(env, name)?.toLowerCase();
  if (raw === undefined) return false;
  if (raw === 'true' || raw === '1' || raw === 'yes') return true;
  if (raw === 'false' || raw === '0' || raw === 'no') return false;
  throw new SettingsError(name, `expected true or false, got "${raw}"`);
}

function parseList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function parseUrl(env: Env, name: string): string | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  if (!/^https?:\/\/[^\s/]+/.test(raw)) throw new SettingsError(name, `expected an http(s) URL, got "${raw}"`);
  return raw;
}

function parseSubnet(env: Env, name: string): string | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined || raw === 'auto') return raw;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(raw);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new SettingsError(name, `expected a CIDR subnet like 192.168.1.0/24, or auto, got "${raw}"`);
  }
  return raw;
}

function parseDiscoveryPorts(env: Env, name: string): Record<'pve' | 'pbs' | 'pmg', number[]> | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  const out: Record<'pve' | 'pbs' | 'pmg', number[]> = { pve: [], pbs: [], pmg: [] };
  for (const item of parseList(raw)) {
    const m = /^(pve|pbs|pmg)[=:](\d{1,5})$/.exec(item);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new SettingsError(name, `expected product=port items like pve=8006,pbs=8007, got "${item}"`);
    }
    out[m[1] as 'pve' | 'pbs' | 'pmg'].push(Number(m[2]));
  }
  return out;
}

function parseSshHosts(env: Env, name: string): Record<string, { host: string; port?: number }> {
  const out: Record<string, { host: string; port?: number }> = {};
  for (const item of parseList(env[name])) {
    const m = /^([^=\s]+)=(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+))(?::(\d{1,5}))?$/.exec(item);
    const port = m?.[4] === undefined ? undefined : Number(m[4]);
    if (!m || (port !== undefined && (port < 1 || port > 65535))) {
      throw new SettingsError(name, `expected node=host[:port] items like pve1=10.0.0.11:22, got "${item}"`);
    }
    out[m[1]] = port === undefined ? { host: m[2] ?? m[3] } : { host: m[2] ?? m[3], port };
  }
  return out;
}

export function loadSettings(env: Env = process.env, cwd: string = process.cwd()): Settings {
  const port = parseInteger(env, 'FRONTEND_PORT', 0, 65535) ?? parseInteger(env, 'PORT', 0, 65535) ?? 7655;

  const bindAddress = nonEmpty(env, 'BIND_ADDRESS') ?? '0.0.0.0';
  if (!/^[0-9a-fA-F:.]+$|^localhost$/.test(bindAddress)) {
    throw new SettingsError('BIND_ADDRESS', `expected an IP address, got "${bindAddress}"`);
  }

  const level = (nonEmpty(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(level as LogLevel)) {
    throw new SettingsError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  }

  const authUser = nonEmpty(env, 'PULSE_AUTH_USER');
  const authPass = nonEmpty(env, 'PULSE_AUTH_PASS');
  if (authPass !== undefined && authUser === undefined) {
    throw new SettingsError('PULSE_AUTH_USER', 'must be set when PULSE_AUTH_PASS is set');
  }

  const apiTokens = [...parseList(env.API_TOKENS), ...parseList(env.API_TOKEN)];

  const publicUrl = nonEmpty(env, 'PULSE_PUBLIC_URL');
  if (publicUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(publicUrl)) {
    throw new SettingsError('PULSE_PUBLIC_URL', `expected an http(s) URL, got "${publicUrl}"`);
  }

  const frontendDir = nonEmpty(env, 'PULSE_FRONTEND_DIR');

  const httpsEnabled = parseBool(env, 'HTTPS_ENABLED');
  const tlsCertFile = nonEmpty(env, 'TLS_CERT_FILE');
  const tlsKeyFile = nonEmpty(env, 'TLS_KEY_FILE');
  if (httpsEnabled && tlsCertFile === undefined) {
    throw new SettingsError('TLS_CERT_FILE', 'must be set when HTTPS_ENABLED is true');
  }
  if (httpsEnabled && tlsKeyFile === undefined) {
    throw new SettingsError('TLS_KEY_FILE', 'must be set when HTTPS_ENABLED is true');
  }

  return Object.freeze({
    dataDir: path.resolve(cwd, nonEmpty(env, 'PULSE_DATA_DIR') ?? './data'),
    port,
    bindAddress,
    logLevel: level as LogLevel,
    bodyLimit: parseInteger(env, 'PULSE_BODY_LIMIT', 1024, 512 * 1024 * 1024) ?? 1024 * 1024,
    authUser,
    authPass,
    apiTokens: [...new Set(apiTokens)],
    disableAuth: parseBool(env, 'DISABLE_AUTH'),
    bcryptCost: parseInteger(env, 'PULSE_BCRYPT_COST', 4, 15) ?? 12,
    frontendDir: frontendDir ? path.resolve(cwd, frontendDir) : undefined,
    connectionTimeoutSec: parseInteger(env, 'CONNECTION_TIMEOUT', 1, 300) ?? 60,
    publicUrl,
    allowedOrigins: parseList(env.ALLOWED_ORIGINS),
    allowLoopbackWebhooks: parseBool(env, 'PULSE_ALLOW_LOOPBACK_WEBHOOKS'),
    strictResponses: parseBool(env, 'PULSE_STRICT_RESPONSES'),
    isDocker: parseBool(env, 'PULSE_DOCKER'),
    memoryReclaim: nonEmpty(env, 'PULSE_MEMORY_RECLAIM') === undefined || parseBool(env, 'PULSE_MEMORY_RECLAIM'),
    isDevelopment: (env.NODE_ENV ?? 'development') !== 'production',
    updateFeedUrl: parseUrl(env, 'PULSE_UPDATE_FEED_URL'),
    discoveryEnabled:
      nonEmpty(env, 'DISCOVERY_ENABLED') === undefined ? undefined : parseBool(env, 'DISCOVERY_ENABLED'),
    discoverySubnet: parseSubnet(env, 'DISCOVERY_SUBNET'),
    discoveryPorts: parseDiscoveryPorts(env, 'PULSE_DISCOVERY_PORTS'),
    sensorsSshKey: nonEmpty(env, 'PULSE_SENSORS_SSH_KEY')
      ? path.resolve(cwd, nonEmpty(env, 'PULSE_SENSORS_SSH_KEY')!)
      : undefined,
    sensorsSshUser: nonEmpty(env, 'PULSE_SENSORS_SSH_USER') ?? 'root',
    sensorsSshPort: parseInteger(env, 'PULSE_SENSORS_SSH_PORT', 1, 65535) ?? 22,
    sensorsSshHosts: parseSshHosts(env, 'PULSE_SENSORS_SSH_HOSTS'),
    sensorsRefreshSec: parseInteger(env, 'PULSE_SENSORS_REFRESH_SECONDS', 1, 3600) ?? 30,
    httpsEnabled,
    tlsCertFile: tlsCertFile === undefined ? undefined : path.resolve(cwd, tlsCertFile),
    tlsKeyFile: tlsKeyFile === undefined ? undefined : path.resolve(cwd, tlsKeyFile),
    proxyAuth: parseProxyAuth(env),
    allowUnprotectedExport: parseBool(env, 'ALLOW_UNPROTECTED_EXPORT'),
    underSystemd: nonEmpty(env, 'INVOCATION_ID') !== undefined,
    buildLabel: nonEmpty(env, 'PULSE_BUILD'),
    initialConfig: parseInitialConfig(env, cwd),
  });
}
