/**
 * Errors of the template renderer. Parse errors and execution errors both name the position
 * (1-based line and column) so a user editing a webhook template can find the mistake.
 * The message format follows Go's: `template: <name>:<line>:<col>: <what>`.
 */
export function position(src: string, pos: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < src.length; i++) {
    if (src[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: pos - lineStart + 1 };
}

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
    /** The bare reason, without the `template: name:line:col:` prefix. */
    readonly reason: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }

  static at(name: string, src: string, pos: number, reason: string): TemplateError {
    const { line, col } = position(src, pos);
    return new TemplateError(`template: ${name}:${line}:${col}: ${reason}`, line, col, reason);
  }
}
