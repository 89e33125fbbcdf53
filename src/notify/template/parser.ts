/**
 * Parser for the Go `text/template` subset: tokens → a tree of nodes.
 *
 * Follows Go's grammar closely (text/template/parse): pipelines with optional `$x :=` / `$x =`
 * declarations, commands separated by `|`, operands with field chains, parenthesised
 * pipelines, and the control structures if / else if / else, with / else with, range / else,
 * break and continue. Functions must be known at parse time and variables declared before use,
 * as in Go. `define`, `template` and `block` are not part of the subset.
 */
import { TemplateError } from './errors.js';
import { KEYWORDS, lex, type Token } from './lexer.js';

const MAX_DEPTH = 100;

export type Arg =
  | { t: 'field'; pos: number; names: string[] }
  | { t: 'dot'; pos: number }
  | { t: 'var'; pos: number; name: string; names: string[] }
  | { t: 'ident'; pos: number; name: string }
  | { t: 'string'; pos: number; value: string }
  | { t: 'number'; pos: number; value: number; isFloat: boolean; text: string }
  | { t: 'bool'; pos: number; value: boolean }
  | { t: 'nil'; pos: number }
  | { t: 'pipe'; pos: number; pipe: Pipeline }
  | { t: 'chain'; pos: number; node: Arg; names: string[] };

export interface Command {
  pos: number;
  args: Arg[];
}

export interface Pipeline {
  pos: number;
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
}

export type Node =
  | { t: 'text'; pos: number; text: string }
  | { t: 'action'; pos: number; pipe: Pipeline }
  | ControlNode
  | { t: 'break' | 'continue'; pos: number };

export interface ControlNode {
  t: 'if' | 'with' | 'range';
  pos: number;
  pipe: Pipeline;
  list: Node[];
  elseList: Node[] | null;
}

type Terminator = { t: 'end' | 'else'; pos: number };

export interface ParsedTemplate {
  name: string;
  source: string;
  root: Node[];
}

export function parseTemplate(source: string, functions: ReadonlySet<string>, name = 'template'): ParsedTemplate {
  const p = new Parser(lex(source, name), source, name, functions);
  return { name, source, root: p.parseRoot() };
}

function describe(tok: Token): string {
  switch (tok.kind) {
    case 'eof':
      return 'EOF';
    case 'rightDelim':
      return '"}}"';
    case 'leftDelim':
      return '"{{"';
    case 'space':
      return 'space';
    case 'string':
      return JSON.stringify(tok.value);
    case 'field':
      return `<field ${tok.value}>`;
    default:
      return `"${tok.value}"`;
  }
}

