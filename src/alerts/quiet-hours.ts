/**
 * Quiet hours in the configured IANA time zone. The local wall time comes from
 * Intl.DateTimeFormat, so daylight-saving changes are handled by the platform's tz database
 * rather than by a fixed offset.
 */
import type { AlertLevel } from '../model/state.js';
import { type QuietHours, WEEKDAYS, type Weekday } from './config.js';

export interface WallTime {
  weekday: Weekday;
  /** minutes since local midnight */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'long',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local weekday and minutes-of-day of `ms` in `timeZone` (UTC if the zone is unknown). */
export function wallTime(ms: number, timeZone: string): WallTime {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatter(timeZone).formatToParts(ms);
  } catch {
    parts = formatter('UTC').formatToParts(ms);
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = get('weekday').toLowerCase() as Weekday;
  const hour = Number(get('hour')) % 24;
  return { weekday, minutes: hour * 60 + Number(get('minute')) };
}

const toMinutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

const previousDay = (d: Weekday): Weekday => WEEKDAYS[(WEEKDAYS.indexOf(d) + 6) % 7];

/**
 * True when `ms` falls inside quiet hours. A window that crosses midnight (22:00–08:00) belongs
 * to the day it starts on: with Friday enabled and Saturday not, Saturday 03:00 is still quiet.
 */
export function inQuietHours(q: QuietHours, ms: number): boolean {
  if (!q.enabled) return false;
  const start = toMinutes(q.start);
  const end = toMinutes(q.end);
  if (start === end) return false;
  const { weekday, minutes } = wallTime(ms, q.timezone);
  if (start < end) return q.days[weekday] === true && minutes >= start && minutes < end;
  if (minutes >= start) return q.days[weekday] === true;
  if (minutes < end) return q.days[previousDay(weekday)] === true;
  return false;
}

export type AlertCategory = 'performance' | 'storage' | 'offline' | 'health' | 'backup';

/** Non-critical alerts are muted in quiet hours; critical ones only in suppressed categories. */
export function mutedByQuietHours(q: QuietHours, ms: number, level: AlertLevel, category: AlertCategory): boolean {
  return inQuietHours(q, ms) && mutedDuringQuietHours(q, level, category);
}

/** The rule alone, for callers that already know it is quiet now. */
export function mutedDuringQuietHours(q: QuietHours, level: AlertLevel, category: AlertCategory): boolean {
  if (level !== 'critical') return true;
  if (category === 'performance' || category === 'storage' || category === 'offline') return q.suppress[category];
  return false;
}
