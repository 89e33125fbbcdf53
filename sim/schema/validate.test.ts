import { describe, expect, it } from 'vitest';
import { methodDef } from './apidata.js';
import { validate } from './validate.js';

describe('Proxmox-dialect validator', () => {
  const schema = {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: '[a-z]+/\\d+' },
      count: { type: 'integer', minimum: 0 },
      ratio: { type: 'number', optional: 1 },
      on: { type: 'boolean', optional: 1 },
      kind: { type: 'string', enum: ['a', 'b'], optional: 1 },
      list: { type: 'array', items: { type: 'integer' }, optional: 1 },
    },
  };

  it('accepts a valid object, 0/1 booleans and extra properties (additionalProperties absent)', () => {
    expect(validate(schema, { id: 'qemu/100', count: 3, on: 1, extra: 'x' })).toEqual([]);
    expect(validate(schema, { id: 'qemu/100', count: 3, on: true, list: [1, 2] })).toEqual([]);
  });

  it('reports missing required properties, wrong types, enum, pattern and minimum violations', () => {
    const issues = validate(schema, { count: 1.5, on: 2, kind: 'c', list: [1, 'x'] }).map((i) => i.path);
    expect(issues).toEqual(['$.id', '$.count', '$.on', '$.kind', '$.list[1]']);
    expect(validate(schema, { id: 'QEMU', count: -1 }).map((i) => i.message)).toEqual([
      'value "QEMU" does not match [a-z]+/\\d+',
      '-1 < minimum 0',
    ]);
  });

  it('numeric strings pass integer/number only in Perl mode (PVE, PMG)', () => {
    expect(validate(schema, { id: 'a/1', count: '25' }, { perlNumbers: true })).toEqual([]);
    expect(validate(schema, { id: 'a/1', count: '25' })).toHaveLength(1);
    expect(validate(schema, { id: 'a/1', count: '' }, { perlNumbers: true })).toHaveLength(1);
  });

  it('additionalProperties 0/false forbids extras; PBS /-delimited patterns with POSIX classes work', () => {
    const closed = {
      type: 'object',
      additionalProperties: false,
      properties: { c: { type: 'string', pattern: '/^[[:^cntrl:]]*$/' } },
    };
    expect(validate(closed, { c: 'fine text' })).toEqual([]);
    expect(validate(closed, { c: 'bad\u0001' })).toHaveLength(1);
    expect(validate(closed, { c: 'x', d: 1 }).map((i) => i.message)).toEqual(['additional property not allowed']);
  });

  it('a real schema rejects a wrong /cluster/resources entry', () => {
    const returns = methodDef('pve', '/cluster/resources', 'GET')!.returns;
    expect(validate(returns, [{ id: 'qemu/100', type: 'qemu', vmid: 100, cpu: 0.1 }])).toEqual([]);
    expect(validate(returns, [{ id: 'qemu/100', type: 'vm' }])).toHaveLength(1);
    expect(validate(returns, [{ type: 'qemu', vmid: 'x' }], { perlNumbers: true })).toHaveLength(2);
  });
});
