/**
 * Go's `fmt` for template values: Sprint, Sprintln, Sprintf with the common verbs, and Go's float
 * formatting (shortest representation for %v with Go's exponent rule, exact round-half-even
 * for %f / %e / %g with a precision).
 *
 * Values are plain JS data. Go's int/float64 distinction matters for printing (Go prints the
 * float64 1000000 as 1e+06), so a number is an int when it is integral and a float64 otherwise,
 * unless it is wrapped in GoFloat (template data does this for fields Go declares float64, such as
 * an alert's value and threshold).
 */

/** A float64 that happens to be integral (80.0), so Go's float formatting still applies. */
export class GoFloat {
  constructor(readonly value: number) {}
}

export const isFloat = (v: unknown): boolean => v instanceof GoFloat || (typeof v === 'number' && !Number.isInteger(v));
export const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
export const numberOf = (v: unknown): number | undefined =>
  v instanceof GoFloat ? v.value : typeof v === 'number' ? v : undefined;

export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (isFloat(v)) return 'float64';
  if (typeof v === 'number') return 'int';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

// ---- exact decimal expansion of a double, as Go's strconv does in its slow path ----

interface Decimal {
  /** Significant digits, no leading or trailing zeros ('' for zero). */
  d: string;
  /** Position of the decimal point: value = 0.d × 10^dp. */
  dp: number;
}

function exactDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (expBits === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = expBits - 1075;
  }
  let digits: string;
  let dp: number;
  if (e2 >= 0) {
    digits = (mant << BigInt(e2)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-e2)).toString();
    dp = digits.length + e2;
  }
  return trim({ d: digits, dp });
}

function trim(dec: Decimal): Decimal {
  let d = dec.d.replace(/0+$/, '');
  let dp = dec.dp;
  const lead = /^0*/.exec(d)?.[0].length ?? 0;
  d = d.slice(lead);
  dp -= lead;
  return d === '' ? { d: '', dp: 0 } : { d, dp };
}

/** Rounds to nd significant digits, half to even on exact ties (Go's decimal.Round). */
function roundTo(dec: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= dec.d.length) return dec;
  const next = dec.d[nd];
  let up: boolean;
  if (next === '5' && nd + 1 === dec.d.length) up = nd > 0 && Number(dec.d[nd - 1]) % 2 === 1;
  else up = next >= '5';
  if (!up) return trim({ d: dec.d.slice(0, nd), dp: dec.dp });
  const digits = dec.d.slice(0, nd).split('');
  let i = nd - 1;
  while (i >= 0 && digits[i] === '9') i--;
  if (i < 0) return { d: '1', dp: dec.dp + 1 };
  digits[i] = String(Number(digits[i]) + 1);
  return trim({ d: digits.slice(0, i + 1).join(''), dp: dec.dp });
}

/** Shortest digits that round-trip (JS and Go agree on these). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const [mant, exp] = x.toExponential().split('e');
  return trim({ d: mant.replace('.', ''), dp: Number(exp) + 1 });
}

function fmtE(dec: Decimal, prec: number, e: 'e' | 'E'): string {
  let s = dec.d.length === 0 ? '0' : dec.d[0];
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += dec.d[i] ?? '0';
  }
  const exp = dec.d.length === 0 ? 0 : dec.dp - 1;
  const abs = Math.abs(exp);
  return `${s}${e}${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
}

function fmtF(dec: Decimal, prec: number): string {
  let s = '';
  if (dec.dp > 0) {
    for (let i = 0; i < dec.dp; i++) s += dec.d[i] ?? '0';
  } else s = '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = dec.dp + i - 1;
      s += j >= 0 && j < dec.d.length ? dec.d[j] : '0';
    }
  }
  return s;
}

/**
 * strconv.FormatFloat(x, verb, prec, 64) for finite non-negative x; prec -1 = shortest.
 */
