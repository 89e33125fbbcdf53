/**
 * Route schemas at work: request validation errors turned into `{"error": …, "field": …}` that
 * name the field, and response serialisation that never drops a field a schema forgot. With
 * `strictResponses` (tests), every reply is checked against its route's response schema, so a
 * schema that disagrees with what the handler really sends fails the test that exercised it.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaValidationError, FastifyServerOptions } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

export function makeAjv(coerceTypes: false | 'array'): Ajv {
  // Fastify's own defaults, with coercion chosen per part of the request.
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: true, allErrors: false, strict: false });
  addFormats.default(ajv);
  return ajv;
}

/**
 * Query strings, path parameters and headers arrive as text, so `?range=60` becomes 60; a JSON body
 * is typed already, and a number where text belongs (or "true" for a boolean) is the client's
 * mistake to be told about, not guessed at.
 *
 * A route's validator is compiled on its first request, not at start: a typical run calls few of
 * the routes, and compiling all of them at start kept about 4 MB more resident.
 */
export function validatorCompiler(): (route: {
  schema: FastifySchema;
  httpPart?: string;
}) => (data: unknown) => true | { value: unknown } | { error: ErrorObject[] } {
  const text = makeAjv('array');
  const json = makeAjv(false);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? json : text;
    let compiled: ValidateFunction | undefined;
    // Fastify's result contract for a validator of its own: `{ error }` fails the request part,
    // `{ value }` replaces it (ajv coerces a root value into the parent it is given).
    return (data) => {
      compiled ??= ajv.compile(schema as object);
      const holder = { value: data };
      const cxt = {
        instancePath: '',
        parentData: holder,
        parentDataProperty: 'value',
        rootData: data as object,
        dynamicAnchors: {},
      };
      if (!compiled(data, cxt)) return { error: compiled.errors ?? [] };
      return holder.value === data ? true : holder;
    };
  };
}

type ValidationContext = 'body' | 'querystring' | 'params' | 'headers' | string;

const CONTEXT_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/** `/nodes/0/host` → `nodes[0].host`. */
function fieldPath(instancePath: string): string {
  let out = '';
  for (const part of instancePath.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out ? `.${key}` : key;
  }
  return out;
}

/** The first problem of a failed validation as a sentence that names the field (and its parts). */
export function describeValidation(
  errors: FastifySchemaValidationError[],
  context: ValidationContext,
): { message: string; field: string; rule: string } {
  const e = errors[0];
  const params = (e?.params ?? {}) as Record<string, unknown>;
  let field = fieldPath(e?.instancePath ?? '');
  let rule = e?.message ?? 'is invalid';
  switch (e?.keyword) {
    case 'required':
      field = [field, String(params.missingProperty)].filter(Boolean).join('.');
      rule = 'is required';
      break;
    case 'additionalProperties':
      field = [field, String(params.additionalProperty)].filter(Boolean).join('.');
      rule = 'is not a known field';
      break;
    case 'enum':
      rule = `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
      break;
    case 'type':
      rule = `must be ${String(params.type).replace(',', ' or ')}`;
      break;
  }
  const where = CONTEXT_NAMES[context] ?? context;
  return { message: field ? `${where}.${field} ${rule}` : `${where} ${rule}`, field, rule };
}

/**
 * Fastify keeps the ajv error list on the error it throws; the app's error handler turns it into
 * our shape through describeValidation.
 */
export const schemaErrorFormatter: FastifyServerOptions['schemaErrorFormatter'] = (errors, context) => {
  const { message, field } = describeValidation(errors, context);
  return Object.assign(new Error(message), { field });
};

export class ResponseSchemaError extends Error {
  constructor(route: string, status: number | string, detail: string) {
    super(`reply of ${route} (${status}) does not match its response schema: ${detail}`);
    this.name = 'ResponseSchemaError';
  }
}

/**
 * Replies are written with JSON.stringify rather than a schema-driven serialiser: a response
 * schema documents and (in strict mode) checks the reply, but can never silently drop a field.
 */
export function responseSerializer(strict: boolean) {
  return ({
    schema,
    method,
    url,
    httpStatus,
  }: {
    schema: unknown;
    method: string;
    url: string;
    httpStatus?: string;
  }) => {
    if (!strict) return (data: unknown) => JSON.stringify(data);
    const check = Compile(schema as TSchema);
    return (data: unknown) => {
      // Round-trip first, so the check sees what the client will parse (dates as strings, no undefined).
      const json = JSON.stringify(data);
      const parsed = json === undefined ? undefined : JSON.parse(json);
      if (!check.Check(parsed)) {
        const first = check.Errors(parsed)[0];
        const where = first ? `${first.instancePath || '/'} ${first.message}` : 'mismatch';
        throw new ResponseSchemaError(`${method} ${url}`, httpStatus ?? '?', where);
      }
      return json;
    };
  };
}
