import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { conforming, schemaProblem } from './schema-check.js';

const Body = Type.Object({
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  nodes: Type.Optional(Type.Array(Type.Object({ host: Type.String() }))),
});

describe('schemaProblem', () => {
  it('names the field as request validation does, with the rule apart', () => {
    expect(schemaProblem(Body, { port: 70000 })).toEqual({ field: 'port', rule: 'must be <= 65535' });
    expect(schemaProblem(Body, { nodes: [{ host: 'a' }, {}] })).toEqual({
      field: 'nodes[1].host',
      rule: 'is required',
    });
    expect(schemaProblem(Body, 'text')).toEqual({ field: 'body', rule: 'must be object' });
    expect(schemaProblem(Body, { port: 8006 })).toBeUndefined();
  });

  it('does not coerce: a number sent as text is refused, as in a JSON body', () => {
    expect(schemaProblem(Body, { port: '8006' })).toEqual({ field: 'port', rule: 'must be integer' });
  });
});

describe('conforming', () => {
  it('returns the value when it conforms and throws what the caller makes of the problem otherwise', () => {
    const value = { port: 443 };
    expect(conforming(Body, value, () => new Error('unused'))).toBe(value);
    expect(() => conforming(Body, { port: 0 }, (p) => new RangeError(`${p.field}: ${p.rule}`))).toThrow(
      new RangeError('port: must be >= 1'),
    );
  });
});