function formatFloatAbs(x: number, verb: 'e' | 'E' | 'f' | 'F' | 'g' | 'G', prec: number): string {
  const shortest = prec < 0;
  let dec: Decimal;
  if (shortest) {
    dec = shortestDecimal(x);
    if (verb === 'e' || verb === 'E') prec = Math.max(dec.d.length - 1, 0);
    else if (verb === 'f' || verb === 'F') prec = Math.max(dec.d.length - dec.dp, 0);
    else prec = dec.d.length;
  } else {
    dec = exactDecimal(x);
    if (verb === 'e' || verb === 'E') dec = roundTo(dec, prec + 1);
    else if (verb === 'f' || verb === 'F') dec = roundTo(dec, dec.dp + prec);
    else {
      if (prec === 0) prec = 1;
      dec = roundTo(dec, prec);
    }
  }
  if (verb === 'e' || verb === 'E') return fmtE(dec, prec, verb);
  if (verb === 'f' || verb === 'F') return fmtF(dec, prec);
  // %g
  let eprec = prec;
  if (eprec > dec.d.length && dec.d.length >= dec.dp) eprec = dec.d.length;
  if (shortest) eprec = 6;
  const exp = dec.dp - 1;
  if (dec.d.length > 0 && (exp < -4 || exp >= eprec)) {
    if (prec > dec.d.length) prec = dec.d.length;
    return fmtE(dec, prec - 1, verb === 'g' ? 'e' : 'E');
  }
  if (prec > dec.dp) prec = dec.d.length;
  return fmtF(dec, Math.max(prec - dec.dp, 0));
}

export function formatFloat(x: number, verb: 'e' | 'E' | 'f' | 'F' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const body = formatFloatAbs(Math.abs(x), verb, prec);
  return neg ? `-${body}` : body;
}

// ---- strconv.Quote ----

function isPrintable(ch: string): boolean {
  return ch === ' ' || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch);
}

export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (isPrintable(ch)) out += ch;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

// ---- %v ----

/** fmt.Sprint of one value (the %v verb without flags). */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (v instanceof GoFloat) return formatFloat(v.value, 'g', -1);
  if (typeof v === 'number') return Number.isInteger(v) ? intString(v) : formatFloat(v, 'g', -1);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj).sort();
    return `map[${keys.map((k) => `${k}:${formatValue(obj[k])}`).join(' ')}]`;
  }
  return String(v);
}

function intString(n: number): string {
  // Integral doubles beyond 2^53 print their exact integer value, as a Go int64 would.
  return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    if (i > 0 && typeof args[i] !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(args[i]);
  }
  return out;
}

export function sprintln(args: unknown[]): string {
  return `${args.map(formatValue).join(' ')}\n`;
}

// ---- Sprintf ----

interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width?: number;
  prec?: number;
  verb: string;
}

const runeLength = (s: string) => [...s].length;

function pad(s: string, spec: Spec, numeric: boolean): string {
  if (spec.width === undefined) return s;
  const n = spec.width - runeLength(s);
  if (n <= 0) return s;
  if (spec.minus) return s + ' '.repeat(n);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0] : '';
    return sign + '0'.repeat(n) + s.slice(sign.length);
  }
  return ' '.repeat(n) + s;
}

function badVerb(spec: Spec, v: unknown): string {
  if (v === null || v === undefined) return `%!${spec.verb}(<nil>)`;
  return `%!${spec.verb}(${goTypeName(v)}=${formatValue(v)})`;
}

function withSign(body: string, negative: boolean, spec: Spec): string {
  if (negative) return `-${body}`;
  if (spec.plus) return `+${body}`;
  if (spec.space) return ` ${body}`;
  return body;
}

function formatInt(n: number, spec: Spec): string | undefined {
  const neg = n < 0;
  const abs = BigInt(Math.abs(n));
  let body: string;
  switch (spec.verb) {
    case 'd':
    case 'v':
      body = abs.toString(10);
      break;
    case 'x':
      body = abs.toString(16);
      if (spec.sharp) body = `0x${body}`;
      break;
    case 'X':
      body = abs.toString(16).toUpperCase();
      if (spec.sharp) body = `0X${body}`;
      break;
    case 'o':
      body = abs.toString(8);
      if (spec.sharp) body = `0${body}`;
      break;
    case 'O':
      body = `0o${abs.toString(8)}`;
      break;
    case 'b':
      body = abs.toString(2);
      break;
    case 'c':
      return pad(String.fromCodePoint(n), spec, false);
    case 'q':
      return pad(
        `'${goQuote(String.fromCodePoint(n)).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`,
        spec,
        false,
      );
    case 'U':
      return pad(`U+${abs.toString(16).toUpperCase().padStart(4, '0')}`, spec, false);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      // Go would print %!f(int=80); integral data values are floats more often than not, so be kind.
      return formatFloatSpec(n, spec);
    default:
      return undefined;
  }
  if (spec.prec !== undefined) {
    const digits = body.replace(/^0[xXob]/, '');
    if (digits.length < spec.prec) body = body.replace(digits, digits.padStart(spec.prec, '0'));
    if (spec.prec === 0 && n === 0) body = '';
  }
  return pad(withSign(body, neg, spec), spec, spec.prec === undefined);
}

