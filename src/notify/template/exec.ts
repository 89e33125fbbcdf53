/**
 * Executes a parsed template against plain JS data with Go's `text/template` semantics.
 *
 * Value model: `undefined` is Go's "no value" (a missing map key), `null` is a nil interface.
 * A missing key prints `<no value>`, and fields of a missing value are missing too; fields of a
 * nil value are an error ("nil pointer evaluating interface {}.X"), both as in Go.
 * Output is capped so a runaway `range` cannot eat the process.
 */
import { TemplateError } from './errors.js';
import { formatValue, GoFloat, goTypeName } from './format.js';
import { FUNCTIONS, FuncError, truth } from './funcs.js';
import type { Arg, Command, ControlNode, Node, ParsedTemplate, Pipeline } from './parser.js';

export const MAX_OUTPUT_CHARS = 1_000_000;
/** Range iterations per execution (nested empty loops produce no output but burn CPU). */
export const MAX_ITERATIONS = 1_000_000;

class BreakSignal {}
class ContinueSignal {}

/** Marks "no final value" when a command is not fed by a pipe. */
const NO_FINAL = Symbol('no-final');

interface Variable {
  name: string;
  value: unknown;
}

export function execute(tpl: ParsedTemplate, data: unknown): string {
  return new Executor(tpl, data).run();
}

function argString(a: Arg): string {
  switch (a.t) {
    case 'field':
      return `.${a.names.join('.')}`;
    case 'dot':
      return '.';
    case 'var':
      return a.name + a.names.map((n) => `.${n}`).join('');
    case 'ident':
      return a.name;
    case 'string':
      return JSON.stringify(a.value);
    case 'number':
      return a.text;
    case 'bool':
      return String(a.value);
    case 'nil':
      return 'nil';
    case 'pipe':
      return `(${pipeString(a.pipe)})`;
    case 'chain':
      return argString(a.node) + a.names.map((n) => `.${n}`).join('');
  }
}

function pipeString(p: Pipeline): string {
  const decl = p.decl.length ? `${p.decl.join(', ')} ${p.isAssign ? '=' : ':='} ` : '';
  return decl + p.cmds.map((c) => c.args.map(argString).join(' ')).join(' | ');
}

class Executor {
  private out = '';
  private iterations = 0;
  private vars: Variable[];

  constructor(
    private readonly tpl: ParsedTemplate,
    private readonly data: unknown,
  ) {
    this.vars = [{ name: '$', value: data }];
  }

  run(): string {
    try {
      this.walkList(this.data, this.tpl.root);
    } catch (err) {
      if (err instanceof BreakSignal || err instanceof ContinueSignal) return this.out; // unreachable: parser forbids
      throw err;
    }
    return this.out;
  }

  private fail(pos: number, at: string, msg: string): never {
    const e = TemplateError.at(this.tpl.name, this.tpl.source, pos, `executing "${this.tpl.name}" at <${at}>: ${msg}`);
    throw e;
  }

  private write(s: string, pos: number): void {
    this.out += s;
    if (this.out.length > MAX_OUTPUT_CHARS) this.fail(pos, '', `output exceeds ${MAX_OUTPUT_CHARS} characters`);
  }

  private walkList(dot: unknown, list: Node[]): void {
    for (const node of list) this.walk(dot, node);
  }

  private walk(dot: unknown, node: Node): void {
    switch (node.t) {
      case 'text':
        this.write(node.text, node.pos);
        return;
      case 'action': {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.write(printable(v), node.pos);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, node.pipe);
        if (truth(v)) this.walkList(node.t === 'with' ? v : dot, node.list);
        else if (node.elseList) this.walkList(dot, node.elseList);
        this.vars.length = mark;
        return;
      }
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  private walkRange(dot: unknown, node: ControlNode): void {
    const mark = this.vars.length;
    const v = this.evalPipeline(dot, node.pipe);
    // The pipeline "declared" its variables with the whole value; range re-binds them per element.
    this.vars.length = mark;
    const entries: Array<[unknown, unknown]> = [];
    if (Array.isArray(v)) for (const [i, e] of v.entries()) entries.push([i, e]);
    else if (v !== null && typeof v === 'object' && !(v instanceof GoFloat)) {
      for (const k of Object.keys(v).sort()) entries.push([k, (v as Record<string, unknown>)[k]]);
    } else if (typeof v === 'number' && Number.isInteger(v)) {
      if (v > MAX_ITERATIONS) this.fail(node.pos, pipeString(node.pipe), 'range count too large');
      for (let i = 0; i < v; i++) entries.push([i, i]);
    } else if (v !== undefined && v !== null) {
      this.fail(node.pos, pipeString(node.pipe), `range can't iterate over ${formatValue(v)}`);
    }
    if (entries.length === 0) {
      if (node.elseList) this.walkList(dot, node.elseList);
      this.vars.length = mark;
      return;
    }
    const decl = node.pipe.decl;
    for (const [key, elem] of entries) {
      if (++this.iterations > MAX_ITERATIONS) this.fail(node.pos, pipeString(node.pipe), 'template runs too long');
      const inner = this.vars.length;
      // Range over an int binds the single variable to the index; otherwise one variable = element.
      if (decl.length === 1) this.vars.push({ name: decl[0], value: elem });
      else if (decl.length === 2) this.vars.push({ name: decl[0], value: key }, { name: decl[1], value: elem });
      try {
        this.walkList(elem, node.list);
      } catch (err) {
        if (err instanceof BreakSignal) {
          this.vars.length = inner;
          break;
        }
        if (!(err instanceof ContinueSignal)) throw err;
      }
      this.vars.length = inner;
    }
    this.vars.length = mark;
  }

  private evalPipeline(dot: unknown, pipe: Pipeline): unknown {
    let value: unknown = NO_FINAL;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value, pipe.pos);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private setVar(name: string, value: unknown, pos: number): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.fail(pos, name, `undefined variable: ${name}`);
  }

