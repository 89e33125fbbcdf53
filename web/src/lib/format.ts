/** Number and time formatting shared by the pages (pure). */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Binary multiples with the short names users know from Proxmox (1 GB = 1024³ bytes). */
export function formatBytes(bytes: number | undefined, digits = 1): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '–';
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v.toFixed(v >= 100 ? 0 : digits)} ${UNITS[i]}`;
}

export const formatRate = (bytesPerSec: number | undefined) =>
  bytesPerSec === undefined ? '–' : `${formatBytes(bytesPerSec)}/s`;

export function formatPercent(p: number | undefined, digits = 0): string {
  if (p === undefined || !Number.isFinite(p) || p < 0) return '–';
  return `${p.toFixed(digits)}%`;
}

/** Uptime like Pulse shows it: `12d 4h`, `3h 20m`, `45s`. */
export function formatUptime(seconds: number | undefined): string {
  if (!seconds || seconds <= 0) return '–';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m`;
  return `${Math.floor(seconds)}s`;
}

/** A compact age ("3h ago", "2d ago") from unix ms or an RFC3339 string (both shapes occur). */
export function formatAge(when: number | string | undefined, now = Date.now()): string {
  const ms = typeof when === 'string' ? Date.parse(when) : when;
  if (ms === undefined || ms === 0) return 'never';
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  const s = Math.max(0, (now - ms) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function formatDateTime(ms: number | string | undefined): string {
  if (ms === undefined || ms === '' || ms === 0) return '–';
  const d = typeof ms === 'number' ? new Date(ms) : new Date(ms);
  if (Number.isNaN(d.getTime()) || d.getFullYear() < 1971) return '–';
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Usage colour thresholds shared by every bar (matches Pulse's green/yellow/red). */
export function usageTone(p: number): 'ok' | 'warn' | 'crit' {
  if (p >= 90) return 'crit';
  if (p >= 80) return 'warn';
  return 'ok';
}

export const splitTags = (tags: string | string[] | undefined): string[] =>
  Array.isArray(tags)
    ? tags
    : (tags ?? '')
        .split(/[,;]/)
        .map((t) => t.trim())
        .filter(Boolean);

/** A stable colour for a tag name (hue from a tiny string hash). */
export function tagHue(tag: string): number {
  let h = 0;
  for (const ch of tag) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}