function formatFloatSpec(x: number, spec: Spec): string | undefined {
  let verb = spec.verb;
  let prec = spec.prec;
  if (verb === 'v') {
    verb = 'g';
    prec = prec ?? -1;
  }
  if (!['e', 'E', 'f', 'F', 'g', 'G'].includes(verb)) return undefined;
  if (prec === undefined) prec = verb === 'g' || verb === 'G' ? -1 : 6;
  let s = formatFloat(x, verb as 'e', prec);
  if (!s.startsWith('-')) s = withSign(s, false, spec);
  const finite = Number.isFinite(x);
  if (!finite && spec.zero) return pad(s, { ...spec, zero: false }, false);
  return pad(s, spec, true);
}

function formatString(s: string, spec: Spec): string | undefined {
  switch (spec.verb) {
    case 's':
    case 'v': {
      const cut = spec.prec !== undefined ? [...s].slice(0, spec.prec).join('') : s;
      return pad(cut, spec, false);
    }
    case 'q':
      return pad(goQuote(spec.prec !== undefined ? [...s].slice(0, spec.prec).join('') : s), spec, false);
    case 'x':
    case 'X': {
      const bytes = [...Buffer.from(s, 'utf8')].map((b) => b.toString(16).padStart(2, '0'));
      let hex = bytes.join(spec.space ? ' ' : '');
      if (spec.verb === 'X') hex = hex.toUpperCase();
      return pad(hex, spec, false);
    }
    default:
      return undefined;
  }
}

function formatOne(v: unknown, spec: Spec): string {
  let out: string | undefined;
  if (v instanceof GoFloat) out = formatFloatSpec(v.value, spec);
  else if (typeof v === 'number') out = Number.isInteger(v) ? formatInt(v, spec) : formatFloatSpec(v, spec);
  else if (typeof v === 'string') out = formatString(v, spec);
  else if (typeof v === 'boolean')
    out = spec.verb === 't' || spec.verb === 'v' ? pad(String(v), spec, false) : undefined;
  else if (v === null || v === undefined) out = spec.verb === 'v' ? pad('<nil>', spec, false) : undefined;
  else if (Array.isArray(v)) {
    // Go applies the verb to each element.
    out = pad(`[${v.map((e) => formatOne(e, { ...spec, width: undefined })).join(' ')}]`, spec, false);
  } else if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const inner = { ...spec, width: undefined };
    const parts = Object.keys(obj)
      .sort()
      .map((k) => `${formatOne(k, inner)}:${formatOne(obj[k], inner)}`);
    out = pad(`map[${parts.join(' ')}]`, spec, false);
  }
  return out ?? badVerb(spec, v);
}

export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      i++;
      continue;
    }
    i++;
    const spec: Spec = { minus: false, plus: false, space: false, zero: false, sharp: false, verb: '' };
    for (; i < format.length; i++) {
      const f = format[i];
      if (f === '-') spec.minus = true;
      else if (f === '+') spec.plus = true;
      else if (f === ' ') spec.space = true;
      else if (f === '0') spec.zero = !spec.minus;
      else if (f === '#') spec.sharp = true;
      else break;
    }
    // Go refuses widths and precisions above 10^6 (%!(BADWIDTH) / %!(BADPREC)).
    let bad = '';
    const w = /^\d+/.exec(format.slice(i));
    if (w) {
      spec.width = Number(w[0]);
      i += w[0].length;
      if (spec.width > 1e6) {
        bad += '%!(BADWIDTH)';
        spec.width = undefined;
      }
    }
    if (format[i] === '.') {
      i++;
      const p = /^\d+/.exec(format.slice(i));
      spec.prec = p ? Number(p[0]) : 0;
      if (p) i += p[0].length;
      if (spec.prec > 1e6) {
        bad += '%!(BADPREC)';
        spec.prec = undefined;
      }
    }
    out += bad;
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    spec.verb = verb;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(args[argi++], spec);
  }
  if (argi < args.length) {
    const extra = args
      .slice(argi)
      .map((a) => (a === null || a === undefined ? '<nil>' : `${goTypeName(a)}=${formatValue(a)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}
