/**
 * Makes a diagnostics report safe to paste into a public issue: secrets are removed, and host
 * names, addresses, user and resource names become stable placeholders (the same value always
 * gets the same placeholder, so the report still shows which entries belong together).
 */

const SECRET_KEY = /(token|secret|password|passwd|fingerprint|apikey|api_key|cookie|authorization)/i;
const IDENTIFYING_KEY =
  /^(host|hostname|hosts|url|ip|ips|address|addresses|user|username|userid|tokenid|tokenname|email|servername|name|displayname|node|nodename|instance|clustername|cluster|id|nodeid|endpoint)$/i;

/** Shell commands (the permission doctor's grant) name the user or token: left out of shared reports. */
const COMMAND_KEY = /command$/i;

const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
const URL_RE = /\bhttps?:\/\/[^\s"'<>]+/gi;
const EMAIL = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g;

export class Scrubber {
  readonly #seen = new Map<string, string>();
  readonly #counts = new Map<string, number>();

  placeholder(kind: string, value: string): string {
    const key = `${kind}\u0000${value}`;
    let p = this.#seen.get(key);
    if (!p) {
      const n = (this.#counts.get(kind) ?? 0) + 1;
      this.#counts.set(kind, n);
      p = `<${kind}-${n}>`;
      this.#seen.set(key, p);
    }
    return p;
  }

  text(s: string): string {
    return s
      .replace(URL_RE, (u) => this.placeholder('url', u))
      .replace(EMAIL, (e) => this.placeholder('email', e))
      .replace(IPV4, (ip) => this.placeholder('ip', ip));
  }

  value(v: unknown, key = ''): unknown {
    if (v === null || v === undefined) return v;
    if (SECRET_KEY.test(key) && typeof v !== 'boolean') return '[redacted]';
    if (COMMAND_KEY.test(key) && typeof v === 'string') return '[omitted: names the user]';
    if (Array.isArray(v)) return v.map((x) => this.value(x, key));
    if (typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = this.value(x, k);
      return out;
    }
    if (typeof v === 'string') {
      if (IDENTIFYING_KEY.test(key) && v !== '') return this.placeholder(key.toLowerCase(), v);
      return this.text(v);
    }
    return v;
  }
}

export function scrubReport<T>(report: T): unknown {
  return new Scrubber().value(report);
}
