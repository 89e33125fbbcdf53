/**
 * Issue 22 item 10: a Proxmox host that accepts connections and never answers. Each call has a
 * deadline well inside the polling interval, the data it last gave is shown as stale (with its
 * age) once it is two intervals old, and its recovery shows on the next cycle.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim/index.js';
import { ProxmoxClient } from '../../src/proxmox/client.js';
import { ProxmoxError } from '../../src/proxmox/errors.js';
import { api } from '../helpers/http.js';
import { startFastPulse, type TestPulse, untilCycles } from '../helpers/pulse.js';
import { control, pveBody, startSim } from '../helpers/sim.js';

describe('a hung host', () => {
  let sim: Simulator;
  let pulse: TestPulse;
  beforeAll(async () => {
    sim = await startSim('small');
    pulse = await startFastPulse();
  });
  afterAll(async () => {
    await pulse?.close();
    await sim?.stop();
  });

  const state = () => pulse.deps.state.get();

  it('the per-call deadline is well inside a production interval', () => {
    pulse.deps.systemSettings.save({ pvePollingInterval: 10 });
    expect(pulse.deps.monitoring.timeoutMs('pve')).toBeLessThanOrEqual(5000);
    pulse.deps.systemSettings.save({ pvePollingInterval: 60 });
    expect(pulse.deps.monitoring.timeoutMs('pve')).toBeLessThanOrEqual(30_000);
    pulse.deps.systemSettings.save({ pvePollingInterval: 1 });
  });

  it('is shown stale with its age, then offline, and recovers on the next cycle', async () => {
    const body = pveBody(sim);
    expect((await api(pulse.url, 'POST', '/api/config/nodes', body)).status).toBe(201);
    const instance = body.name as string;
    await untilCycles(pulse, 5, () => state().connectionHealth[instance] === true);
    expect(state().nodes.length).toBeGreaterThan(0);
    expect(state().nodes.every((n) => n.dataAgeSeconds === undefined)).toBe(true);

    await control(sim, 'POST', '/faults', { target: instance, kind: 'hang' });
    // Stale while the cycle still waits on the host: unhealthy, data kept, its age shown.
    let staleSeen = false;
    for (let i = 0; i < 400 && !staleSeen; i++) {
      const nodes = state().nodes.filter((n) => n.instance === instance);
      staleSeen = nodes.length > 0 && nodes.every((n) => (n.dataAgeSeconds ?? 0) >= 2);
      if (!staleSeen) await new Promise((r) => setTimeout(r, 50));
    }
    expect(staleSeen).toBe(true);
    expect(state().connectionHealth[instance]).toBe(false);
    expect(state().nodes.find((n) => n.instance === instance)?.connectionHealth).toBe('degraded');
    // The stuck cycle ends by its deadlines and the instance is reported as timed out.
    await untilCycles(pulse, 3, () => state().nodes.some((n) => n.instance === instance && n.status === 'offline'));
    const cfg = (await api(pulse.url, 'GET', '/api/config/nodes')).body.find(
      (n: { name: string }) => n.name === instance,
    );
    expect(cfg.errorKind).toBe('timeout');

    await control(sim, 'DELETE', `/faults?target=${instance}`);
    // Requests already hanging end by their deadline; the cycle after that one is fresh again.
    await untilCycles(pulse, 2, () => state().connectionHealth[instance] === true);
    const nodes = state().nodes.filter((n) => n.instance === instance);
    expect(nodes.every((n) => n.status === 'online' && n.dataAgeSeconds === undefined)).toBe(true);
  });
});

describe('the client’s per-call deadline', () => {
  let server: https.Server;
  let url: string;
  beforeAll(async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'trickle.test' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
    });
    server = https.createServer({ key: pems.private, cert: pems.cert }, (_req, res) => {
      // Headers at once, then one byte every 100 ms, forever: never silent long enough for an
      // idle timeout to fire.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":"');
      const t = setInterval(() => res.write('x'), 100);
      res.on('close', () => clearInterval(t));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('a reply that trickles in forever is cut at the deadline', async () => {
    const client = new ProxmoxClient({
      product: 'pve',
      baseUrl: url,
      verifySSL: false,
      timeoutMs: 600,
      tokenId: 'a@pam!b',
      tokenSecret: 's',
    });
    const err = await client.get('/version').catch((e) => e);
    expect(err).toBeInstanceOf(ProxmoxError);
    expect((err as ProxmoxError).kind).toBe('timeout');
    await client.close();
  });
});
