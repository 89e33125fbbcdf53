/**
 * The dashboard's filter language, as a pure module (no DOM, no Solid): free text plus
 * conditions, all of which must hold.
 *
 *   web                 name, VMID, node, status, tags, OS or IP contains "web"
 *   cpu>80  mem>=50     CPU / memory / disk percent, uptime (30m, 2h, 3d), vmid
 *   tags:prod           a tag (exact, case-insensitive); `tags:prod,db` = either
 *   status:stopped      status, type (vm|ct|node), node, name, os, ip
 *   -tags:test  !web    a leading - or ! negates a term
 *   "two words"         quotes keep spaces together
 */

export type Op = '>' | '>=' | '<' | '<=' | '=' | '!=';

export type Term =
  | { kind: 'text'; value: string; negate: boolean }
  | { kind: 'number'; field: NumberField; op: Op; value: number; negate: boolean }
  | { kind: 'string'; field: StringField; values: string[]; negate: boolean };

export type NumberField = 'cpu' | 'mem' | 'disk' | 'uptime' | 'vmid';
export type StringField = 'name' | 'node' | 'status' | 'type' | 'tags' | 'os' | 'ip';

export interface ParsedFilter {
  terms: Term[];
  /** Human-readable problems; the terms they concern are left out (the rest still filters). */
  errors: string[];
}

/** What a row exposes to the filter. Percentages are 0–100; uptime is in seconds. */
export interface FilterSubject {
  name: string;
  vmid?: number;
  node: string;
  status: string;
  /** 'qemu' | 'lxc' | 'node' */
  type: string;
  tags: string[];
  cpu: number;
  mem: number;
  disk: number;
  uptime: number;
  os?: string;
  ips?: string[];
}

const FIELD_ALIASES: Record<string, NumberField | StringField> = {
  cpu: 'cpu',
  mem: 'mem',
  memory: 'mem',
  ram: 'mem',
  disk: 'disk',
  uptime: 'uptime',
  vmid: 'vmid',
  id: 'vmid',
  name: 'name',
  node: 'node',
  host: 'node',
  status: 'status',
  state: 'status',
  type: 'type',
  tag: 'tags',
  tags: 'tags',
  os: 'os',
  ip: 'ip',
};

const NUMBER_FIELDS = new Set<string>(['cpu', 'mem', 'disk', 'uptime', 'vmid']);

const TYPE_ALIASES: Record<string, string> = {
  vm: 'qemu',
  vms: 'qemu',
  qemu: 'qemu',
  ct: 'lxc',
  lxc: 'lxc',
  container: 'lxc',
  containers: 'lxc',
  node: 'node',
  nodes: 'node',
};

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

function parseNumber(field: NumberField, raw: string): number | undefined {
  const v = raw.trim().toLowerCase();
  if (field === 'uptime') {
    const m = /^(\d+(?:\.\d+)?)([smhdw]?)$/.exec(v);
    if (!m) return undefined;
    return Number(m[1]) * UNIT_SECONDS[m[2] || 's']!;
  }
  const m = /^(-?\d+(?:\.\d+)?)%?$/.exec(v);
  return m ? Number(m[1]) : undefined;
}

const unquote = (s: string) => s.replace(/"/g, '');

export function parseFilter(input: string): ParsedFilter {
  const terms: Term[] = [];
  const errors: string[] = [];
  const tokenRe = /([-!]?)((?:[^\s"]|"[^"]*"?)+)/g;
  for (const m of input.matchAll(tokenRe)) {
    const negate = m[1] !== '';
    const body = m[2]!;
    const cond = /^([a-z]+)(>=|<=|!=|>|<|=|:)(.*)$/i.exec(body);
    if (!cond) {
      const value = unquote(body).trim().toLowerCase();
      if (value) terms.push({ kind: 'text', value, negate });
      continue;
    }
    const [, rawField, rawOp, rawValue] = cond;
    const field = FIELD_ALIASES[rawField!.toLowerCase()];
    const value = unquote(rawValue!).trim();
    if (!field) {
      errors.push(
        `Unknown field "${rawField}" — use cpu, mem, disk, uptime, vmid, name, node, status, type, tags, os or ip`,
      );
      continue;
    }
    if (value === '') {
      errors.push(`"${body}" needs a value after ${rawOp}`);
      continue;
    }
    if (NUMBER_FIELDS.has(field)) {
      const n = parseNumber(field as NumberField, value);
      if (n === undefined) {
        errors.push(`"${value}" is not a number for ${rawField}${field === 'uptime' ? ' (e.g. 90, 30m, 2h, 3d)' : ''}`);
        continue;
      }
      const op: Op = rawOp === ':' ? '=' : (rawOp as Op);
      terms.push({ kind: 'number', field: field as NumberField, op, value: n, negate });
      continue;
    }
    if (rawOp !== ':' && rawOp !== '=' && rawOp !== '!=') {
      errors.push(`${rawField} compares text: use ${rawField}:value, not ${rawOp}`);
      continue;
    }
    let values = value
      .toLowerCase()
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    if (field === 'type') values = values.map((v) => TYPE_ALIASES[v] ?? v);
    terms.push({ kind: 'string', field: field as StringField, values, negate: negate !== (rawOp === '!=') });
  }
  return { terms, errors };
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '=':
      return a === b;
    case '!=':
      return a !== b;
  }
}

function numberOf(s: FilterSubject, f: NumberField): number | undefined {
  switch (f) {
    case 'cpu':
      return s.cpu;
    case 'mem':
      return s.mem;
    case 'disk':
      return s.disk;
    case 'uptime':
      return s.uptime;
    case 'vmid':
      return s.vmid;
  }
}

function stringMatch(s: FilterSubject, f: StringField, values: string[]): boolean {
  const lc = (x: string | undefined) => (x ?? '').toLowerCase();
  switch (f) {
    case 'tags': {
      const tags = s.tags.map(lc);
      return values.some((v) => tags.includes(v));
    }
    case 'ip':
      return values.some((v) => (s.ips ?? []).some((ip) => ip.toLowerCase().startsWith(v)));
    case 'name':
      return values.some((v) => lc(s.name).includes(v));
    case 'os':
      return values.some((v) => lc(s.os).includes(v));
    case 'node':
      return values.includes(lc(s.node));
    case 'status':
      return values.includes(lc(s.status));
    case 'type':
      return values.includes(lc(s.type));
  }
}

function textMatch(s: FilterSubject, needle: string): boolean {
  if (s.name.toLowerCase().includes(needle)) return true;
  if (s.vmid !== undefined && String(s.vmid).includes(needle)) return true;
  if (s.node.toLowerCase().includes(needle) || s.status.toLowerCase() === needle) return true;
  if (s.tags.some((t) => t.toLowerCase().includes(needle))) return true;
  if (s.os?.toLowerCase().includes(needle)) return true;
  return (s.ips ?? []).some((ip) => ip.includes(needle));
}

function termMatches(t: Term, s: FilterSubject): boolean {
  switch (t.kind) {
    case 'text':
      return textMatch(s, t.value);
    case 'number': {
      const v = numberOf(s, t.field);
      return v !== undefined && compare(v, t.op, t.value);
    }
    case 'string':
      return stringMatch(s, t.field, t.values);
  }
}

/** True when every term holds (negated terms must not hold). An empty filter matches all. */
export function matchesFilter(f: ParsedFilter, s: FilterSubject): boolean {
  for (const t of f.terms) {
    if (termMatches(t, s) === t.negate) return false;
  }
  return true;
}

export const isEmptyFilter = (f: ParsedFilter) => f.terms.length === 0;
