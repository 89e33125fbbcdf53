/**
 * A validator for Proxmox's JSON-schema dialect, used by the schema-walk test to check every
 * simulated GET reply against the official `returns` schema. Dialect rules, as in Proxmox's own
 * checkers (PVE::JSONSchema, proxmox-schema):
 * - properties are required unless `optional` is 1/true;
 * - `additionalProperties` absent means extra properties are allowed; 0/false forbids them;
 * - `boolean` accepts true/false and 0/1 (Perl renders booleans as integers);
 * - in the Perl products (PVE, PMG) `integer`/`number` also accept numeric strings, because
 *   Perl scalars carry no type and PVE::JSONSchema checks numbers by pattern;
 * - `pattern` may be bare (PVE) or `/…/` with POSIX classes (PBS).
 */
import { schemaRegex } from '../http/params.js';
import type { PxSchema } from './apidata.js';

export interface ValidationIssue {
  path: string;
  message: string;
}

export interface ValidateOptions {
  /** Accept numeric strings for integer/number (PVE, PMG). */
  perlNumbers?: boolean;
}

const isTrue = (v: unknown) => v === 1 || v === true || v === '1';

export function validate(schema: PxSchema | undefined, value: unknown, opts: ValidateOptions = {}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (schema) check(schema, value, '$', opts, issues);
  return issues;
}

function typeOk(type: string, v: unknown, opts: ValidateOptions): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      if (typeof v === 'number') return Number.isInteger(v);
      return !!opts.perlNumbers && typeof v === 'string' && /^[+-]?\d+$/.test(v);
    case 'number':
      if (typeof v === 'number') return Number.isFinite(v);
      return !!opts.perlNumbers && typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v);
    case 'boolean':
      return typeof v === 'boolean' || v === 0 || v === 1;
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'null':
      return v === null || v === undefined;
    case 'any':
      return true;
    default:
      return true;
  }
}

function check(schema: PxSchema, v: unknown, path: string, opts: ValidateOptions, issues: ValidationIssue[]): void {
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length && !types.some((t) => typeOk(t, v, opts))) {
    issues.push({
      path,
      message: `expected ${types.join('|')}, got ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v} ${short(v)}`,
    });
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.map(String).includes(String(v))) {
    issues.push({ path, message: `value ${short(v)} not in enum ${schema.enum.join('|')}` });
  }
  if (typeof v === 'string' && typeof schema.pattern === 'string') {
    const re = schemaRegex(schema.pattern);
    if (re && !re.test(v)) issues.push({ path, message: `value ${short(v)} does not match ${schema.pattern}` });
  }
  if (
    (typeof v === 'number' || (typeof v === 'string' && opts.perlNumbers)) &&
    (types.includes('integer') || types.includes('number'))
  ) {
    const n = Number(v);
    if (schema.minimum !== undefined && n < schema.minimum)
      issues.push({ path, message: `${n} < minimum ${schema.minimum}` });
    if (schema.maximum !== undefined && n > schema.maximum)
      issues.push({ path, message: `${n} > maximum ${schema.maximum}` });
  }
  if (Array.isArray(v) && schema.items) {
    v.forEach((item, i) => {
      check(schema.items, item, `${path}[${i}]`, opts, issues);
    });
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && schema.properties) {
    const obj = v as Record<string, unknown>;
    const props: Record<string, PxSchema> = schema.properties;
    for (const [k, sub] of Object.entries(props)) {
      const present = obj[k] !== undefined && obj[k] !== null;
      if (!present) {
        if (!isTrue(sub.optional) && sub.type !== 'null')
          issues.push({ path: `${path}.${k}`, message: 'required property missing' });
        continue;
      }
      check(sub, obj[k], `${path}.${k}`, opts, issues);
    }
    const additional = schema.additionalProperties;
    if (additional === 0 || additional === false) {
      for (const k of Object.keys(obj))
        if (!(k in props)) issues.push({ path: `${path}.${k}`, message: 'additional property not allowed' });
    } else if (additional && typeof additional === 'object') {
      for (const k of Object.keys(obj)) if (!(k in props)) check(additional, obj[k], `${path}.${k}`, opts, issues);
    }
  }
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
