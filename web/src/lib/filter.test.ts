import { describe, expect, it } from 'vitest';
import { type FilterSubject, matchesFilter, parseFilter } from './filter';

const base: FilterSubject = {
  name: 'web-01',
  vmid: 101,
  node: 'pve1',
  status: 'running',
  type: 'qemu',
  tags: ['prod', 'web'],
  cpu: 85,
  mem: 40,
  disk: 70,
  uptime: 7200,
  os: 'Debian GNU/Linux 12',
  ips: ['10.0.0.5'],
};
const db: FilterSubject = {
  ...base,
  name: 'db',
  vmid: 200,
  node: 'pve10',
  status: 'stopped',
  type: 'lxc',
  tags: ['test'],
  cpu: 0,
  mem: 0,
  disk: 20,
  uptime: 0,
  os: undefined,
  ips: [],
};

const pick = (q: string) => [base, db].filter((s) => matchesFilter(parseFilter(q), s)).map((s) => s.name);

describe('parseFilter', () => {
  it('parses numeric conditions with every operator', () => {
    expect(parseFilter('cpu>80 mem>=50 disk<10 vmid=101 uptime<=2h').terms).toEqual([
      { kind: 'number', field: 'cpu', op: '>', value: 80, negate: false },
      { kind: 'number', field: 'mem', op: '>=', value: 50, negate: false },
      { kind: 'number', field: 'disk', op: '<', value: 10, negate: false },
      { kind: 'number', field: 'vmid', op: '=', value: 101, negate: false },
      { kind: 'number', field: 'uptime', op: '<=', value: 7200, negate: false },
    ]);
  });

  it('parses text, quoted text, string conditions and negation', () => {
    expect(parseFilter('Web "two words" tags:prod,DB -status:stopped type:vm').terms).toEqual([
      { kind: 'text', value: 'web', negate: false },
      { kind: 'text', value: 'two words', negate: false },
      { kind: 'string', field: 'tags', values: ['prod', 'db'], negate: false },
      { kind: 'string', field: 'status', values: ['stopped'], negate: true },
      { kind: 'string', field: 'type', values: ['qemu'], negate: false },
    ]);
  });

  it('reports bad terms in words and keeps the good ones', () => {
    const f = parseFilter('cpu>abc colour:red name> tags>1 mem>5');
    expect(f.terms).toEqual([{ kind: 'number', field: 'mem', op: '>', value: 5, negate: false }]);
    expect(f.errors).toHaveLength(4);
    expect(f.errors[0]).toMatch(/not a number for cpu/);
    expect(f.errors[1]).toMatch(/Unknown field "colour"/);
    expect(f.errors[2]).toMatch(/needs a value/);
    expect(f.errors[3]).toMatch(/compares text/);
  });

  it('accepts percent signs and aliases', () => {
    expect(parseFilter('memory>50%').terms[0]).toMatchObject({ field: 'mem', value: 50 });
    expect(parseFilter('tag:x').terms[0]).toMatchObject({ field: 'tags' });
  });
});

describe('matchesFilter', () => {
  it('empty filter matches everything', () => expect(pick('')).toEqual(['web-01', 'db']));
  it('cpu>80', () => expect(pick('cpu>80')).toEqual(['web-01']));
  it('cpu>85 is strict', () => expect(pick('cpu>85')).toEqual([]));
  it('mem<10', () => expect(pick('mem<10')).toEqual(['db']));
  it('tags exact, case-insensitive, either of a list', () => {
    expect(pick('tags:PROD')).toEqual(['web-01']);
    expect(pick('tags:pro')).toEqual([]);
    expect(pick('tags:test,web')).toEqual(['web-01', 'db']);
  });
  it('status and negation', () => {
    expect(pick('status:stopped')).toEqual(['db']);
    expect(pick('-status:stopped')).toEqual(['web-01']);
    expect(pick('status!=stopped')).toEqual(['web-01']);
  });
  it('node is exact (pve1 does not match pve10)', () => expect(pick('node:pve1')).toEqual(['web-01']));
  it('free text over name, vmid, node, tags, os and ip', () => {
    expect(pick('200')).toEqual(['db']);
    expect(pick('debian')).toEqual(['web-01']);
    expect(pick('10.0.0')).toEqual(['web-01']);
    expect(pick('pve10')).toEqual(['db']);
    expect(pick('!web')).toEqual(['db']);
  });
  it('all terms must hold', () => {
    expect(pick('cpu>80 tags:test')).toEqual([]);
    expect(pick('type:ct disk>=20')).toEqual(['db']);
  });
  it('uptime with units', () => {
    expect(pick('uptime>1h')).toEqual(['web-01']);
    expect(pick('uptime>3h')).toEqual([]);
  });
});
