/**
 * /metrics scraped by a real Prometheus (Debian's `prometheus` package; only its binary is run,
 * on a free loopback port with a generated config, never the packaged service) and checked with
 * `promtool check metrics`. Without the package the test is skipped with the reason, except
 * under CI=true, where it fails.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { addDemoInstances, scrape, startMetricsPulse, TOKEN } from '../helpers/metrics.js';
import { type TestPulse, tempDir } from '../helpers/pulse.js';

function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat('/usr/bin', '/usr/sbin')) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

const prometheusBin = findBinary('prometheus');
const promtoolBin = findBinary('promtool');
const missing = !prometheusBin || !promtoolBin;
const inCi = process.env.CI === 'true';

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value; fails after `attempts` (a bound, not a timing assertion). */
async function until<T>(what: string, attempts: number, check: () => Promise<T | undefined>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await pause(250);
  }
  throw new Error(`${what} did not happen${last ? `: ${String(last)}` : ''}`);
}

if (missing && !inCi) {
  describe('real Prometheus', () => {
    it.skip('skipped: Debian package `prometheus` (prometheus, promtool) is not installed — apt-get install prometheus', () => {});
  });
} else {
  describe('real Prometheus scraping /metrics', () => {
    let sim: Simulator;
    let pulse: TestPulse;
    let prom: ChildProcess | undefined;
    let promUrl: string;
    let promLog = '';
    const dir = tempDir('pulse-prom-');

    beforeAll(async () => {
      if (missing) throw new Error('CI=true and Debian package `prometheus` (prometheus, promtool) is not installed');
      sim = await startSimulator({ estate: 'demo', seed: 42, port: 0 });
      pulse = await startMetricsPulse();
      // One poll only (the test asks for it): the value Prometheus stores then stays what Pulse read.
      pulse.deps.systemSettings.save({
        pvePollingInterval: 3600,
        pbsPollingInterval: 3600,
        pmgPollingInterval: 3600,
      });
      await addDemoInstances(pulse, sim);

      const port = await freePort();
      promUrl = `http://127.0.0.1:${port}`;
      const target = new URL(pulse.url).host;
      // The token goes in a file Prometheus reads, so it is in neither the config nor argv.
      fs.writeFileSync(path.join(dir, 'token'), TOKEN, { mode: 0o600 });
      fs.writeFileSync(
        path.join(dir, 'prometheus.yml'),
        [
          'global:',
          '  scrape_interval: 1s',
          '  scrape_timeout: 1s',
          'scrape_configs:',
          '  - job_name: pulse',
          '    honor_labels: true',
          '    authorization:',
          '      type: Bearer',
          `      credentials_file: ${path.join(dir, 'token')}`,
          '    static_configs:',
          `      - targets: ['${target}']`,
          '',
        ].join('\n'),
      );
      prom = spawn(
        prometheusBin!,
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      prom.stdout?.on('data', (d) => {
        promLog += d;
      });
      prom.stderr?.on('data', (d) => {
        promLog += d;
      });
      await until(`Prometheus ready (log: ${promLog.slice(-500)})`, 120, async () =>
        (await fetch(`${promUrl}/-/ready`)).ok ? true : undefined,
      );
    }, 90_000);

    afterAll(async () => {
      if (prom && prom.exitCode === null) {
        const exited = new Promise((resolve) => prom!.once('exit', resolve));
        prom.kill('SIGTERM');
        await exited;
      }
      await pulse?.close();
      await sim?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('reports the Pulse target up and answers PromQL with the simulator’s guest CPU', async () => {
      const health = await until('target up', 120, async () => {
        const r = (await (await fetch(`${promUrl}/api/v1/targets`)).json()) as {
          data: { activeTargets: Array<{ health: string; lastError: string; scrapeUrl: string }> };
        };
        const t = r.data.activeTargets.find((x) => x.scrapeUrl.startsWith(pulse.url));
        return t?.health === 'up' ? t : undefined;
      });
      expect(health.lastError).toBe('');

      const inst = sim.ready.pve[0].name;
      const guests = (await (await fetch(`${sim.controlUrl}/guests/${inst}`)).json()) as Array<{
        vmid: number;
        type: string;
        status: string;
      }>;
      // A running VM's CPU is what the simulator answers now; pin it so poll and comparison agree.
      const vm = guests.find((g) => g.type === 'qemu' && g.status === 'running')!;
      expect(vm).toBeDefined();
      const put = await fetch(`${sim.controlUrl}/guests/${inst}/${vm.vmid}/metrics`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cpu: 0.3125 }),
      });
      expect(put.ok).toBe(true);
      await pulse.deps.monitoring.pollNow();
      const simCpu = (
        (await (await fetch(`${sim.controlUrl}/guests/${inst}/${vm.vmid}`)).json()) as { metrics: { cpu: number } }
      ).metrics.cpu;

      const query = `pulse_guest_cpu_usage_ratio{instance="${inst}",vmid="${vm.vmid}"}`;
      const value = await until('PromQL value from the new poll', 120, async () => {
        const r = (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as {
          status: string;
          data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
        };
        expect(r.status).toBe('success');
        const v = r.data.result.length === 1 ? Number(r.data.result[0].value[1]) : undefined;
        return v === simCpu ? v : undefined;
      });
      expect(value).toBe(simCpu);
      // With honor_labels the series keeps Pulse's instance name rather than the target address.
      const series = (await (await fetch(`${promUrl}/api/v1/series?match[]=${encodeURIComponent(query)}`)).json()) as {
        data: Array<Record<string, string>>;
      };
      expect(series.data[0]).toMatchObject({ job: 'pulse', instance: inst, type: 'qemu' });
    }, 60_000);

    it('passes promtool check metrics', async () => {
      const body = await scrape(pulse);
      expect(body.status).toBe(200);
      expect(body.text).toContain('pulse_pmg_queue_messages{');
      expect(body.text).toContain('pulse_ceph_health_status{');
      const out = execFileSync(promtoolBin!, ['check', 'metrics'], { input: body.text, encoding: 'utf8' });
      expect(out.trim()).toBe('');
    });
  });
}
