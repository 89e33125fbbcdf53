/**
 * Parameter verification the way Proxmox reports it: 400 "Parameter verification failed." with
 * an `errors` object naming each bad parameter. Driven by the schema's `parameters`.
 */
import type { PxSchema } from '../schema/apidata.js';

/**
 * PVE's named string formats (PVE::JSONSchema register_format) as far as requests of a monitoring
 * client meet them; a format not listed here is not judged (the simulator cannot tell).
 */
const FORMAT_PATTERNS: Record<string, RegExp> = {
  'pve-node': /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
  'pve-storage-id': /^[a-zA-Z][a-zA-Z0-9\-_.]*[a-zA-Z0-9]$/,
  'pve-configid': /^[a-zA-Z0-9_-]+$/,
  'pve-vmid': /^[1-9][0-9]{2,8}$/,
  'pve-realm': /^[A-Za-z][A-Za-z0-9.\-_]+$/,
  'pve-replication-job-id': /^\d+-\d+$/,
  'pve-storage-content': /^(images|rootdir|vztmpl|iso|backup|snippets|import)$/,
  'pve-task-status-type': /^(ok|error|unknown|warning)$/,
  CIDR: /^[0-9a-fA-F:.]+\/\d{1,3}$/,
};

/** `<format>-list` formats: a comma, semicolon or space separated list of the base format. */
function formatOk(format: string, v: string): boolean {
  const direct = FORMAT_PATTERNS[format];
  if (direct) return direct.test(v);
  const base = format.endsWith('-list') ? FORMAT_PATTERNS[format.slice(0, -5)] : undefined;
  if (base) return v.split(/[,; ]+/).every((item) => item === '' || base.test(item));
  return true;
}

const POSIX_CLASSES: Record<string, string> = {
  cntrl: '\\x00-\\x1f\\x7f',
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  space: '\\s',
  upper: 'A-Z',
  lower: 'a-z',
  xdigit: '0-9A-Fa-f',
};
const regexCache = new Map<string, RegExp | null>();

/** Compiles a schema pattern: PVE's are bare, PBS's are `/^…$/` with POSIX classes. Null if unusable. */
export function schemaRegex(pattern: string): RegExp | null {
  if (regexCache.has(pattern)) return regexCache.get(pattern)!;
  let src = pattern;
  if (src.length > 1 && src.startsWith('/') && src.endsWith('/')) src = src.slice(1, -1);
  // A whole negated class `[[:^cntrl:]]` first, then classes inside brackets `[^\s[:cntrl:]]`.
  src = src.replace(/\[\[:\^(\w+):\]\]/g, (m, name) => (POSIX_CLASSES[name] ? `[^${POSIX_CLASSES[name]}]` : m));
  src = src.replace(/\[:(\w+):\]/g, (m, name) => POSIX_CLASSES[name] ?? m);
  let re: RegExp | null;
  try {
    re = new RegExp(`^(?:${src})$`);
  } catch {
    re = null;
  }
  regexCache.set(pattern, re);
  return re;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

function checkValue(name: string, def: PxSchema, raw: unknown): string | null {
  const v = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : null;
  if (v === null) return def.type === 'array' || def.type === 'object' ? null : 'type check failed';
  switch (def.type) {
    case 'integer':
      if (!/^[+-]?\d+$/.test(v)) return `type check ('integer') failed - got '${v}'`;
      break;
    case 'number':
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) return `type check ('number') failed - got '${v}'`;
      break;
    case 'boolean':
      if (!TRUE.has(v.toLowerCase()) && !FALSE.has(v.toLowerCase()))
        return `type check ('boolean') failed - got '${v}'`;
      break;
  }
  if ((def.type === 'integer' || def.type === 'number') && typeof def.format === 'string') {
    if (!formatOk(def.format, v)) return `value does not look like a valid ${def.format.replace(/^pve-/, '')}`;
  }
  if (def.type === 'integer' || def.type === 'number') {
    const n = Number(v);
    if (def.minimum !== undefined && n < def.minimum) return `value must have a minimum value of ${def.minimum}`;
    if (def.maximum !== undefined && n > def.maximum) return `value must have a maximum value of ${def.maximum}`;
  }
  if (def.type === 'string') {
    if (def.maxLength !== undefined && v.length > def.maxLength)
      return `value may only be ${def.maxLength} characters long`;
    if (def.minLength !== undefined && v.length < def.minLength)
      return `value must be at least ${def.minLength} characters long`;
    if (typeof def.pattern === 'string' && schemaRegex(def.pattern)?.test(v) === false)
      return 'value does not match the regex pattern';
    if (typeof def.format === 'string' && !formatOk(def.format, v))
      return `value does not look like a valid ${def.format.replace(/^pve-/, '')}`;
  }
  if (Array.isArray(def.enum) && !def.enum.map(String).includes(v)) {
    return `value '${v}' does not have a value in the enumeration '${def.enum.join(', ')}'`;
  }
  void name;
  return null;
}

/** Returns null when the arguments are valid, else the per-parameter error messages. */
export function verifyParameters(
  schema: PxSchema | undefined,
  args: Record<string, unknown>,
): Record<string, string> | null {
  if (!schema) return null;
  const props: Record<string, PxSchema> = schema.properties ?? {};
  const errors: Record<string, string> = {};
  for (const [k, def] of Object.entries(props)) {
    const present = args[k] !== undefined && args[k] !== '';
    if (!present) {
      // PVE's JSONSchema: a default does not make a parameter optional, only `optional` does.
      if (!def.optional && args[k] === undefined) {
        errors[k] = 'property is missing and it is not optional';
      }
      continue;
    }
    const msg = checkValue(k, def, args[k]);
    if (msg) errors[k] = msg;
  }
  const additional = schema.additionalProperties;
  if (additional === 0 || additional === false) {
    for (const k of Object.keys(args)) {
      // `_dc` is ExtJS's cache buster, which both API servers drop before verification.
      if (!(k in props) && k !== '_dc') {
        errors[k] = 'property is not defined in schema and the schema does not allow additional properties';
      }
    }
  }
  return Object.keys(errors).length ? errors : null;
}

export function isTrue(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && TRUE.has(v.toLowerCase()));
}
