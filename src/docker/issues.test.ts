import { describe, expect, it } from 'vitest';
import type { DockerContainer } from '../model/docker.js';
import { containerIssues, hostIssues, MAX_RECENT_EXIT_CODES, recentExitCodes } from './issues.js';

const base: DockerContainer = {
  id: 'c',
  name: 'app',
  image: 'img',
  state: 'running',
  status: '',
  cpuPercent: 0,
  memoryUsageBytes: 0,
  memoryLimitBytes: 0,
  memoryPercent: 0,
  uptimeSeconds: 0,
  restartCount: 0,
  exitCode: 0,
  createdAt: 0,
};

describe('docker container issues', () => {
  it('a healthy running container has none; a docker stop (143) is not a failure', () => {
    expect(containerIssues(base, undefined)).toEqual([]);
    expect(containerIssues({ ...base, state: 'exited', exitCode: 143 }, undefined)).toEqual([]);
    expect(containerIssues({ ...base, state: 'exited', exitCode: 0 }, undefined)).toEqual([]);
  });

  it('memory pressure from 90 % of the limit, only while running', () => {
    const c = { ...base, memoryLimitBytes: 1000, memoryUsageBytes: 899 };
    expect(containerIssues(c, undefined)).toEqual([]);
    expect(containerIssues({ ...c, memoryUsageBytes: 900 }, undefined)).toEqual(['memory at 90% of its limit']);
  });

  it("the agent's own issues are kept, without duplicates", () => {
    const c = { ...base, health: 'unhealthy' };
    expect(containerIssues(c, undefined, ['health check failing', 'disk full'])).toEqual([
      'health check failing',
      'disk full',
    ]);
  });

  it('recent exit codes: appended per ended run, capped, agent list wins', () => {
    const prev = {
      ...base,
      finishedAt: 1,
      recentExitCodes: Array.from({ length: MAX_RECENT_EXIT_CODES }, (_, i) => i),
    };
    const out = recentExitCodes({ ...base, finishedAt: 2, exitCode: 99 }, prev);
    expect(out).toHaveLength(MAX_RECENT_EXIT_CODES);
    expect(out.at(-1)).toBe(99);
    expect(recentExitCodes({ ...base, finishedAt: 1, exitCode: 99 }, prev)).toEqual(prev.recentExitCodes);
    expect(recentExitCodes(base, undefined, [3, 4])).toEqual([3, 4]);
  });

  it('host issues name their container', () => {
    expect(hostIssues([{ ...base, name: 'db', issues: ['x'] }, base])).toEqual(['db: x']);
  });
});
