/**
 * Strict JSON syntax check that reports WHERE the text stops being JSON (line:col), so a user
 * saving a webhook template learns which character is wrong. V8's JSON.parse messages do not
 * always carry a position, hence this small checker.
 */
import { position } from './template/errors.js';

export interface JsonSyntaxError {
  message: string;
  offset: number;
  line: number;
  col: number;
}

class Fail extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export function checkJson(text: string): JsonSyntaxError | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const what = () => (i >= text.length ? 'end of input' : `${JSON.stringify(text[i])}`);
  const value = (depth: number): void => {
    if (depth > 512) throw new Fail(i, 'nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Fail(i, `expected a property name in double quotes, found ${what()}`);
        string();
        ws();
        if (text[i] !== ':') throw new Fail(i, `expected ':' after property name, found ${what()}`);
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        throw new Fail(i, `expected ',' or '}' after property value, found ${what()}`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        throw new Fail(i, `expected ',' or ']' after array element, found ${what()}`);
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const lit = /^(true|false|null)/.exec(text.slice(i, i + 5));
    if (lit) {
      i += lit[0].length;
      return;
    }
    const num = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (num && num[0] !== '-' && num[0] !== '') {
      i += num[0].length;
      return;
    }
    throw new Fail(i, `unexpected ${what()}, expected a JSON value`);
  };
  const string = () => {
    const start = i;
    i++;
    for (;;) {
      if (i >= text.length) throw new Fail(start, 'unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) throw new Fail(i, 'control character (such as a raw newline) inside a string; use jsonString');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Fail(i, 'bad \\u escape in string');
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) throw new Fail(i, 'bad escape in string');
        i += 2;
        continue;
      }
      i++;
    }
  };
  try {
    value(0);
    ws();
    if (i < text.length) throw new Fail(i, `unexpected ${what()} after the JSON value`);
    return null;
  } catch (err) {
    if (!(err instanceof Fail)) throw err;
    const { line, col } = position(text, err.offset);
    return { message: err.message, offset: err.offset, line, col };
  }
}
