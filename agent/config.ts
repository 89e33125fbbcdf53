/**
 * The agent's settings: command-line flags win over the environment, which wins over defaults.
 * Names match Pulse's own agent so install commands users already have keep working.
 */
import os from 'node:os';

export interface AgentConfig {
  url: string;
  token: string;
  intervalSeconds: number;
  hostname: string;
  agentId: string;
  insecure: boolean;
  dockerHost: string;
  /** Exit after this many reports (0 = run forever); lets benchmarks and smoke tests stop on their own. */
  once: boolean;
}

export class ConfigError extends Error {}

const FLAGS: Record<string, keyof AgentConfig> = {
  '--url': 'url',
  '--token': 'token',
  '--interval': 'intervalSeconds',
  '--hostname': 'hostname',
  '--agent-id': 'agentId',
  '--insecure': 'insecure',
  '--docker-host': 'dockerHost',
  '--once': 'once',
};

const BOOL_FLAGS = new Set<keyof AgentConfig>(['insecure', 'once']);

export const USAGE = `Usage: pulse-docker-agent --url URL --token TOKEN [--interval 30s] [--hostname NAME]
                          [--agent-id ID] [--insecure] [--docker-host unix:///var/run/docker.sock] [--once]
Environment: PULSE_URL, PULSE_TOKEN, PULSE_INTERVAL, PULSE_HOSTNAME, PULSE_AGENT_ID,
             PULSE_INSECURE_SKIP_VERIFY, DOCKER_HOST`;

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

/** "30", "30s", "2m", "1h" → seconds. */
export function parseInterval(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(raw.trim());
  if (!m) throw new ConfigError(`invalid interval "${raw}" (examples: 30, 30s, 2m)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const seconds = unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : unit === 'h' ? n * 3600 : n;
  if (seconds < 1 || seconds > 86_400) throw new ConfigError(`interval must be between 1 s and 24 h (got "${raw}")`);
  return seconds;
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): AgentConfig | 'help' | 'version' {
  const given: Partial<Record<keyof AgentConfig, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--version') return 'version';
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = FLAGS[name];
    if (!key) throw new ConfigError(`unknown option ${arg}`);
    if (BOOL_FLAGS.has(key)) {
      given[key] = eq > 0 ? arg.slice(eq + 1) : 'true';
    } else if (eq > 0) {
      given[key] = arg.slice(eq + 1);
    } else {
      const value = argv[++i];
      if (value === undefined) throw new ConfigError(`${name} needs a value`);
      given[key] = value;
    }
  }
  const url = (given.url ?? env.PULSE_URL ?? '').trim().replace(/\/+$/, '');
  const token = (given.token ?? env.PULSE_TOKEN ?? '').trim();
  if (!url) throw new ConfigError('--url (or PULSE_URL) is required');
  if (!/^https?:\/\//i.test(url)) throw new ConfigError(`--url must start with http:// or https:// (got "${url}")`);
  if (!token) throw new ConfigError('--token (or PULSE_TOKEN) is required');
  return {
    url,
    token,
    intervalSeconds: parseInterval(given.intervalSeconds ?? env.PULSE_INTERVAL ?? '30'),
    hostname: (given.hostname ?? env.PULSE_HOSTNAME ?? '').trim() || os.hostname(),
    agentId: (given.agentId ?? env.PULSE_AGENT_ID ?? '').trim(),
    insecure: truthy(given.insecure ?? env.PULSE_INSECURE_SKIP_VERIFY),
    dockerHost: (given.dockerHost ?? env.DOCKER_HOST ?? '').trim() || 'unix:///var/run/docker.sock',
    once: truthy(given.once),
  };
}

const MAX_BACKOFF_S = 300;

/** Delay before the next attempt: the interval, doubled per consecutive failure up to 8× (≤ 5 min). */
export function nextDelaySeconds(intervalSeconds: number, failures: number): number {
  if (failures <= 0) return intervalSeconds;
  const cap = Math.max(intervalSeconds, Math.min(MAX_BACKOFF_S, intervalSeconds * 8));
  return Math.min(cap, intervalSeconds * 2 ** Math.min(failures, 10));
}
