/**
 * Coercion of loosely typed Proxmox values. PMG in particular sends a number as a number, a
 * numeric string, "" or null; PVE sends booleans as 0/1. Missing or unparsable → the fallback.
 */
export function num(v: unknown, fallback = 0): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : fallback;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : fallback;
  }
  return fallback;
}

/** A number if present and parsable, else undefined (to tell "absent" from zero). */
export function optNum(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function int(v: unknown, fallback = 0): number {
  return Math.round(num(v, fallback));
}

export function flag(v: unknown, fallback = false): boolean {
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v === '1' || v.toLowerCase() === 'true' || v.toLowerCase() === 'yes';
  return fallback;
}

export function str(v: unknown, fallback = ''): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return fallback;
}

/** Percentage used, 0 when total is 0, rounded to 2 decimals. */
export function percent(used: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.round((used / total) * 10000) / 100;
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * A task's start time (unix seconds) from its UPID: PVE writes
 * `UPID:node:pid:pstart:starttime:type:id:user:`, PBS one field more (a task id before the start).
 */
export function upidStartTime(upid: string | undefined): number | undefined {
  if (!upid?.startsWith('UPID:')) return undefined;
  const parts = upid.split(':');
  const field = parts.length >= 10 ? parts[5] : parts[4];
  if (!field || !/^[0-9A-Fa-f]{8}$/.test(field)) return undefined;
  return Number.parseInt(field, 16);
}
