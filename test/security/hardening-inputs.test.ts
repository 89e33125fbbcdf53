/**
 * Issue 22 item 11: node hosts must be host names or addresses with a valid port, and allowed
 * origins must be origins. Junk is refused with a 400 naming the field, and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostnameProblem, nodeHostProblem, parseOriginList } from '../../src/settings/input-validation.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';

const TOKEN = '4'.repeat(64);
const JUNK_HOSTS = [
  'true',
  'nan',
  'NaN',
  '-1',
  '1e400',
  'Infinity',
  '😀',
  'pve:0',
  'pve:70000',
  'pve:abc',
  '1',
  'a_b',
  '[zz]',
];
const GOOD_HOSTS = ['pve', 'pve.lan', 'https://pve.example.com:8006', '192.168.1.5', '10.0.0.1:8006', '[fd00::5]:8006'];

describe('host and origin syntax', () => {
  it('refuses the probe’s junk hosts and accepts real ones', () => {
    for (const h of JUNK_HOSTS) expect(nodeHostProblem(h), h).toBeTypeOf('string');
    for (const h of GOOD_HOSTS) expect(nodeHostProblem(h), h).toBeUndefined();
    expect(hostnameProblem('xn--e28h.example')).toBeUndefined();
  });

  it('normalises origins and refuses anything else', () => {
    expect(parseOriginList(' https://a.example , http://b.example:8080/ ,*')).toBe(
      'https://a.example,http://b.example:8080,*',
    );
    for (const bad of [
      'any text',
      'https://a.example/path',
      'ftp://a.example',
      'https://u:p@a.example',
      'https://true',
    ]) {
      expect(() => parseOriginList(bad), bad).toThrow();
    }
  });
});

describe('over HTTP', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { API_TOKENS: TOKEN } });
  });
  afterAll(() => pulse.close());

  const call = (method: string, path: string, body: unknown) =>
    fetch(pulse.url + path, {
      method,
      headers: { 'x-api-token': TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('a node with a junk host is refused and not stored', async () => {
    for (const host of JUNK_HOSTS) {
      const res = await call('POST', '/api/config/nodes', {
        type: 'pve',
        name: `n-${JUNK_HOSTS.indexOf(host)}`,
        host,
        tokenName: 'root@pam!pulse',
        tokenValue: 'x',
      });
      expect(res.status, host).toBe(400);
      expect((await res.json()).error, host).toMatch(/host/);
    }
    // JSON non-strings are refused too.
    for (const host of [true, Number.MAX_VALUE, -1]) {
      const res = await call('POST', '/api/config/nodes', { type: 'pve', host, tokenName: 'a@pam!b', tokenValue: 'x' });
      expect(res.status).toBe(400);
    }
    const nodes = await (await fetch(`${pulse.url}/api/config/nodes`, { headers: { 'x-api-token': TOKEN } })).json();
    expect(nodes).toEqual([]);
  });

  it('allowedOrigins must be origins', async () => {
    const bad = await call('PUT', '/api/config/system', { allowedOrigins: 'any text at all' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/allowedOrigins/);
    const ok = await call('PUT', '/api/config/system', { allowedOrigins: 'https://dash.example/' });
    expect(ok.status).toBe(200);
    const sys = await (await fetch(`${pulse.url}/api/config/system`, { headers: { 'x-api-token': TOKEN } })).json();
    expect(sys.allowedOrigins).toBe('https://dash.example');
  });
});
