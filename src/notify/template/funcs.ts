/**
 * The template functions: Go's built-ins (eq ne lt le gt ge not len index print printf println
 * urlquery html js; `and`/`or` are evaluated lazily by the executor) plus Pulse's additions
 * (title upper lower jsonString urlencode urlpath pathescape mdEscape trunc).
 *
 * `jsonString` returns the JSON escaping of its argument WITHOUT surrounding quotes, because
 * templates embed it inside a quoted JSON string: `"text": "{{jsonString .Message}}"`.
 */
import { formatValue, goTypeName, isFloat, numberOf, sprint, sprintf, sprintln } from './format.js';

export interface FuncDef {
  /** Fewest arguments; `max` undefined = variadic. */
  min: number;
  max?: number;
  fn: (args: unknown[]) => unknown;
}

/** An error raised by a function; the executor prefixes "error calling <name>:". */
export class FuncError extends Error {}

const isMissing = (v: unknown) => v === undefined || v === null;

/** Go's evalArgs: one string argument is used as is, anything else goes through Sprint. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args);
}

type Kind = 'bool' | 'int' | 'float' | 'string' | 'nil' | 'other';
function kindOf(v: unknown): Kind {
  if (isMissing(v)) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (isFloat(v)) return 'float';
  if (typeof v === 'number') return 'int';
  if (typeof v === 'string') return 'string';
  return 'other';
}

const numeric = (k: Kind) => k === 'int' || k === 'float';

function eq(args: unknown[]): boolean {
  if (args.length < 2) throw new FuncError('missing argument for comparison');
  const [a, ...rest] = args;
  const ka = kindOf(a);
  for (const b of rest) {
    const kb = kindOf(b);
    let truth: boolean;
    if (ka === 'nil' || kb === 'nil') truth = ka === kb;
    else if (numeric(ka) && numeric(kb)) truth = numberOf(a) === numberOf(b);
    else if (ka !== kb) throw new FuncError('incompatible types for comparison');
    else if (ka === 'other') throw new FuncError(`non-comparable type ${goTypeName(a)}`);
    else truth = a === b;
    if (truth) return true;
  }
  return false;
}

function less(a: unknown, b: unknown): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'nil' || kb === 'nil' || ka === 'bool' || ka === 'other' || kb === 'bool' || kb === 'other') {
    throw new FuncError('invalid type for comparison');
  }
  if (numeric(ka) && numeric(kb)) return (numberOf(a) as number) < (numberOf(b) as number);
  if (ka !== kb) throw new FuncError('incompatible types for comparison');
  return (a as string) < (b as string);
}

function length(v: unknown): number {
  if (isMissing(v)) throw new FuncError('len of nil pointer');
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8'); // Go's len counts bytes
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'object') return Object.keys(v as object).length;
  throw new FuncError(`len of type ${goTypeName(v)}`);
}

function index(args: unknown[]): unknown {
  let item = args[0];
  if (isMissing(item)) throw new FuncError('index of untyped nil');
  for (const key of args.slice(1)) {
    if (Array.isArray(item) || typeof item === 'string') {
      if (typeof key !== 'number' || !Number.isInteger(key)) {
        throw new FuncError(`cannot index slice/array with type ${goTypeName(key)}`);
      }
      const len = Array.isArray(item) ? item.length : Buffer.byteLength(item);
      if (key < 0 || key >= len) throw new FuncError(`index out of range: ${key}`);
      item = Array.isArray(item) ? item[key] : Buffer.from(item as string, 'utf8')[key];
    } else if (item !== null && typeof item === 'object') {
      if (typeof key !== 'string') throw new FuncError(`value has type ${goTypeName(key)}; should be string`);
      item = Object.hasOwn(item, key) ? (item as Record<string, unknown>)[key] : undefined;
    } else if (isMissing(item)) {
      throw new FuncError('index of nil pointer');
    } else {
      throw new FuncError(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

/** url.QueryEscape: unreserved bytes kept, space → '+', everything else %XX. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** url.PathEscape: as QueryEscape but `$&+:=@` are kept and space is %20. */
export function pathEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~$&+:=@]/.test(c)) out += c;
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** strings.Title: upper-cases the first letter of every word; leaves the rest alone. */
export function title(s: string): string {
  let out = '';
  let prevSep = true;
  for (const ch of s) {
    out += prevSep ? ch.toUpperCase() : ch;
    prevSep = isTitleSeparator(ch);
  }
  return out;
}

