/**
 * A route's body schema applied where no request is involved: config import, auto-registration,
 * and the domain validators the routes call. Same ajv settings (JSON bodies are not coerced) and
 * the same wording as request validation, so a limit declared once in src/schemas/ holds on every
 * path that accepts the value, and the hand-written validators keep only what a schema cannot say.
 * As for a request, a `default` a schema declares is filled in and, where a schema says
 * `additionalProperties: false`, unknown fields are dropped (none of the body schemas do either).
 */
import type { ValidateFunction } from 'ajv';
import type { FastifySchemaValidationError } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { describeValidation, makeAjv } from './validation.js';

/** What is wrong: the field (`headers.X-Y`, `nodes[0].host`; `body` for the value itself) and the rule it breaks. */
export interface SchemaProblem {
  field: string;
  rule: string;
}

const ajv = makeAjv(false);
// Schemas are module constants, so each is compiled once, on first use.
const compiled = new WeakMap<TSchema, ValidateFunction>();

function validator(schema: TSchema): ValidateFunction {
  let check = compiled.get(schema);
  if (!check) {
    check = ajv.compile(schema as object);
    compiled.set(schema, check);
  }
  return check;
}

/** The first way `value` breaks `schema`, or undefined when it conforms. */
export function schemaProblem(schema: TSchema, value: unknown): SchemaProblem | undefined {
  const check = validator(schema);
  if (check(value)) return undefined;
  const { field, rule } = describeValidation((check.errors ?? []) as FastifySchemaValidationError[], 'body');
  return { field: field || 'body', rule };
}

/** `value` typed as the schema says, or the error `refuse` makes of its first problem. */
export function conforming<T extends TSchema>(
  schema: T,
  value: unknown,
  refuse: (problem: SchemaProblem) => Error,
): Static<T> {
  const problem = schemaProblem(schema, value);
  if (problem) throw refuse(problem);
  return value as Static<T>;
}
