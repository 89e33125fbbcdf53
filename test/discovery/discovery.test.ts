/** Discovery: probes the simulator's PVE, PBS and PMG endpoints on 127.0.0.1 (ports overridden). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { systemClock } from '../../src/clock.js';
import { classify } from '../../src/discovery/classify.js';
import { DiscoveryService } from '../../src/discovery/service.js';
import { expandCidr } from '../../src/discovery/subnet.js';
import { PulseEvents } from '../../src/events.js';
import { createLogger } from '../../src/logging.js';
import { api } from '../helpers/http.js';
import { startTestPulse } from '../helpers/pulse.js';
import { TestWsClient } from '../ws/client.js';

const port = (url: string) => Number(new URL(url).port);
const DEFAULT_HINTS = { pve: [8006], pbs: [8007], pmg: [8006] };
const unauthorized = { status: 401, server: 'pve-api-daemon/3.0', json: { data: null } };

describe('classify (pure)', () => {
  it('uses the anonymous realm list to tell PVE from PMG on 8006', () => {
    const pve = classify(8006, DEFAULT_HINTS, {
      version: unauthorized,
      domains: {
        status: 200,
        json: {
          data: [
            { realm: 'pam', type: 'pam' },
            { realm: 'pve', type: 'pve' },
          ],
        },
      },
      certCN: 'pve1.lan',
    });
    expect(pve).toEqual({ type: 'pve', version: '', hostname: 'pve1.lan' });
    const pmg = classify(8006, DEFAULT_HINTS, { version: unauthorized, domains: unauthorized });
    expect(pmg?.type).toBe('pmg');
    const pbs = classify(8007, DEFAULT_HINTS, {
      version: { status: 401, json: { data: null } },
      domains: { status: 200, json: { data: [{ realm: 'pbs', type: 'pbs' }] } },
    });
    expect(pbs?.type).toBe('pbs');
  });

  it('certificate names win over ports; non-Proxmox answers are ignored', () => {
    const ev = { version: unauthorized, certText: 'O=Proxmox Backup Server, CN=backup' };
    expect(classify(8006, DEFAULT_HINTS, ev)?.type).toBe('pbs');
    expect(classify(8006, DEFAULT_HINTS, { version: { status: 404, json: undefined } })).toBeUndefined();
    expect(classify(8006, DEFAULT_HINTS, { version: { status: 200, json: { ok: true } } })).toBeUndefined();
    expect(classify(9999, DEFAULT_HINTS, { version: unauthorized })).toBeUndefined();
  });

  it('expands subnets and refuses huge or malformed ones', () => {
    expect(expandCidr('10.1.2.0/30')).toEqual(['10.1.2.1', '10.1.2.2']);
    expect(expandCidr('127.0.0.1/32')).toEqual(['127.0.0.1']);
    expect(expandCidr('192.168.7.99/24')).toHaveLength(254);
    expect(() => expandCidr('10.0.0.0/8')).toThrow(/too large/);
    expect(() => expandCidr('300.1.1.0/24')).toThrow(/CIDR/);
  });
});

describe('discovery against the simulator', () => {
  let sim: Simulator;
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  const TOKEN = 'c3'.repeat(32);
  const call = (method: string, path: string, body?: unknown) =>
    api(pulse.url, method, path, body, { 'x-api-token': TOKEN });

  beforeAll(async () => {
    sim = await startSimulator({ estate: 'demo', seed: 11, port: 0 });
    const pvePorts = sim.ready.pve.flatMap((p) => p.nodes.map((n) => port(n.url)));
    // One port where nothing listens (a closed port must not show up).
    const spec = [
      ...pvePorts.map((p) => `pve=${p}`),
      `pve=1`,
      ...sim.ready.pbs.map((p) => `pbs=${port(p.url)}`),
      ...sim.ready.pmg.map((p) => `pmg=${port(p.url)}`),
    ].join(',');
    pulse = await startTestPulse({
      env: { API_TOKENS: TOKEN, DISCOVERY_SUBNET: '127.0.0.1/32', PULSE_DISCOVERY_PORTS: spec },
    });
  });
  afterAll(async () => {
    await pulse?.close();
    await sim?.stop();
  });

  it('GET before any scan reports the zero time and no servers', async () => {
    const res = await call('GET', '/api/discover');
    expect(res.body).toMatchObject({ servers: [], errors: [], cached: true, scanning: false, updated: -62135596800 });
  });

  it('POST scans the configured subnet and finds every simulated product', async () => {
    const ws = await TestWsClient.open(`${pulse.url.replace('http', 'ws')}/ws?token=${TOKEN}`);
    try {
      const started = await call('POST', '/api/discover', {});
      expect(started.status).toBe(200);
      expect(started.body.scanning).toBe(true);
      await pulse.deps.discovery.whenIdle();
      const [update] = await ws.waitFor('discovery_update');
      expect(update.data.servers.length).toBeGreaterThan(0);
    } finally {
      ws.ws.close();
    }
    const res = await call('GET', '/api/discover');
    expect(res.body.scanning).toBe(false);
    expect(Math.abs(res.body.updated - Date.now() / 1000)).toBeLessThan(60);
    expect(res.body.age).toBeGreaterThanOrEqual(0);
    const servers = res.body.servers as Array<{
      ip: string;
      host: string;
      port: number;
      type: string;
      hostname?: string;
    }>;
    const expected = [
      ...sim.ready.pve.flatMap((p) => p.nodes.map((n) => ({ port: port(n.url), type: 'pve', hostname: n.name }))),
      ...sim.ready.pbs.map((p) => ({ port: port(p.url), type: 'pbs' })),
      ...sim.ready.pmg.map((p) => ({ port: port(p.url), type: 'pmg' })),
    ];
    expect(servers).toHaveLength(expected.length);
    for (const e of expected) {
      const s = servers.find((x) => x.port === e.port);
      expect(s, `port ${e.port}`).toBeDefined();
      expect(s).toMatchObject({ ip: '127.0.0.1', type: e.type });
      expect(s?.host).toBe('127.0.0.1');
      if ('hostname' in e) {
        expect(s?.hostname).toBe(e.hostname);
        expect((s as { name?: string }).name).toBe(e.hostname);
      }
    }
    expect(servers.some((s) => s.port === 1)).toBe(false);
    // use_cache answers from the last scan without starting another.
    const cached = await call('POST', '/api/discover', { use_cache: true });
    expect(cached.body.scanning).toBe(false);
    expect(cached.body.servers).toHaveLength(expected.length);
  });

  it('bad subnets are 400; credentials are required', async () => {
    expect((await call('POST', '/api/discover', { subnet: '10.0.0.0/8' })).status).toBe(400);
    expect((await call('POST', '/api/discover', { subnet: 'nonsense' })).status).toBe(400);
    expect((await call('POST', '/api/discover', { subnet: 5 })).status).toBe(400);
    const anon = await fetch(`${pulse.url}/api/discover`, { method: 'POST' });
    expect(anon.status).toBe(401);
  });
});

describe('background discovery', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ estate: 'small', seed: 2, port: 0 });
  });
  afterAll(() => sim?.stop());

  const service = (enabled: boolean) => {
    const events = new PulseEvents();
    const updates: unknown[] = [];
    events.on('discoveryUpdate', (u) => updates.push(u));
    const svc = new DiscoveryService({
      clock: systemClock,
      logger: createLogger({ level: 'silent' }),
      events,
      ports: { pve: [port(sim.ready.pve[0].url)], pbs: [port(sim.ready.pbs[0].url)], pmg: [] },
      subnet: () => '127.0.0.1/32',
      enabled: () => enabled,
      firstScanDelayMs: 0,
    });
    return { svc, updates };
  };

  it('scans on its own when enabled', async () => {
    const { svc, updates } = service(true);
    svc.start();
    try {
      while (updates.length === 0) await new Promise((r) => setTimeout(r, 20));
      await svc.whenIdle();
      expect(
        svc
          .result()
          .servers.map((s) => s.type)
          .sort(),
      ).toEqual(['pbs', 'pve']);
    } finally {
      await svc.stop();
    }
  });

  it('does nothing in the background when disabled', async () => {
    const { svc } = service(false);
    svc.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(svc.result().scanning).toBe(false);
    expect(svc.hasResult).toBe(false);
    await svc.stop();
  });
});
