/**
 * Lexer for the Go `text/template` subset: splits a template into text and action tokens.
 *
 * Positions are UTF-16 offsets into the source; `position()` turns one into line:col (both
 * 1-based) for error messages. Trim markers (`{{- ` / ` -}}`) are applied here, to the
 * neighbouring text tokens, exactly as Go does: the marker must be separated from the action
 * body by a space, tab, CR or LF, otherwise `{{-3}}` is the number -3.
 */
import { TemplateError } from './errors.js';

export { position } from './errors.js';

export type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'field' // .Name
  | 'dot' // .
  | 'variable' // $ or $name
  | 'identifier' // function name or keyword
  | 'string' // "..." or `...` (value already unquoted)
  | 'char' // 'x' (value = the rune as string)
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'declare' // :=
  | 'assign' // =
  | 'leftParen'
  | 'rightParen'
  | 'comma'
  | 'space'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Raw text for numbers/fields/identifiers; unquoted value for strings. */
  value: string;
  pos: number;
}

export const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'break',
  'continue',
  'define',
  'template',
  'block',
]);

const LEFT = '{{';
const RIGHT = '}}';
const TRIM_SPACE = new Set([' ', '\t', '\r', '\n']);

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isAlnum(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_]/u.test(c);
}

export function lex(src: string, name = 'template'): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (pos: number, msg: string): never => {
    throw TemplateError.at(name, src, pos, msg);
  };

  // Trim pending: whether the next text token must lose its leading whitespace.
  let trimNextText = false;
  while (i < src.length) {
    const open = src.indexOf(LEFT, i);
    const textEnd = open === -1 ? src.length : open;
    let text = src.slice(i, textEnd);
    const textPos = i;
    let leftTrim = false;
    if (open !== -1 && src[open + 2] === '-' && TRIM_SPACE.has(src[open + 3] ?? '')) leftTrim = true;
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, '');
    if (leftTrim) text = text.replace(/[ \t\r\n]+$/, '');
    trimNextText = false;
    if (text.length > 0) tokens.push({ kind: 'text', value: text, pos: textPos });
    if (open === -1) break;

    // Inside an action.
    tokens.push({ kind: 'leftDelim', value: LEFT, pos: open });
    i = open + 2;
    if (leftTrim) i += 2; // "- " consumed (the space is insignificant anyway)

    // Comments: {{/* ... */}} possibly with trim markers, nothing else inside.
    if (src.startsWith('/*', i)) {
      const close = src.indexOf('*/', i + 2);
      if (close === -1) fail(i, 'unclosed comment');
      let j = close + 2;
      let rightTrim = false;
      if (src[j] === ' ' && src[j + 1] === '-' && src.startsWith(RIGHT, j + 2)) {
        rightTrim = true;
        j += 2;
      } else if (isSpace(src[j]) && src[j + 1] === '-' && src.startsWith(RIGHT, j + 2)) {
        rightTrim = true;
        j += 2;
      }
      if (!src.startsWith(RIGHT, j)) fail(j, 'comment ends before closing delimiter');
      tokens.pop(); // a comment produces no tokens at all
      i = j + 2;
      trimNextText = rightTrim;
      continue;
    }

    // Action body.
    for (;;) {
      if (i >= src.length) fail(open, 'unclosed action');
      const c = src[i];
      // Right delimiter, with or without a trim marker.
      if (isSpace(c)) {
        const start = i;
        while (isSpace(src[i])) i++;
        if (src[i] === '-' && src.startsWith(RIGHT, i + 1)) {
          tokens.push({ kind: 'rightDelim', value: RIGHT, pos: i });
          i += 3;
          trimNextText = true;
          break;
        }
        if (src.startsWith(RIGHT, i)) {
          tokens.push({ kind: 'rightDelim', value: RIGHT, pos: i });
          i += 2;
          break;
        }
        tokens.push({ kind: 'space', value: ' ', pos: start });
        continue;
      }
      if (src.startsWith(RIGHT, i)) {
        tokens.push({ kind: 'rightDelim', value: RIGHT, pos: i });
        i += 2;
        break;
      }
      if (c === '/' && src[i + 1] === '*') fail(i, 'comment must be the whole action');
      const start = i;
      if (c === '|') {
        tokens.push({ kind: 'pipe', value: c, pos: i++ });
      } else if (c === '(') {
        tokens.push({ kind: 'leftParen', value: c, pos: i++ });
      } else if (c === ')') {
        tokens.push({ kind: 'rightParen', value: c, pos: i++ });
      } else if (c === ',') {
        tokens.push({ kind: 'comma', value: c, pos: i++ });
      } else if (c === ':') {
        if (src[i + 1] !== '=') fail(i, 'expected :=');
        tokens.push({ kind: 'declare', value: ':=', pos: i });
        i += 2;
      } else if (c === '=') {
        tokens.push({ kind: 'assign', value: '=', pos: i++ });
      } else if (c === '"') {
        i++;
        let out = '';
        for (;;) {
          const d = src[i];
          if (d === undefined || d === '\n') fail(start, 'unterminated quoted string');
          if (d === '"') {
            i++;
            break;
          }
          if (d === '\\') {
            const [s, next] = readEscape(src, i, '"', () => fail(i, 'invalid escape in quoted string'));
            out += s;
            i = next;
            continue;
          }
          out += d;
          i++;
        }
        tokens.push({ kind: 'string', value: out, pos: start });
      } else if (c === '`') {
        const close = src.indexOf('`', i + 1);
        if (close === -1) fail(start, 'unterminated raw quoted string');
        tokens.push({ kind: 'string', value: src.slice(i + 1, close).replace(/\r/g, ''), pos: start });
        i = close + 1;
      } else if (c === "'") {
        i++;
        let ch: string;
        if (src[i] === '\\') {
          const [s, next] = readEscape(src, i, "'", () => fail(i, 'invalid escape in character constant'));
          ch = s;
          i = next;
        } else {
          const cp = src.codePointAt(i);
          if (cp === undefined || src[i] === "'") fail(start, 'empty character constant');
          ch = String.fromCodePoint(cp as number);
          i += ch.length;
        }
        if (src[i] !== "'") fail(start, 'unterminated character constant');
        i++;
        tokens.push({ kind: 'char', value: ch, pos: start });
      } else if (c === '$') {
        i++;
        while (isAlnum(src[i])) i++;
        tokens.push({ kind: 'variable', value: src.slice(start, i), pos: start });
      } else if (c === '.' && !/[0-9]/.test(src[i + 1] ?? '')) {
        i++;
        if (isAlnum(src[i])) {
          while (isAlnum(src[i])) i++;
          tokens.push({ kind: 'field', value: src.slice(start + 1, i), pos: start });
        } else {
          tokens.push({ kind: 'dot', value: '.', pos: start });
        }
      } else if (/[0-9.+-]/.test(c)) {
        const m =
          /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?)/.exec(
            src.slice(i),
          );
        const text = m?.[0] ?? '';
        if (text === '' || text === '+' || text === '-' || !/[0-9]/.test(text) || isAlnum(src[i + text.length])) {
          fail(
            start,
            `bad number syntax: "${src.slice(i, i + Math.max(text.length, 1) + (isAlnum(src[i + text.length]) ? 1 : 0))}"`,
          );
        }
        tokens.push({ kind: 'number', value: text, pos: start });
        i += text.length;
      } else if (isAlnum(c)) {
        while (isAlnum(src[i])) i++;
        const word = src.slice(start, i);
        const kind: TokenKind = word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'identifier';
        tokens.push({ kind, value: word, pos: start });
      } else {
        fail(i, `unexpected "${c}" in command`);
      }
    }
  }
  tokens.push({ kind: 'eof', value: '', pos: src.length });
  return tokens;
}

/** Reads a Go escape sequence at src[i] === '\\'; returns the decoded text and the next index. */
function readEscape(src: string, i: number, quote: string, bad: () => never): [string, number] {
  const e = src[i + 1];
  const simple: Record<string, string> = {
    a: '\x07',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
    v: '\v',
    '\\': '\\',
  };
  if (e !== undefined && simple[e] !== undefined) return [simple[e], i + 2];
  if (e === quote) return [quote, i + 2];
  const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
  if (hexLen > 0) {
    const hex = src.slice(i + 2, i + 2 + hexLen);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) bad();
    const n = Number.parseInt(hex, 16);
    if (e === 'x') return [String.fromCharCode(n), i + 2 + hexLen];
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) bad();
    return [String.fromCodePoint(n), i + 2 + hexLen];
  }
  if (e !== undefined && /[0-7]/.test(e)) {
    const oct = src.slice(i + 1, i + 4);
    if (!/^[0-7]{3}$/.test(oct)) bad();
    return [String.fromCharCode(Number.parseInt(oct, 8)), i + 4];
  }
  return bad();
}
