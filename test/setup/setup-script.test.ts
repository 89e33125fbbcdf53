/**
 * Setup codes, the setup script and auto-registration against a real Pulse and the simulator:
 * url → script → auto-register with the code adds the node, which then polls the simulator.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { api } from '../helpers/http.js';
import { startTestPulse, tempDir } from '../helpers/pulse.js';
import { TestWsClient } from '../ws/client.js';

const TOKEN = 'a1'.repeat(32);

describe('setup script and auto-register', () => {
  let sim: Simulator;
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  const call = (method: string, p: string, body?: unknown, token?: string) =>
    api(pulse.url, method, p, body, token ? { 'x-api-token': token } : {});

  beforeAll(async () => {
    sim = await startSimulator({ estate: 'small', seed: 7, port: 0 });
    pulse = await startTestPulse({ env: { API_TOKENS: TOKEN } });
  });
  afterAll(async () => {
    await pulse?.close();
    await sim?.stop();
  });

  it('setup-script-url needs credentials and validates its input', async () => {
    expect((await call('POST', '/api/setup-script-url', { type: 'pve' })).status).toBe(401);
    const bad = await call('POST', '/api/setup-script-url', { type: 'xyz' }, TOKEN);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/type/);
    const badHost = await call('POST', '/api/setup-script-url', { type: 'pve', host: 'ftp://x' }, TOKEN);
    expect(badHost.status).toBe(400);
  });

  it('url → script → auto-register with the code adds the node; the code works once', async () => {
    const pve = sim.ready.pve[0];
    const before = Math.floor(Date.now() / 1000);
    const issued = await call(
      'POST',
      '/api/setup-script-url',
      { type: 'pve', host: pve.url, backupPerms: true },
      TOKEN,
    );
    expect(issued.status).toBe(200);
    const { url, command, setupCode, expires } = issued.body;
    expect(setupCode).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}$/);
    expect(expires).toBeGreaterThanOrEqual(before + 299);
    expect(expires).toBeLessThanOrEqual(before + 302);
    expect(url).toContain('/api/setup-script?type=pve');
    expect(url).not.toContain(setupCode);
    expect(command).toBe(`curl -sSL "${url}" | bash`);

    // The script is public (no token) and carries no secret of its own.
    const plain = await fetch(url);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toContain('text/plain');
    expect(plain.headers.get('content-disposition')).toBe('attachment; filename="pulse-setup-pve.sh"');
    const script = await plain.text();
    expect(script.startsWith('#!/usr/bin/env bash')).toBe(true);
    for (const s of ['pveum user add', 'pulse-monitor@pam', 'PVEAuditor', '--privsep 0', 'PVEDatastoreAdmin']) {
      expect(script).toContain(s);
    }
    expect(script).toContain(`PULSE_URL='${pulse.url}'`);
    expect(script).toContain("EMBEDDED_CODE=''");
    expect(script).toContain('/api/auto-register');

    // A URL with the code embedded gives a script that uses it; bash accepts the syntax.
    const withCode = await (await fetch(`${url}&auth_token=${setupCode}`)).text();
    expect(withCode).toContain(`EMBEDDED_CODE='${setupCode}'`);
    const file = path.join(tempDir('pulse-script-'), 'setup.sh');
    fs.writeFileSync(file, withCode);
    const check = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);

    const ws = await TestWsClient.open(`${pulse.url.replace('http', 'ws')}/ws?token=${TOKEN}`);
    try {
      const body = {
        type: 'pve',
        host: pve.url,
        serverName: 'sim-standalone',
        tokenId: pve.tokenId,
        tokenValue: pve.tokenSecret,
      };
      // Neither a code nor a token: refused, whatever the body says.
      const none = await call('POST', '/api/auto-register', body);
      expect(none.status).toBe(401);
      const wrong = await call('POST', '/api/auto-register', { ...body, setupCode: 'ZZZZZZ' });
      expect(wrong.status).toBe(401);
      expect(pulse.deps.monitoring.nodes.list()).toHaveLength(0);

      const ok = await call('POST', '/api/auto-register', { ...body, setupCode: setupCode.toLowerCase() });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ status: 'success', nodeId: pve.url.replace(/\/$/, ''), action: 'created' });
      const nodes = pulse.deps.monitoring.nodes.list();
      expect(nodes).toHaveLength(1);
      expect(nodes[0]).toMatchObject({ type: 'pve', name: 'sim-standalone', tokenName: pve.tokenId });

      const [msg] = await ws.waitFor('node_auto_registered');
      expect(msg.data).toMatchObject({
        type: 'pve',
        name: 'sim-standalone',
        tokenId: pve.tokenId,
        hasToken: true,
        verifySSL: false,
      });
      expect(JSON.stringify(msg.data)).not.toContain(pve.tokenSecret);
      expect((msg as unknown as { timestamp: string }).timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);

      // The node is polled for real: the simulator's node shows up in the state.
      await pulse.deps.monitoring.pollNow();
      expect(pulse.deps.monitoring.status(nodes[0].uid)?.connected).toBe(true);
      expect(pulse.deps.state.get().nodes.length).toBeGreaterThan(0);

      // Single use.
      const again = await call('POST', '/api/auto-register', { ...body, setupCode });
      expect(again.status).toBe(401);
      expect(again.body.error).toMatch(/invalid or expired/i);

      // An API token is the other accepted proof; the same host is updated, not duplicated.
      const viaToken = await call('POST', '/api/auto-register', body, TOKEN);
      expect(viaToken.status).toBe(200);
      expect(viaToken.body.action).toBe('updated');
      expect(pulse.deps.monitoring.nodes.list()).toHaveLength(1);
    } finally {
      ws.ws.close();
    }
  });

  it('a code is bound to its node type and host', async () => {
    const pve = sim.ready.pve[0];
    const pbs = sim.ready.pbs[0];
    const issued = await call('POST', '/api/setup-script-url', { type: 'pbs', host: pbs.url }, TOKEN);
    const body = { type: 'pve', host: pve.url, tokenId: pve.tokenId, tokenValue: pve.tokenSecret };
    const mismatch = await call('POST', '/api/auto-register', { ...body, setupCode: issued.body.setupCode });
    expect(mismatch.status).toBe(401);
    expect(mismatch.body.error).toMatch(/another node type or host/);
    // A bad body does not burn the code.
    const invalid = await call('POST', '/api/auto-register', { type: 'pbs', setupCode: issued.body.setupCode });
    expect(invalid.status).toBe(400);
    const ok = await call('POST', '/api/auto-register', {
      type: 'pbs',
      host: pbs.url,
      serverName: 'backup',
      tokenId: pbs.tokenId,
      tokenValue: pbs.tokenSecret,
      setupCode: issued.body.setupCode,
    });
    expect(ok.status).toBe(200);
    expect(pulse.deps.monitoring.nodes.list('pbs')).toHaveLength(1);
  });

  it('PBS and PMG scripts use their own tools; bad parameters are 400', async () => {
    const pbs = await (await fetch(`${pulse.url}/api/setup-script?type=pbs&host=10.0.0.5`)).text();
    expect(pbs).toContain('proxmox-backup-manager user generate-token');
    expect(pbs).toContain("NODE_HOST='https://10.0.0.5:8007'");
    const pmg = await (await fetch(`${pulse.url}/api/setup-script?type=pmg`)).text();
    expect(pmg).toContain('pmgsh create /access/users');
    expect((await fetch(`${pulse.url}/api/setup-script`)).status).toBe(400);
    expect((await fetch(`${pulse.url}/api/setup-script?type=pve&pulse_url=javascript:x`)).status).toBe(400);
    expect((await fetch(`${pulse.url}/api/setup-script?type=pve&auth_token=$(reboot)`)).status).toBe(400);
  });

  it('test-notification sends a sample node_auto_registered message', async () => {
    expect((await call('POST', '/api/test-notification')).status).toBe(401);
    const ws = await TestWsClient.open(`${pulse.url.replace('http', 'ws')}/ws?token=${TOKEN}`);
    try {
      const res = await call('POST', '/api/test-notification', {}, TOKEN);
      expect(res.body).toEqual({ status: 'notification sent' });
      const [msg] = await ws.waitFor('node_auto_registered');
      expect(msg.data.name).toBe('Test Node');
    } finally {
      ws.ws.close();
    }
  });
});

describe('setup code guessing', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  beforeAll(async () => {
    pulse = await startTestPulse();
  });
  afterAll(() => pulse?.close());

  it('is cut off with 429 after ten wrong codes from one address, even for a right one', async () => {
    const issued = await (
      await fetch(`${pulse.url}/api/setup-script-url`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'pve' }),
      })
    ).json();
    const attempt = (setupCode: string) =>
      fetch(`${pulse.url}/api/auto-register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'pve',
          host: 'https://10.9.9.9:8006',
          tokenId: 'pulse-monitor@pam!x',
          tokenValue: 'secret',
          setupCode,
        }),
      });
    for (let i = 0; i < 10; i++) expect((await attempt('AAAAAA')).status).toBe(401);
    expect((await attempt(issued.setupCode)).status).toBe(429);
    expect(pulse.deps.monitoring.nodes.list()).toHaveLength(0);
  });
});
