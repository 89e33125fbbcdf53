/**
 * Schema validation through a real Fastify instance with the app's formatter and error mapping,
 * and the response serialiser: never drops a field, and in strict mode refuses a reply that
 * contradicts its schema.
 */
import Fastify from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toErrorReply } from '../../src/http/errors.js';
import {
  ResponseSchemaError,
  responseSerializer,
  schemaErrorFormatter,
  validatorCompiler,
} from '../../src/http/validation.js';

describe('request validation errors', () => {
  const app = Fastify({ schemaErrorFormatter });
  beforeAll(async () => {
    app.setValidatorCompiler(validatorCompiler());
    app.setErrorHandler((err, _req, reply) => {
      const out = toErrorReply(err);
      return reply.status(out.statusCode).send(out.body);
    });
    const body = Type.Object({
      host: Type.String({ minLength: 1 }),
      port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
      kind: Type.Optional(Type.Union([Type.Literal('pve'), Type.Literal('pbs')])),
      tags: Type.Optional(Type.Array(Type.Object({ name: Type.String() }))),
    });
    const querystring = Type.Object({ limit: Type.Optional(Type.Integer()) });
    app.post('/x/:id', { schema: { body, querystring, params: Type.Object({ id: Type.Integer() }) } }, async (req) => ({
      query: req.query,
    }));
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (payload: unknown, id = '1') =>
    app.inject({ method: 'POST', url: `/x/${id}`, payload: payload as object });

  it('names a missing field', async () => {
    const res = await post({});
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'body.host is required', field: 'host' });
  });

  it('names a field of the wrong type, nested ones with their path', async () => {
    expect((await post({ host: 'a', port: 'x' })).json()).toEqual({
      error: 'body.port must be integer',
      field: 'port',
    });
    expect((await post({ host: 'a', tags: [{}] })).json().error).toBe('body.tags[0].name is required');
    expect((await post({ host: 'a', port: 70000 })).json().error).toBe('body.port must be <= 65535');
  });

  it('names path parameters', async () => {
    const res = await post({ host: 'a' }, 'abc');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('path.id must be integer');
  });

  it('takes numbers in the query string as numbers, but never guesses types in a JSON body', async () => {
    const ok = await app.inject({ method: 'POST', url: '/x/1?limit=5', payload: { host: 'a' } });
    expect(ok.json()).toEqual({ query: { limit: 5 } });
    expect((await post({ host: 'a', port: '8006' })).json().error).toBe('body.port must be integer');
    expect((await post({ host: 7 })).json().error).toBe('body.host must be string');
  });

  it('passes valid input', async () => {
    expect((await post({ host: 'a', port: 8006, kind: 'pve' })).statusCode).toBe(200);
  });
});

describe('response serialiser', () => {
  const schema = Type.Object({ a: Type.Integer(), b: Type.Optional(Type.String()) });
  const route = { schema, method: 'GET', url: '/y', httpStatus: '200' };

  it('keeps fields the schema does not mention', () => {
    expect(responseSerializer(false)(route)({ a: 1, extra: true })).toBe('{"a":1,"extra":true}');
    expect(responseSerializer(true)(route)({ a: 1, extra: true })).toBe('{"a":1,"extra":true}');
  });

  it('in strict mode refuses a reply that contradicts its schema, naming the field', () => {
    const serialise = responseSerializer(true)(route);
    expect(() => serialise({ a: 'one' })).toThrow(ResponseSchemaError);
    expect(() => serialise({ a: 'one' })).toThrow(/GET \/y \(200\).*\/a/);
    expect(() => serialise({ b: 'x' })).toThrow(ResponseSchemaError);
  });

  it('outside strict mode writes whatever the handler returns', () => {
    expect(responseSerializer(false)(route)({ a: 'one' })).toBe('{"a":"one"}');
  });
});
