import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestPulse } from '../helpers/pulse.js';

type Pulse = Awaited<ReturnType<typeof startTestPulse>>;

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);

function report(
  overrides: { agentId?: string; hostname?: string; machineId?: string; interval?: number; at?: number } = {},
) {
  const at = overrides.at ?? T0;
  return {
    agent: { id: overrides.agentId ?? 'agent-1', version: '4.24.0', intervalSeconds: overrides.interval ?? 30 },
    host: {
      hostname: overrides.hostname ?? 'docker-01',
      name: 'Docker One',
      machineId: overrides.machineId,
      os: 'Debian GNU/Linux 12',
      kernelVersion: '6.1.0-18-amd64',
      architecture: 'x86_64',
      dockerVersion: '26.1.3',
      totalCpu: 8,
      totalMemoryBytes: 16 * 1024 ** 3,
      uptimeSeconds: 86_400,
    },
    containers: [
      {
        id: 'c0ffee',
        name: '/web',
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
        startedAt: '2026-03-01T10:00:00.123456789+00:00',
        finishedAt: '0001-01-01T00:00:00Z',
        ports: [{ privatePort: 80, publicPort: 8080, protocol: 'tcp', ip: '0.0.0.0' }],
        labels: { 'com.docker.compose.project': 'site' },
        networks: [{ name: 'bridge', ipv4: '172.17.0.2' }],
      },
      {
        id: 'dead01',
        name: 'batch',
        image: 'busybox',
        state: 'exited',
        status: 'Exited (1) 5 minutes ago',
        cpuPercent: 0,
        memoryUsageBytes: 0,
        memoryLimitBytes: 0,
        memoryPercent: 0,
        uptimeSeconds: 0,
        restartCount: 0,
        exitCode: 1,
        createdAt: '2026-03-01T08:00:00Z',
        finishedAt: '2026-03-01T11:55:00Z',
      },
    ],
    timestamp: new Date(at).toISOString(),
  };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('Docker agent integration (no auth configured)', () => {
  const clock = new ManualClock(T0);
  let pulse: Pulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ clock });
  });
  afterAll(() => pulse.close());

  const state = async () => (await fetch(`${pulse.url}/api/state`)).json();
  const host = async (id: string) => (await state()).dockerHosts.find((h: { id: string }) => h.id === id);
  const send = (body: unknown) => post(`${pulse.url}/api/agents/docker/report`, body);

  it('a report shows the host and its containers in /api/state (frontend shape, times in ms)', async () => {
    const res = await send(report());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      success: true,
      hostId: 'agent-1',
      containers: 2,
      lastSeen: new Date(T0).toISOString(),
    });
    const s = await state();
    expect(s.connectionHealth['docker-agent-1']).toBe(true);
    const h = s.dockerHosts.find((x: { id: string }) => x.id === 'agent-1');
    expect(h).toMatchObject({
      id: 'agent-1',
      agentId: 'agent-1',
      hostname: 'docker-01',
      displayName: 'Docker One',
      os: 'Debian GNU/Linux 12',
      kernelVersion: '6.1.0-18-amd64',
      architecture: 'x86_64',
      dockerVersion: '26.1.3',
      agentVersion: '4.24.0',
      cpus: 8,
      totalMemoryBytes: 16 * 1024 ** 3,
      uptimeSeconds: 86_400,
      status: 'online',
      lastSeen: T0,
      intervalSeconds: 30,
      pendingUninstall: false,
    });
    expect(h).not.toHaveProperty('hidden');
    expect(h.containers).toHaveLength(2);
    const [web, batch] = h.containers;
    expect(web).toEqual({
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
      createdAt: Date.UTC(2026, 2, 1, 9),
      startedAt: Date.UTC(2026, 2, 1, 10, 0, 0, 123),
      ports: [{ privatePort: 80, publicPort: 8080, protocol: 'tcp', ip: '0.0.0.0' }],
      labels: { 'com.docker.compose.project': 'site' },
      networks: [{ name: 'bridge', ipv4: '172.17.0.2' }],
      issues: [],
      recentExitCodes: [],
    });
    expect(batch).toMatchObject({
      state: 'exited',
      exitCode: 1,
      finishedAt: Date.UTC(2026, 2, 1, 11, 55),
      issues: ['exited with code 1'],
      recentExitCodes: [1],
    });
    expect(batch).not.toHaveProperty('startedAt');
    expect(h.issues).toEqual(['batch: exited with code 1']);
  });

  it('issues and recentExitCodes follow the containers from report to report', async () => {
    const next = report({ at: T0 + 30_000 });
    Object.assign(next.containers[0], { restartCount: 3, health: 'unhealthy', memoryUsageBytes: 510_000_000 });
    Object.assign(next.containers[1], { exitCode: 137, finishedAt: '2026-03-01T12:00:20Z' });
    expect((await send(next)).status).toBe(200);
    const h = await host('agent-1');
    expect(h.containers[0].issues).toEqual([
      'health check failing',
      'restarted 2 time(s) since the last report',
      'memory at 95% of its limit',
    ]);
    expect(h.containers[1]).toMatchObject({
      issues: ['killed (exit 137: SIGKILL, often out of memory)'],
      recentExitCodes: [1, 137],
    });
    expect(h.issues).toHaveLength(4);
    // The same run reported again is not counted twice.
    expect((await send(next)).status).toBe(200);
    expect((await host('agent-1')).containers[1].recentExitCodes).toEqual([1, 137]);
  });

  it('the host key falls back to machineId, then hostname; a repeat report replaces, not duplicates', async () => {
    const byMachine = await (await send(report({ agentId: '', machineId: 'm-42', hostname: 'h2' }))).json();
    expect(byMachine.hostId).toBe('m-42');
    const byName = await (await send(report({ agentId: '', hostname: 'h3' }))).json();
    expect(byName.hostId).toBe('h3');
    await send(report({ agentId: '', hostname: 'h3' }));
    const ids = (await state()).dockerHosts.map((h: { id: string }) => h.id);
    expect(ids.filter((id: string) => id === 'h3')).toHaveLength(1);
    for (const id of ['m-42', 'h3']) {
      expect((await fetch(`${pulse.url}/api/agents/docker/hosts/${id}?force=true`, { method: 'DELETE' })).status).toBe(
        200,
      );
    }
  });

  it('goes offline after clamp(interval × 4, 30 s, 10 min) without reports, online again on the next', async () => {
    clock.set(T0);
    await send(report({ agentId: 'live', interval: 30 }));
    await send(report({ agentId: 'fast', interval: 2 })); // 8 s → clamped up to 30 s
    await send(report({ agentId: 'slow', interval: 600 })); // 40 min → clamped down to 10 min
    clock.advance(30_000);
    pulse.deps.docker.checkLiveness();
    expect((await host('fast')).status).toBe('online');
    clock.advance(1_000);
    pulse.deps.docker.checkLiveness();
    expect((await host('fast')).status).toBe('offline');
    expect((await host('live')).status).toBe('online');
    clock.advance(90_000); // 121 s > 120 s
    pulse.deps.docker.checkLiveness();
    const s = await state();
    expect(s.dockerHosts.find((h: { id: string }) => h.id === 'live').status).toBe('offline');
    expect(s.connectionHealth['docker-live']).toBe(false);
    expect(s.dockerHosts.find((h: { id: string }) => h.id === 'slow').status).toBe('online');
    clock.advance(10 * 60_000 - 121_000 + 1);
    pulse.deps.docker.checkLiveness();
    expect((await host('slow')).status).toBe('offline');

    await send(report({ agentId: 'live', interval: 30, at: clock.now() }));
    expect((await host('live')).status).toBe('online');
    expect((await state()).connectionHealth['docker-live']).toBe(true);
    // An offline host is removed right away (no agent left to stop).
    const del = await fetch(`${pulse.url}/api/agents/docker/hosts/slow`, { method: 'DELETE' });
    expect(await del.json()).toEqual({ success: true, hostId: 'slow', message: 'Docker host removed' });
    expect(await host('slow')).toBeUndefined();
  });

  it('invalid reports → 400 with an error, never 500', async () => {
    const cases: unknown[] = [
      {},
      { agent: { id: 'x' }, host: {} },
      { agent: { id: 'x' }, host: { hostname: '' } },
      { agent: { id: 'x' }, host: { hostname: 'h' }, containers: 'nope' },
      { agent: { id: 'x' }, host: { hostname: 'h' }, containers: [{ name: 'no id' }] },
      { agent: { id: 'x' }, host: { hostname: 'h', totalCpu: 'eight' } },
      { agent: { id: 'x' }, host: { hostname: 'h' }, timestamp: 'yesterday' },
      [1, 2, 3],
    ];
    for (const body of cases) {
      const res = await send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(typeof (await res.json()).error).toBe('string');
    }
    // Refused by the schema or by the parser, the reply keeps the contract's code and names the field.
    expect(await (await send({ agent: { id: 'x' }, host: {} })).json()).toEqual({
      error: 'body.host.hostname is required',
      field: 'host.hostname',
      code: 'invalid_report',
    });
    expect((await (await send({ agent: { id: 'x' }, host: { hostname: ' ' } })).json()).code).toBe('invalid_report');
    const bad = await fetch(`${pulse.url}/api/agents/docker/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"agent": ',
    });
    expect(bad.status).toBe(400);
    expect((await state()).dockerHosts.some((h: { id: string }) => h.id === 'x')).toBe(false);
  });

  it('hide removes the host from the state until its next report; unhide brings it back', async () => {
    await send(report({ agentId: 'hideme', at: clock.now() }));
    const res = await fetch(`${pulse.url}/api/agents/docker/hosts/hideme?hide=true`, { method: 'DELETE' });
    expect(await res.json()).toEqual({ success: true, hostId: 'hideme', message: 'Docker host hidden' });
    expect(await host('hideme')).toBeUndefined();
    expect((await state()).connectionHealth).not.toHaveProperty('docker-hideme');
    const unhide = await fetch(`${pulse.url}/api/agents/docker/hosts/hideme/unhide`, { method: 'PUT' });
    expect(await unhide.json()).toMatchObject({ success: true, hostId: 'hideme' });
    expect(await host('hideme')).toBeDefined();

    await fetch(`${pulse.url}/api/agents/docker/hosts/hideme?hide=true`, { method: 'DELETE' });
    await send(report({ agentId: 'hideme', at: clock.now() }));
    expect(await host('hideme')).toBeDefined();
  });

  it('deleting an online host queues a stop; the agent gets it, acknowledges, and the host is removed', async () => {
    await send(report({ agentId: 'stopme', at: clock.now() }));
    const del = await (await fetch(`${pulse.url}/api/agents/docker/hosts/stopme`, { method: 'DELETE' })).json();
    expect(del).toMatchObject({ success: true, hostId: 'stopme', message: 'Stop command queued' });
    expect(del.command).toMatchObject({ type: 'stop', status: 'queued' });
    expect(del.command.id).toMatch(/^[0-9a-f-]{36}$/);
    const queued = await host('stopme');
    expect(queued.pendingUninstall).toBe(true);
    expect(queued.command).toMatchObject({ id: del.command.id, status: 'queued', createdAt: clock.now() });

    const next = await (await send(report({ agentId: 'stopme', at: clock.now() }))).json();
    expect(next.commands).toEqual([{ id: del.command.id, type: 'stop' }]);
    expect(await host('stopme')).toMatchObject({ pendingUninstall: true, command: { status: 'dispatched' } });

    const ackUrl = `${pulse.url}/api/agents/docker/commands/${del.command.id}/ack`;
    expect((await post(ackUrl, { status: 'bogus' })).status).toBe(400);
    expect((await post(`${pulse.url}/api/agents/docker/commands/nope/ack`, { status: 'ack' })).status).toBe(404);
    const ack = await (await post(ackUrl, { hostId: 'stopme', status: 'acknowledged' })).json();
    expect(ack).toMatchObject({ success: true, hostId: 'stopme', command: { status: 'acknowledged' } });
    const done = await (await post(ackUrl, { hostId: 'stopme', status: 'completed', message: 'bye' })).json();
    expect(done.command).toMatchObject({ status: 'completed', message: 'bye' });
    expect(await host('stopme')).toBeUndefined();

    // A late report from the uninstalled agent does not bring it back…
    const late = await send(report({ agentId: 'stopme', at: clock.now() }));
    expect(late.status).toBe(400);
    expect((await late.json()).code).toBe('invalid_report');
    // …until re-enrolment is allowed.
    const allow = await fetch(`${pulse.url}/api/agents/docker/hosts/stopme/allow-reenroll`, { method: 'POST' });
    expect(await allow.json()).toEqual({ success: true, hostId: 'stopme' });
    expect((await send(report({ agentId: 'stopme', at: clock.now() }))).status).toBe(200);
  });

  it('force removes an online host; unknown hosts → 404', async () => {
    await send(report({ agentId: 'forced', at: clock.now() }));
    const res = await fetch(`${pulse.url}/api/agents/docker/hosts/forced?force=true`, { method: 'DELETE' });
    expect(await res.json()).toEqual({ success: true, hostId: 'forced', message: 'Docker host removed' });
    const missing = await fetch(`${pulse.url}/api/agents/docker/hosts/forced`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'Docker host not found', code: 'docker_host_not_found' });
    expect((await fetch(`${pulse.url}/api/agents/docker/hosts/nope/unhide`, { method: 'POST' })).status).toBe(404);
  });

  it('pending-uninstall marks the host', async () => {
    await send(report({ agentId: 'pend', at: clock.now() }));
    const res = await fetch(`${pulse.url}/api/agents/docker/hosts/pend/pending-uninstall`, { method: 'POST' });
    expect(await res.json()).toMatchObject({ success: true, hostId: 'pend' });
    expect((await host('pend')).pendingUninstall).toBe(true);
  });

  it('a stop nobody collects expires after 10 minutes and is not handed out later', async () => {
    await send(report({ agentId: 'gone', at: clock.now() }));
    const del = await (await fetch(`${pulse.url}/api/agents/docker/hosts/gone`, { method: 'DELETE' })).json();
    expect(del.command.expiresAt).toBe(clock.now() + 10 * 60_000);
    clock.advance(10 * 60_000);
    pulse.deps.docker.checkLiveness();
    const h = await host('gone');
    expect(h.command).toMatchObject({ id: del.command.id, status: 'expired' });
    const next = await (await send(report({ agentId: 'gone', at: clock.now() }))).json();
    expect(next).not.toHaveProperty('commands');
    expect(await host('gone')).not.toHaveProperty('command');
  });

  it('serves the agent install script; an arch without a binary is a 404 naming the arches shipped', async () => {
    const script = await fetch(`${pulse.url}/install-docker-agent.sh`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('text/x-shellscript');
    expect(await script.text()).toContain('/download/pulse-docker-agent?arch=');
    const bin = await fetch(`${pulse.url}/download/pulse-docker-agent?arch=mips`);
    expect(bin.status).toBe(404);
    const body = await bin.json();
    expect(body.error).toBe('No Docker agent for arch "mips" in this installation');
    expect(Array.isArray(body.availableArches)).toBe(true);
  });

  it('GET /api/server/info → {isDevelopment, version}', async () => {
    const info = await (await fetch(`${pulse.url}/api/server/info`)).json();
    expect(typeof info.isDevelopment).toBe('boolean');
    expect(info.version).toMatch(/^v\d+\.\d+\.\d+/);
  });

  it('GET /api/agent/version → {version} with a leading v', async () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
    expect(await (await fetch(`${pulse.url}/api/agent/version`)).json()).toEqual({ version: `v${pkg.version}` });
  });
});

describe('Docker agent with authentication', () => {
  const token = 'docker-agent-token-0123456789';
  let pulse: Pulse;
  beforeAll(async () => {
    pulse = await startTestPulse({
      clock: new ManualClock(T0),
      env: { PULSE_AUTH_USER: 'admin', PULSE_AUTH_PASS: 'correct-horse-1', API_TOKENS: token },
    });
  });
  afterAll(() => pulse.close());

  it('reports need a token; the host carries the token id, name and hint', async () => {
    const url = `${pulse.url}/api/agents/docker/report`;
    expect((await post(url, report())).status).toBe(401);
    expect((await post(url, report(), { 'x-api-token': 'wrong' })).status).toBe(401);
    expect((await post(url, report(), { authorization: `Bearer ${token}` })).status).toBe(200);
    const state = await (await fetch(`${pulse.url}/api/state`, { headers: { 'x-api-token': token } })).json();
    const h = state.dockerHosts[0];
    expect(typeof h.tokenId).toBe('string');
    expect(h.tokenName).toBeTruthy();
    expect(h.tokenHint).toMatch(/^.+….+$/);
    expect(h.tokenHint).not.toContain(token);
  });

  it('host removal needs credentials', async () => {
    expect((await fetch(`${pulse.url}/api/agents/docker/hosts/agent-1`, { method: 'DELETE' })).status).toBe(401);
  });
});
