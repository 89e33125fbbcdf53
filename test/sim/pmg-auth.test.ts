/**
 * PMG authentication as PMG does it: tickets only. Pulse's client logs in with user@realm +
 * password, renews the ticket before PMG's 2 h expiry and logs in again after a 401; every way
 * of configuring a node (API add/update, test routes, auto-registration, config import) refuses a
 * token given for PMG with a 400 that says what to use instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../sim/http/strict.js';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { ManualClock } from '../../src/clock.js';
import { ProxmoxClient } from '../../src/proxmox/client.js';
import { importNode } from '../../src/settings/transfer/document.js';
import { api } from '../helpers/http.js';
import { startFastPulse, type TestPulse } from '../helpers/pulse.js';

let sim: Simulator;
let pulse: TestPulse;
const records: RequestRecord[] = [];

beforeAll(async () => {
  sim = await startSimulator({ estate: 'demo', seed: 42 });
  sim.core.onRequest = (r) => records.push(r);
  pulse = await startFastPulse();
});
afterAll(async () => {
  await pulse?.close();
  await sim?.stop();
});

const logins = () => records.filter((r) => r.product === 'pmg' && r.path === '/access/ticket');

describe('Pulse → PMG: tickets', () => {
  it('logs in with a password, renews before the 2 h expiry, and after an expired ticket', async () => {
    const pmg = sim.ready.pmg[0];
    const clock = new ManualClock(Date.now());
    const client = new ProxmoxClient({
      product: 'pmg',
      baseUrl: pmg.url,
      fingerprint: pmg.fingerprint,
      verifySSL: false,
      timeoutMs: 5000,
      username: pmg.user,
      password: pmg.password,
      clock,
    });
    try {
      const before = logins().length;
      await client.get('/version');
      await client.get('/statistics/mail');
      expect(logins().length - before).toBe(1);

      // 95 minutes later (simulated on both sides) the ticket is still valid on PMG, but Pulse
      // renews it ahead of the 2 h expiry instead of waiting for a refusal.
      clock.advance(95 * 60_000);
      await fetch(`${sim.controlUrl}/clock/advance`, { method: 'POST', body: JSON.stringify({ seconds: 95 * 60 }) });
      const beforeRenewal = records.length;
      await client.get('/version');
      const renewal = records.slice(beforeRenewal);
      expect(renewal.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        'POST /access/ticket 200',
        'GET /version 200',
      ]);

      // PMG forgets the ticket (expired on its side): one 401, a new login, the retry succeeds.
      await fetch(`${sim.controlUrl}/auth/expire-tickets`, {
        method: 'POST',
        body: JSON.stringify({ target: pmg.name }),
      });
      const beforeExpiry = records.length;
      await expect(client.get('/version')).resolves.toMatchObject({ version: expect.any(String) });
      expect(records.slice(beforeExpiry).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        'GET /version 401',
        'POST /access/ticket 200',
        'GET /version 200',
      ]);
      // Never a token header: no request of this client was refused for one.
      expect(records.filter((r) => r.product === 'pmg' && r.status === 401 && r.message !== 'invalid ticket')).toEqual(
        [],
      );
    } finally {
      await client.close();
    }
  });
});

describe('a token given for PMG is refused with the reason, everywhere a node is configured', () => {
  const NO_TOKENS = /PMG has no API tokens; use user@realm and password/;

  it('POST/PUT /api/config/nodes and the test routes: 400', async () => {
    const pmg = sim.ready.pmg[0];
    const token = { tokenName: 'root@pam!pulse', tokenValue: '5f1c3a0e-0000-4000-a000-000000000000' };
    for (const path of ['/api/config/nodes', '/api/config/nodes/test-connection', '/api/config/nodes/test-config']) {
      const r = await api(pulse.url, 'POST', path, { type: 'pmg', name: pmg.name, host: pmg.url, ...token });
      expect(r.status, path).toBe(400);
      expect(r.body.error, path).toMatch(NO_TOKENS);
      expect(JSON.stringify(r.body)).not.toContain(token.tokenValue);
    }
    const added = await api(pulse.url, 'POST', '/api/config/nodes', {
      type: 'pmg',
      name: pmg.name,
      host: pmg.url,
      user: pmg.user,
      password: pmg.password,
      fingerprint: pmg.fingerprint,
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const put = await api(pulse.url, 'PUT', '/api/config/nodes/pmg-0', token);
    expect(put.status).toBe(400);
    expect(put.body.error).toMatch(NO_TOKENS);
    // With the password the node polls: PMG shows up in the state.
    await pulse.deps.monitoring.nextCycle();
    const state = await api(pulse.url, 'GET', '/api/state');
    expect(state.body.pmg.map((p: { name: string }) => p.name)).toContain(pmg.name);
  });

  it('auto-registration and config import: 400 / a named import error', async () => {
    const r = await api(pulse.url, 'POST', '/api/auto-register', {
      type: 'pmg',
      host: 'https://mx.example:8006',
      tokenId: 'pulse-monitor@pmg!pulse',
      tokenValue: 'abc',
      setupCode: 'ABC123',
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(NO_TOKENS);
    expect(() =>
      importNode(
        'pmg',
        { Name: 'mx', Host: 'https://mx.example:8006', TokenName: 'root@pam!x', TokenValue: 's' },
        'pmg[0]',
      ),
    ).toThrow(NO_TOKENS);
  });
});