function isTitleSeparator(ch: string): boolean {
  if (ch.length === 1 && ch.charCodeAt(0) <= 0x7f) return !/[A-Za-z0-9_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

export function jsonEscape(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

function htmlEscape(s: string): string {
  return s.replace(/[&'<>"\0]/g, (c) =>
    c === '\0'
      ? '\uFFFD'
      : ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;' } as Record<string, string>)[c],
  );
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<') out += '\\u003C';
    else if (ch === '>') out += '\\u003E';
    else if (ch === '&') out += '\\u0026';
    else if (ch === '=') out += '\\u003D';
    else if (cp < 0x20) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

const str = (v: unknown) => (typeof v === 'string' ? v : formatValue(v));

export const FUNCTIONS: Readonly<Record<string, FuncDef>> = {
  // and / or are placeholders: the executor evaluates them lazily (short-circuit).
  and: { min: 1, fn: () => undefined },
  or: { min: 1, fn: () => undefined },
  not: { min: 1, max: 1, fn: ([v]) => !truth(v) },
  len: { min: 1, max: 1, fn: ([v]) => length(v) },
  index: { min: 1, fn: index },
  print: { min: 0, fn: sprint },
  printf: {
    min: 1,
    fn: ([f, ...rest]) => {
      if (typeof f !== 'string') throw new FuncError(`wrong type for value; expected string; got ${goTypeName(f)}`);
      return sprintf(f, rest);
    },
  },
  println: { min: 0, fn: sprintln },
  eq: { min: 1, fn: eq },
  ne: { min: 2, max: 2, fn: (args) => !eq(args) },
  lt: { min: 2, max: 2, fn: ([a, b]) => less(a, b) },
  le: { min: 2, max: 2, fn: ([a, b]) => less(a, b) || eq([a, b]) },
  gt: { min: 2, max: 2, fn: ([a, b]) => !less(a, b) && !eq([a, b]) },
  ge: { min: 2, max: 2, fn: ([a, b]) => !less(a, b) },
  urlquery: { min: 0, fn: (args) => queryEscape(evalArgs(args)) },
  html: { min: 0, fn: (args) => htmlEscape(evalArgs(args)) },
  js: { min: 0, fn: (args) => jsEscape(evalArgs(args)) },
  // Pulse's additions.
  title: { min: 1, max: 1, fn: ([v]) => title(str(v)) },
  upper: { min: 1, max: 1, fn: ([v]) => str(v).toUpperCase() },
  lower: { min: 1, max: 1, fn: ([v]) => str(v).toLowerCase() },
  jsonString: { min: 1, max: 1, fn: ([v]) => jsonEscape(isMissing(v) ? '' : str(v)) },
  urlencode: { min: 1, max: 1, fn: ([v]) => queryEscape(str(v)) },
  urlpath: { min: 1, max: 1, fn: ([v]) => pathEscape(str(v)) },
  pathescape: { min: 1, max: 1, fn: ([v]) => pathEscape(str(v)) },
  // Sprig's trunc: at most N characters (runes), so a long batch fits a service's field limit.
  trunc: {
    min: 2,
    max: 2,
    fn: ([n, v]) => {
      if (typeof n !== 'number' || !Number.isInteger(n)) throw new FuncError('trunc length must be an integer');
      const chars = [...str(v)];
      return chars.length <= Math.abs(n)
        ? chars.join('')
        : n >= 0
          ? chars.slice(0, n).join('')
          : chars.slice(n).join('');
    },
  },
  // Escapes Telegram/legacy-Markdown specials (_ * ` [) so names like web_01 survive parse_mode.
  mdEscape: { min: 1, max: 1, fn: ([v]) => str(v).replace(/([_*`[\\])/g, '\\$1') },
};

export const FUNCTION_NAMES: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS));

/** Go's truth: false, 0, "", empty slices and maps, nil and missing values are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  const n = numberOf(v);
  if (n !== undefined) return n !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}