  private varValue(name: string, pos: number): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    return this.fail(pos, name, `undefined variable: ${name}`);
  }

  private evalCommand(dot: unknown, cmd: Command, final: unknown): unknown {
    const first = cmd.args[0];
    const hasArgs = cmd.args.length > 1 || final !== NO_FINAL;
    switch (first.t) {
      case 'field':
        if (hasArgs) this.fail(first.pos, argString(first), `${first.names.at(-1)} is not a method but has arguments`);
        return this.fieldChain(dot, first.names, first.pos, argString(first));
      case 'var': {
        if (hasArgs && first.names.length > 0) {
          this.fail(first.pos, argString(first), `${first.names.at(-1)} is not a method but has arguments`);
        }
        if (hasArgs) this.fail(first.pos, argString(first), `can't give argument to non-function ${first.name}`);
        return this.fieldChain(this.varValue(first.name, first.pos), first.names, first.pos, argString(first));
      }
      case 'chain':
        if (hasArgs) this.fail(first.pos, argString(first), `${first.names.at(-1)} is not a method but has arguments`);
        return this.evalArg(dot, first);
      case 'ident':
        return this.call(dot, first, cmd, final);
      case 'nil':
        return this.fail(first.pos, 'nil', 'nil is not a command');
      default:
        if (hasArgs) this.fail(first.pos, argString(first), `can't give argument to non-function ${argString(first)}`);
        return this.evalArg(dot, first);
    }
  }

  private evalArg(dot: unknown, a: Arg): unknown {
    switch (a.t) {
      case 'field':
        return this.fieldChain(dot, a.names, a.pos, argString(a));
      case 'dot':
        return dot;
      case 'var':
        return this.fieldChain(this.varValue(a.name, a.pos), a.names, a.pos, argString(a));
      case 'ident':
        return this.call(dot, a, { pos: a.pos, args: [a] }, NO_FINAL);
      case 'string':
        return a.value;
      case 'number':
        return a.isFloat ? new GoFloat(a.value) : a.value;
      case 'bool':
        return a.value;
      case 'nil':
        return null;
      case 'pipe': {
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, a.pipe);
        this.vars.length = mark;
        return v;
      }
      case 'chain':
        return this.fieldChain(this.evalArg(dot, a.node), a.names, a.pos, argString(a));
    }
  }

  private fieldChain(receiver: unknown, names: string[], pos: number, at: string): unknown {
    let v = receiver;
    for (const name of names) {
      if (v === undefined) return undefined; // Go: fields of a missing value are missing
      if (v === null) this.fail(pos, at, `nil pointer evaluating interface {}.${name}`);
      if (typeof v === 'object' && !Array.isArray(v) && !(v instanceof GoFloat)) {
        v = Object.hasOwn(v as object, name) ? (v as Record<string, unknown>)[name] : undefined;
      } else {
        this.fail(pos, at, `can't evaluate field ${name} in type ${goTypeName(v)}`);
      }
    }
    return v;
  }

  private call(dot: unknown, ident: Extract<Arg, { t: 'ident' }>, cmd: Command, final: unknown): unknown {
    const def = FUNCTIONS[ident.name];
    const argNodes = cmd.args.slice(1);
    const count = argNodes.length + (final === NO_FINAL ? 0 : 1);
    const at = cmd.args.map(argString).join(' ');
    if (count < def.min || (def.max !== undefined && count > def.max)) {
      const want =
        def.max === def.min ? `${def.min}` : def.max === undefined ? `at least ${def.min}` : `${def.min}..${def.max}`;
      this.fail(ident.pos, at, `wrong number of args for ${ident.name}: want ${want} got ${count}`);
    }
    // and / or short-circuit and return the deciding operand, as Go 1.18+ does.
    if (ident.name === 'and' || ident.name === 'or') {
      let v: unknown;
      const all =
        final === NO_FINAL
          ? argNodes.map((n) => () => this.evalArg(dot, n))
          : [...argNodes.map((n) => () => this.evalArg(dot, n)), () => final];
      for (const get of all) {
        v = get();
        if (truth(v) === (ident.name === 'or')) return v;
      }
      return v;
    }
    const args = argNodes.map((n) => this.evalArg(dot, n));
    if (final !== NO_FINAL) args.push(final);
    try {
      return def.fn(args);
    } catch (err) {
      if (err instanceof FuncError) this.fail(ident.pos, at, `error calling ${ident.name}: ${err.message}`);
      throw err;
    }
  }
}

function printable(v: unknown): string {
  if (v === undefined || v === null || v === NO_FINAL) return '<no value>';
  return formatValue(v);
}
