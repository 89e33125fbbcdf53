/**
 * GET /metrics over real HTTP: Pulse polling the simulator's demo estate (PVE, PBS, PMG) plus one
 * Docker agent report. Values are compared with /api/state; access, the public switch, the
 * rate-limit exemption and the per-version cache are checked.
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { addDemoInstances, sample, scrape, startMetricsPulse, TOKEN } from '../helpers/metrics.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { passwordEnv } from '../helpers/session.js';

const dockerReport = {
  agent: { id: 'agent-1', version: '1.0.0', intervalSeconds: 30 },
  host: { hostname: 'docker1', name: 'Docker One', totalCpu: 4, totalMemoryBytes: 8_589_934_592, uptimeSeconds: 3600 },
  containers: [
    {
      id: 'c0ffee',
      name: 'web',
      image: 'nginx:1.27',
      state: 'running',
      status: 'Up 2 hours (healthy)',
      health: 'healthy',
      cpuPercent: 12.5,
      memoryUsageBytes: 104_857_600,
      memoryLimitBytes: 536_870_912,
      memoryPercent: 19.53,
      uptimeSeconds: 7200,
      restartCount: 1,
      exitCode: 0,
      createdAt: '2026-03-01T09:00:00Z',
    },
  ],
};

describe('/metrics on the demo estate', () => {
  let sim: Simulator;
  let pulse: TestPulse;
  let text: string;

  beforeAll(async () => {
    sim = await startSimulator({ estate: 'demo', seed: 42, port: 0 });
    pulse = await startMetricsPulse();
    await addDemoInstances(pulse, sim);
    const res = await fetch(`${pulse.url}/api/agents/docker/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-token': TOKEN },
      body: JSON.stringify({ ...dockerReport, timestamp: new Date().toISOString() }),
    });
    expect(res.status).toBe(200);
    const r = await scrape(pulse);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    text = r.text;
  }, 60_000);
  afterAll(async () => {
    await pulse?.close();
    await sim?.stop();
  });

  it('needs the API token (X-API-Token or Bearer) by default', async () => {
    expect((await scrape(pulse, {})).status).toBe(401);
    expect((await scrape(pulse, { 'x-api-token': 'wrong' })).status).toBe(401);
    expect((await scrape(pulse, { authorization: 'Bearer wrong' })).status).toBe(401);
    const bearer = await scrape(pulse, { authorization: `Bearer ${TOKEN}` });
    expect(bearer.status).toBe(200);
    expect(bearer.text).toContain('pulse_guest_cpu_usage_ratio{');
  });

  it('has every guest with the values of /api/state', () => {
    const state = pulse.deps.state.get();
    const guests = [...state.vms, ...state.containers];
    expect(state.vms.length).toBeGreaterThan(0);
    expect(state.containers.length).toBeGreaterThan(0);
    for (const g of guests) {
      const l = { id: g.id, instance: g.instance, node: g.node, type: g.type, vmid: String(g.vmid) };
      expect(sample(text, 'pulse_guest_up', l), g.id).toBe(g.status === 'running' ? 1 : 0);
      expect(sample(text, 'pulse_guest_cpu_usage_ratio', l), g.id).toBeCloseTo(g.cpu, 12);
      expect(sample(text, 'pulse_guest_network_receive_bytes_per_second', l), g.id).toBe(g.networkIn);
      if (g.memory && g.memory.total > 0) {
        expect(sample(text, 'pulse_guest_memory_usage_bytes', l), g.id).toBe(g.memory.used);
        expect(sample(text, 'pulse_guest_memory_size_bytes', l), g.id).toBe(g.memory.total);
        const r = sample(text, 'pulse_guest_memory_usage_ratio', l)!;
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(1);
      }
      // An unknown disk fill level (-1) is an absent series, not a zero.
      if (g.disk && g.disk.usage < 0) expect(sample(text, 'pulse_guest_disk_usage_bytes', l)).toBeUndefined();
    }
  });

  it('has nodes, storage, Ceph, PBS, PMG, Docker and the connections', () => {
    const state = pulse.deps.state.get();
    for (const n of state.nodes) {
      const l = { id: n.id, node: n.name, type: 'node' };
      expect(sample(text, 'pulse_node_up', l), n.id).toBe(n.status === 'online' ? 1 : 0);
      if (n.status === 'online') expect(sample(text, 'pulse_node_cpu_usage_ratio', l), n.id).toBeCloseTo(n.cpu, 12);
    }
    for (const s of state.storage) {
      if (s.total > 0) expect(sample(text, 'pulse_storage_size_bytes', { id: s.id, storage: s.name })).toBe(s.total);
    }
    expect(state.cephClusters.length).toBeGreaterThan(0);
    const ceph = state.cephClusters[0];
    expect(sample(text, 'pulse_ceph_usage_bytes', { id: ceph.id })).toBe(ceph.usedBytes);
    const pbs = state.pbs[0];
    expect(sample(text, 'pulse_pbs_up', { id: pbs.id })).toBe(1);
    const store = pbs.datastores[0];
    expect(sample(text, 'pulse_pbs_datastore_usage_bytes', { id: pbs.id, datastore: store.name })).toBe(store.used);
    const pmg = state.pmg[0];
    expect(sample(text, 'pulse_pmg_up', { id: pmg.id })).toBe(1);
    expect(sample(text, 'pulse_pmg_mail_messages', { id: pmg.id, direction: 'in' })).toBe(pmg.mailStats?.countIn);
    const queued = pmg.nodes?.find((n) => n.queueStatus);
    expect(queued).toBeDefined();
    expect(sample(text, 'pulse_pmg_queue_messages', { id: pmg.id, node: queued!.name, queue: 'deferred' })).toBe(
      queued!.queueStatus!.deferred,
    );
    const c = { id: 'c0ffee', name: 'web', node: 'docker1' };
    expect(sample(text, 'pulse_docker_container_cpu_usage_ratio', c)).toBeCloseTo(0.125, 12);
    expect(sample(text, 'pulse_docker_container_memory_usage_bytes', c)).toBe(104_857_600);
    expect(sample(text, 'pulse_docker_container_healthy', c)).toBe(1);
    expect(sample(text, 'pulse_docker_host_up', { node: 'docker1', name: 'Docker One' })).toBe(1);
    for (const [instance, ok] of Object.entries(state.connectionHealth)) {
      expect(sample(text, 'pulse_connection_healthy', { instance }), instance).toBe(ok ? 1 : 0);
    }
  });

  it('counts active alerts by level and type', () => {
    const alerts = pulse.deps.state.get().activeAlerts;
    const counts = new Map<string, number>();
    for (const a of alerts) counts.set(`${a.level}/${a.type}`, (counts.get(`${a.level}/${a.type}`) ?? 0) + 1);
    for (const [key, n] of counts) {
      const [level, type] = key.split('/');
      expect(sample(text, 'pulse_alerts_active', { level, type }), key).toBe(n);
    }
    const lines = text.split('\n').filter((l) => l.startsWith('pulse_alerts_active{'));
    expect(lines.length).toBe(counts.size);
  });

  it('has poll duration and errors per instance, and process metrics', () => {
    for (const inst of [...sim.ready.pve, ...sim.ready.pbs, ...sim.ready.pmg]) {
      expect(sample(text, 'pulse_poll_duration_seconds', { instance: inst.name }), inst.name).toBeGreaterThan(0);
      expect(sample(text, 'pulse_poll_errors_total', { instance: inst.name }), inst.name).toBe(0);
      expect(sample(text, 'pulse_instance_up', { instance: inst.name }), inst.name).toBe(1);
    }
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it('gzips for scrapers that accept it (estate member cached, process member fresh)', async () => {
    const raw = (encoding?: string) =>
      new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const headers: Record<string, string> = { 'x-api-token': TOKEN };
        if (encoding) headers['accept-encoding'] = encoding;
        http
          .get(`${pulse.url}/metrics`, { headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
    const plain = await raw();
    expect(plain.headers['content-encoding']).toBeUndefined();
    const zipped = await raw('deflate, gzip;q=0.8');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    const text = gunzipSync(zipped.body).toString('utf8');
    const g = pulse.deps.state.get().vms[0];
    expect(sample(text, 'pulse_guest_cpu_usage_ratio', { id: g.id })).toBeCloseTo(g.cpu, 12);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect((await raw('gzip;q=0')).headers['content-encoding']).toBeUndefined();
  });

  it('counts failed polls of an instance that goes down', async () => {
    const pbs = sim.ready.pbs[0];
    await fetch(`${sim.controlUrl}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: pbs.name, kind: 'down' }),
    }).then((r) => expect(r.ok).toBe(true));
    const uid = pulse.deps.monitoring.nodes.list().find((c) => c.name === pbs.name)!.uid;
    await pulse.deps.monitoring.pollNow(uid);
    const after = (await scrape(pulse)).text;
    expect(sample(after, 'pulse_poll_errors_total', { instance: pbs.name })).toBe(1);
    expect(sample(after, 'pulse_instance_up', { instance: pbs.name })).toBe(0);
    expect(sample(after, 'pulse_pbs_up', { name: pbs.name })).toBe(0);
  });
});

describe('/metrics caching, public switch and rate limits', () => {
  it('renders the estate once per state version', async () => {
    const pulse = await startMetricsPulse();
    try {
      const renders = async () => sample((await scrape(pulse)).text, 'pulse_metrics_renders_total', {});
      const first = await renders();
      expect(await renders()).toBe(first);
      expect(await renders()).toBe(first);
      pulse.deps.state.commit((d) => {
        d.activeAlerts = [];
      });
      expect(await renders()).toBe(first! + 1);
      expect(await renders()).toBe(first! + 1);
    } finally {
      await pulse.close();
    }
  });

  it('is public when the system setting says so, persisted across restarts', async () => {
    let pulse = await startMetricsPulse();
    const dataDir = pulse.dataDir;
    const update = (body: unknown) =>
      fetch(`${pulse.url}/api/system/settings/update`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-token': TOKEN },
        body: JSON.stringify(body),
      });
    try {
      expect((await scrape(pulse, {})).status).toBe(401);
      expect((await update({ metricsPublic: 'yes' })).status).toBe(400);
      expect((await update({ metricsPublic: true })).status).toBe(200);
      expect((await scrape(pulse, {})).status).toBe(200);
      // Only /metrics opens: the API stays protected.
      expect((await fetch(`${pulse.url}/api/alerts/active`)).status).toBe(401);
      await pulse.close();
      pulse = await startMetricsPulse({}, dataDir);
      expect((await scrape(pulse, {})).status).toBe(200);
      const settings = await fetch(`${pulse.url}/api/system/settings`, { headers: { 'x-api-token': TOKEN } });
      expect((await settings.json()).metricsPublic).toBe(true);
      expect((await update({ metricsPublic: false })).status).toBe(200);
      expect((await scrape(pulse, {})).status).toBe(401);
    } finally {
      await pulse.close();
    }
  });

  it('is not rate-limited for the scraping address, while the API is', async () => {
    const pulse = await startTestPulse({
      env: { ...passwordEnv, API_TOKENS: TOKEN },
      security: { exemptLoopback: false, rateLimits: { general: { limit: 3, windowMs: 60_000 } } },
    });
    try {
      for (let i = 0; i < 10; i++) expect((await scrape(pulse)).status).toBe(200);
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        codes.push((await fetch(`${pulse.url}/api/alerts/active`, { headers: { 'x-api-token': TOKEN } })).status);
      }
      expect(codes).toContain(429);
    } finally {
      await pulse.close();
    }
  });
});