class Parser {
  private i = 0;
  /** Declared variable names, innermost last; "$" is always present. */
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  /** Nesting of controls and parentheses; bounded so a hostile template cannot exhaust the stack. */
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly src: string,
    private readonly name: string,
    private readonly functions: ReadonlySet<string>,
  ) {}

  private fail(pos: number, msg: string): never {
    throw TemplateError.at(this.name, this.src, pos, msg);
  }

  private peek(): Token {
    return this.tokens[this.i];
  }
  private next(): Token {
    const t = this.tokens[this.i];
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private backup(n = 1): void {
    this.i -= n;
  }
  private peekNonSpace(): Token {
    while (this.tokens[this.i].kind === 'space') this.i++;
    return this.tokens[this.i];
  }
  private nextNonSpace(): Token {
    this.peekNonSpace();
    return this.next();
  }
  private expect(kind: Token['kind'], context: string): Token {
    const t = this.nextNonSpace();
    if (t.kind !== kind) this.unexpected(t, context);
    return t;
  }
  private unexpected(tok: Token, context: string): never {
    if (tok.kind === 'eof') this.fail(tok.pos, `unexpected EOF in ${context}`);
    return this.fail(tok.pos, `unexpected ${describe(tok)} in ${context}`);
  }

  parseRoot(): Node[] {
    const list: Node[] = [];
    while (this.peek().kind !== 'eof') {
      const n = this.textOrAction();
      if ('t' in n && (n.t === 'end' || n.t === 'else')) this.fail(n.pos, `unexpected {{${n.t}}}`);
      list.push(n as Node);
    }
    return list;
  }

  /** A list of nodes up to {{end}} or {{else}}, which is returned as the terminator. */
  private itemList(context: string): [Node[], Terminator] {
    const list: Node[] = [];
    for (;;) {
      if (this.peek().kind === 'eof') this.fail(this.peek().pos, `unexpected EOF: missing {{end}} for {{${context}}}`);
      const n = this.textOrAction();
      if (n.t === 'end' || n.t === 'else') return [list, n as Terminator];
      list.push(n as Node);
    }
  }

  private textOrAction(): Node | Terminator {
    const tok = this.next();
    if (tok.kind === 'text') return { t: 'text', pos: tok.pos, text: tok.value };
    if (tok.kind === 'leftDelim') return this.action();
    return this.unexpected(tok, 'input');
  }

  private action(): Node | Terminator {
    const tok = this.nextNonSpace();
    if (tok.kind === 'identifier' && KEYWORDS.has(tok.value)) {
      switch (tok.value) {
        case 'if':
        case 'with':
        case 'range':
          return this.control(tok.value, tok.pos);
        case 'end':
          this.expect('rightDelim', 'end');
          return { t: 'end', pos: tok.pos };
        case 'else': {
          const peek = this.peekNonSpace();
          // "{{else if …" / "{{else with …" are "{{else}}{{if …" with a shared {{end}}.
          if (peek.kind === 'identifier' && (peek.value === 'if' || peek.value === 'with')) {
            return { t: 'else', pos: tok.pos };
          }
          this.expect('rightDelim', 'else');
          return { t: 'else', pos: tok.pos };
        }
        case 'break':
        case 'continue':
          if (this.rangeDepth === 0) this.fail(tok.pos, `{{${tok.value}}} outside {{range}}`);
          this.expect('rightDelim', tok.value);
          return { t: tok.value, pos: tok.pos };
        default:
          this.fail(tok.pos, `{{${tok.value}}} is not supported`);
      }
    }
    this.backup();
    const pos = this.peekNonSpace().pos;
    return { t: 'action', pos, pipe: this.pipeline('command', 'rightDelim') };
  }

  private enter(pos: number): void {
    if (++this.depth > MAX_DEPTH) this.fail(pos, `nesting deeper than ${MAX_DEPTH}`);
  }

  private control(context: 'if' | 'with' | 'range', pos: number): Node {
    this.enter(pos);
    try {
      return this.controlBody(context, pos);
    } finally {
      this.depth--;
    }
  }

  private controlBody(context: 'if' | 'with' | 'range', pos: number): Node {
    const mark = this.vars.length;
    const pipe = this.pipeline(context, 'rightDelim');
    if (context === 'range') this.rangeDepth++;
    const [list, term] = this.itemList(context);
    if (context === 'range') this.rangeDepth--;
    let elseList: Node[] | null = null;
    if (term.t === 'else') {
      const peek = this.peekNonSpace();
      if (context !== 'range' && peek.kind === 'identifier' && peek.value === context) {
        // else if / else with: the nested control consumes the shared {{end}}.
        this.next();
        // Variables of the first branch stay visible in Go's else-if chain; keep them.
        elseList = [this.control(context, peek.pos)];
      } else if (peek.kind === 'identifier' && (peek.value === 'if' || peek.value === 'with')) {
        this.fail(peek.pos, `else ${peek.value} is only allowed after {{${peek.value}}}`);
      } else {
        const [els, term2] = this.itemList(context);
        if (term2.t !== 'end') this.fail(term2.pos, `expected end; found {{else}}`);
        elseList = els;
      }
    }
    this.vars.length = mark;
    return { t: context, pos, pipe, list, elseList };
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): Pipeline {
    const start = this.peekNonSpace();
    const pipe: Pipeline = { pos: start.pos, decl: [], isAssign: false, cmds: [] };
    // Declarations: "$x :=", "$x =", and in range "$i, $x :=".
    let declared = false;
    for (;;) {
      const v = this.peekNonSpace();
      if (v.kind !== 'variable') break;
      const save = this.i;
      this.next();
      const after = this.peekNonSpace();
      if (after.kind === 'declare' || after.kind === 'assign') {
        this.next();
        pipe.isAssign = after.kind === 'assign';
        if (pipe.isAssign && !this.vars.includes(v.value)) this.fail(v.pos, `undefined variable "${v.value}"`);
        pipe.decl.push(v.value);
        declared = true;
        break;
      }
      if (after.kind === 'comma') {
        this.next();
        pipe.decl.push(v.value);
        if (context === 'range' && pipe.decl.length < 2) {
          const n = this.peekNonSpace();
          if (n.kind === 'variable') continue;
          this.fail(n.pos, 'range can only initialize variables');
        }
        this.fail(after.pos, `too many declarations in ${context}`);
      }
      this.i = save;
      break;
    }
    if (pipe.decl.length > 0 && !declared) this.fail(pipe.pos, `missing := in ${context}`);
    for (;;) {
      const tok = this.nextNonSpace();
      if (tok.kind === end) {
        if (pipe.cmds.length === 0) this.fail(tok.pos, `missing value for ${context}`);
        for (let k = 1; k < pipe.cmds.length; k++) {
          const first = pipe.cmds[k].args[0];
          if (['bool', 'dot', 'nil', 'number', 'string'].includes(first.t)) {
            this.fail(first.pos, `non executable command in pipeline stage ${k + 1}`);
          }
        }
        // Declared after the pipeline is evaluated, so "$x := $x" refers to the outer $x.
        if (!pipe.isAssign) this.vars.push(...pipe.decl);
        return pipe;
      }
      switch (tok.kind) {
        case 'bool':
        case 'char':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command(context));
          break;
        default:
          this.unexpected(tok, context);
      }
    }
  }

  private command(context: string): Command {
    const cmd: Command = { pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const tok = this.next();
      if (tok.kind === 'space') continue;
      if (tok.kind === 'rightDelim' || tok.kind === 'rightParen') {
        this.backup();
      } else if (tok.kind === 'pipe') {
        const after = this.peekNonSpace();
        if (after.kind === 'rightDelim' || after.kind === 'rightParen' || after.kind === 'eof') {
          this.fail(after.pos, 'missing command after |');
        }
      } else {
        this.unexpected(tok, 'operand');
      }
      break;
    }
    if (cmd.args.length === 0) this.fail(cmd.pos, `empty command in ${context}`);
    return cmd;
  }

  private operand(): Arg | null {
    const node = this.term();
    if (!node) return null;
    if (this.peek().kind !== 'field') return node;
    const names: string[] = [];
    const pos = this.peek().pos;
    while (this.peek().kind === 'field') names.push(this.next().value);
    switch (node.t) {
      case 'field':
        return { ...node, names: [...node.names, ...names] };
      case 'var':
        return { ...node, names: [...node.names, ...names] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.fail(pos, `unexpected . after term`);
      default:
        return { t: 'chain', pos: node.pos, node, names };
    }
  }

  private term(): Arg | null {
    const tok = this.nextNonSpace();
    switch (tok.kind) {
      case 'identifier':
        if (KEYWORDS.has(tok.value)) this.fail(tok.pos, `unexpected keyword "${tok.value}" in operand`);
        if (!this.functions.has(tok.value)) this.fail(tok.pos, `function "${tok.value}" not defined`);
        return { t: 'ident', pos: tok.pos, name: tok.value };
      case 'dot':
        return { t: 'dot', pos: tok.pos };
      case 'nil':
        return { t: 'nil', pos: tok.pos };
      case 'variable':
        if (!this.vars.includes(tok.value)) this.fail(tok.pos, `undefined variable "${tok.value}"`);
        return { t: 'var', pos: tok.pos, name: tok.value, names: [] };
      case 'field':
        return { t: 'field', pos: tok.pos, names: [tok.value] };
      case 'bool':
        return { t: 'bool', pos: tok.pos, value: tok.value === 'true' };
      case 'char': {
        const cp = tok.value.codePointAt(0) ?? 0;
        return { t: 'number', pos: tok.pos, value: cp, isFloat: false, text: `'${tok.value}'` };
      }
      case 'number':
        return this.number(tok);
      case 'string':
        return { t: 'string', pos: tok.pos, value: tok.value };
      case 'leftParen': {
        this.enter(tok.pos);
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        this.depth--;
        return { t: 'pipe', pos: tok.pos, pipe };
      }
      default:
        this.backup();
        return null;
    }
  }

  private number(tok: Token): Arg {
    const text = tok.value.replace(/_/g, '');
    const sign = text.startsWith('-') ? -1 : 1;
    const body = text.replace(/^[+-]/, '');
    let value: number;
    let isFloat = false;
    if (/^0[xX]/.test(body)) value = Number.parseInt(body.slice(2), 16);
    else if (/^0[bB]/.test(body)) value = Number.parseInt(body.slice(2), 2);
    else if (/^0[oO]/.test(body)) value = Number.parseInt(body.slice(2), 8);
    else if (/^0[0-7]+$/.test(body)) value = Number.parseInt(body.slice(1), 8);
    else {
      value = Number(body);
      // As in Go, a constant written with a point or an exponent is a float64 when printed.
      isFloat = /[.eE]/.test(body);
    }
    if (!Number.isFinite(value)) this.fail(tok.pos, `illegal number syntax: "${tok.value}"`);
    return { t: 'number', pos: tok.pos, value: sign * value, isFloat, text: tok.value };
  }
}
