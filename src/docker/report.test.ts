import { describe, expect, it } from 'vitest';
import { hostKey, offlineAfterMs, parseReport, parseTime, ReportError } from './report.js';

describe('docker report parsing', () => {
  it('offline threshold is clamp(interval × 4, 30 s, 10 min); ≤ 0 means the default 30 s interval', () => {
    expect(offlineAfterMs(30)).toBe(120_000);
    expect(offlineAfterMs(5)).toBe(30_000);
    expect(offlineAfterMs(0)).toBe(120_000);
    expect(offlineAfterMs(-1)).toBe(120_000);
    expect(offlineAfterMs(3600)).toBe(600_000);
  });

  it('host key: agent id, then machine id, then hostname', () => {
    const r = (agent: string, machineId?: string) =>
      parseReport({ agent: { id: agent }, host: { hostname: 'h', machineId } });
    expect(hostKey(r('a', 'm'))).toBe('a');
    expect(hostKey(r('', 'm'))).toBe('m');
    expect(hostKey(r(''))).toBe('h');
  });

  it('times: RFC3339 → ms, Go zero time and empty → unset, garbage → error', () => {
    expect(parseTime('2026-03-01T10:00:00.5+01:00', 't')).toBe(Date.UTC(2026, 2, 1, 9, 0, 0, 500));
    expect(parseTime('0001-01-01T00:00:00Z', 't')).toBeUndefined();
    expect(parseTime('', 't')).toBeUndefined();
    expect(() => parseTime('soon', 't')).toThrow(ReportError);
  });

  it('missing agent or containers default sensibly; hostname is required', () => {
    const r = parseReport({ host: { hostname: ' box ' } });
    expect(r.agent).toEqual({ id: '', version: '', intervalSeconds: 0 });
    expect(r.host.hostname).toBe('box');
    expect(r.containers).toEqual([]);
    expect(() => parseReport({ host: { name: 'x' } })).toThrow(/hostname/);
    expect(() => parseReport({ host: { hostname: 'x' }, containers: [{ id: 'c', cpuPercent: Number.NaN }] })).toThrow(
      ReportError,
    );
  });
});
