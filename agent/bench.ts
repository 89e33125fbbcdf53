/**
 * Measures the agent's cost per report: a private dockerd (test/agent/dockerd.ts) with N running
 * containers, a minimal HTTP receiver standing in for Pulse's report route (it only counts and
 * answers {success:true}), and the single executable reporting every second. After a warm-up it
 * samples the agent's RSS and CPU time from /proc for R reports.
 * Usage (root, docker.io and busybox-static installed): tsx agent/bench.ts [containers=20] [reports=60]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { IMAGE, startDockerd } from '../test/agent/dockerd.js';

const containers = Number(process.argv[2] ?? 20);
const reports = Number(process.argv[3] ?? 60);
const WARMUP = 10;
const exe = path.resolve('dist/agent/pulse-docker-agent-linux-amd64');

function proc(pid: number): { rssKb: number; cpuMs: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  // Fields 14 and 15 of /proc/<pid>/stat: user and system time in clock ticks (100 per second here).
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rssKb, cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
}

const d = await startDockerd();
try {
  for (let i = 0; i < containers; i++) {
    await d.docker('run', '-d', '--network', 'none', '--name', `c${i}`, IMAGE, 'sleep', '100000');
  }
  let count = 0;
  let bytes = 0;
  let onReport: (() => void) | undefined;
  const server = http.createServer((req, res) => {
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
    });
    req.on('end', () => {
      count++;
      bytes = size;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ success: true, hostId: 'bench', containers, lastSeen: new Date().toISOString() }));
      onReport?.();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const agent = spawn(exe, ['--url', `http://127.0.0.1:${port}`, '--token', 't', '--interval', '1'], {
    env: { DOCKER_HOST: `unix://${d.socket}` },
    stdio: 'ignore',
  });
  const until = (n: number) =>
    new Promise<void>((resolve) => {
      onReport = () => {
        if (count >= n) resolve();
      };
    });
  await until(WARMUP);
  const a = proc(agent.pid!);
  const rss: number[] = [];
  for (let i = 1; i <= reports; i++) {
    await until(WARMUP + i);
    rss.push(proc(agent.pid!).rssKb);
  }
  const b = proc(agent.pid!);
  agent.kill('SIGTERM');
  server.close();
  const mb = (kb: number) => (kb / 1024).toFixed(1);
  console.log(
    JSON.stringify({
      containers,
      reports,
      reportBytes: bytes,
      cpuMsPerReport: (b.cpuMs - a.cpuMs) / reports,
      rssMbMin: mb(Math.min(...rss)),
      rssMbMax: mb(Math.max(...rss)),
      rssMbLast: mb(rss[rss.length - 1]),
    }),
  );
} finally {
  await d.stop();
}
