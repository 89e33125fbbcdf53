/**
 * A Go `text/template` subset renderer (see parser.ts for the grammar, funcs.ts for the functions).
 *
 *   const t = compileTemplate('{{if eq .Level "critical"}}🔥{{end}} {{.Message}}', 'webhook');
 *   t.execute({ Level: 'critical', Message: 'CPU at 95%' });
 *
 * Both compiling and executing throw TemplateError with the line and column of the problem.
 */
import { execute } from './exec.js';
import { FUNCTION_NAMES } from './funcs.js';
import { type ParsedTemplate, parseTemplate } from './parser.js';

export { TemplateError } from './errors.js';
export { GoFloat, sprintf } from './format.js';
export { jsonEscape, pathEscape, queryEscape, title } from './funcs.js';

export interface CompiledTemplate {
  readonly name: string;
  execute(data: unknown): string;
}

export function compileTemplate(source: string, name = 'template'): CompiledTemplate {
  const parsed: ParsedTemplate = parseTemplate(source, FUNCTION_NAMES, name);
  return { name, execute: (data: unknown) => execute(parsed, data) };
}

export function renderTemplate(source: string, data: unknown, name = 'template'): string {
  return compileTemplate(source, name).execute(data);
}
