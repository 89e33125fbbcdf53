/**
 * Schema validation through a real Fastify instance with the app's formatter and error mapping,
 * and the response serialiser: never drops a field, and in strict mode refuses a reply that
 * contradicts its schema.
 */
import { Ajv } from 'ajv';
import Fastify from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

describe('validator compilation', () => {
  it("compiles a route's validator on its first request, once, not when the app starts", async () => {
    const compile = vi.spyOn(Ajv.prototype, 'compile');
    const app = Fastify({ schemaErrorFormatter });
    try {
      app.setValidatorCompiler(validatorCompiler());
      const querystring = Type.Object({ n: Type.Integer() });
      app.get('/used', { schema: { querystring } }, async (req) => req.query);
      app.get('/unused', { schema: { querystring: Type.Object({ m: Type.Integer() }) } }, async () => ({}));
      await app.ready();
      expect(compile).not.toHaveBeenCalled();
      expect((await app.inject('/used?n=2')).json()).toEqual({ n: 2 });
      expect((await app.inject('/used?n=x')).statusCode).toBe(400);
      expect(compile).toHaveBeenCalledTimes(1);
      expect(compile).toHaveBeenCalledWith(querystring);
    } finally {
      compile.mockRestore();
      await app.close();
    }
  });

  it('applies defaults, coercion and the removal of unknown keys through the lazily compiled validator', async () => {
    const app = Fastify({ schemaErrorFormatter });
    try {
      app.setValidatorCompiler(validatorCompiler());
      const querystring = Type.Object(
        { k: Type.Integer({ default: 5 }), list: Type.Optional(Type.Array(Type.Integer())) },
        { additionalProperties: false },
      );
      app.setErrorHandler((err, _req, reply) => {
        const out = toErrorReply(err);
        return reply.status(out.statusCode).send(out.body);
      });
      app.get('/q', { schema: { querystring } }, async (req) => req.query);
      expect((await app.inject('/q?extra=1')).json()).toEqual({ k: 5 });
      expect((await app.inject('/q?k=7&list=3')).json()).toEqual({ k: 7, list: [3] });
      const bad = await app.inject('/q?k=seven');
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ field: 'k' });
    } finally {
      await app.close();
    }
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
