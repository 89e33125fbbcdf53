import { describe, expect, it } from 'vitest';
import { formatAge, formatBytes, formatPercent, formatUptime, splitTags, usageTone } from './format';

describe('format', () => {
  it('bytes in binary multiples with Proxmox names', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(8 * 2 ** 30)).toBe('8.0 GB');
    expect(formatBytes(300 * 2 ** 30)).toBe('300 GB');
    expect(formatBytes(undefined)).toBe('–');
    expect(formatBytes(-1)).toBe('–');
  });

  it('uptime and percent', () => {
    expect(formatUptime(0)).toBe('–');
    expect(formatUptime(45)).toBe('45s');
    expect(formatUptime(3 * 3600 + 20 * 60)).toBe('3h 20m');
    expect(formatUptime(12 * 86400 + 4 * 3600)).toBe('12d 4h');
    expect(formatPercent(42.4)).toBe('42%');
    expect(formatPercent(-1)).toBe('–');
  });

  it('age from unix ms or RFC3339 (both state shapes), never NaN', () => {
    const now = Date.parse('2026-01-02T12:00:00Z');
    expect(formatAge(now - 3 * 3600_000, now)).toBe('3h ago');
    expect(formatAge('2026-01-01T12:00:00Z', now)).toBe('1d ago');
    expect(formatAge(undefined, now)).toBe('never');
    expect(formatAge('not a date', now)).toBe('unknown');
  });

  it('tags from either shape, usage tones', () => {
    expect(splitTags('prod,web')).toEqual(['prod', 'web']);
    expect(splitTags('a;b')).toEqual(['a', 'b']);
    expect(splitTags(['x'])).toEqual(['x']);
    expect(splitTags(undefined)).toEqual([]);
    expect([usageTone(10), usageTone(85), usageTone(95)]).toEqual(['ok', 'warn', 'crit']);
  });
});
