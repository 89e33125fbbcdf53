/**
 * PMG mail flow as a function of time: a per-hour volume with a day/night rhythm, split into
 * incoming/outgoing, spam, viruses, bounces, greylisting and RBL rejects. Summing hours gives
 * /statistics/mail; the hourly rows are /statistics/mailcount.
 */
import type { PmgInstance } from '../estate/model.js';
import { unit, wander } from '../random.js';

export interface HourStats {
  time: number;
  count_in: number;
  count_out: number;
  spamcount_in: number;
  spamcount_out: number;
  viruscount_in: number;
  viruscount_out: number;
  bounces_in: number;
  bounces_out: number;
  bytes_in: number;
  bytes_out: number;
  glcount: number;
  junk_in: number;
  rbl_rejects: number;
  pregreet_rejects: number;
  spfcount: number;
}

/** Mail volume of the hour starting at `hourStart` (seconds), partial for the current hour. */
export function hourStats(inst: PmgInstance, hourStart: number, nowSec: number): HourStats {
  const hourOfDay = new Date(hourStart * 1000).getUTCHours();
  const rhythm = 0.35 + 1.3 * Math.max(0, Math.sin(((hourOfDay - 6) / 24) * 2 * Math.PI));
  const fraction = Math.max(0, Math.min(1, (nowSec - hourStart) / 3600));
  const total = Math.floor(inst.mailPerHour * rhythm * (0.7 + 0.6 * wander(inst.seed, hourStart, 7200)) * fraction);
  const u = (k: string) => unit(inst.seed, `${k}/${hourStart}`);
  const countIn = Math.floor(total * 0.7);
  const countOut = total - countIn;
  const spamIn = Math.floor(countIn * (0.15 + 0.2 * u('spam')));
  return {
    time: hourStart,
    count_in: countIn,
    count_out: countOut,
    spamcount_in: spamIn,
    spamcount_out: Math.floor(countOut * 0.002),
    viruscount_in: u('virus') < 0.3 ? Math.ceil(countIn * 0.003) : 0,
    viruscount_out: 0,
    bounces_in: Math.floor(countIn * 0.01),
    bounces_out: Math.floor(countOut * 0.015),
    bytes_in: countIn * (40_000 + Math.floor(u('bin') * 60_000)),
    bytes_out: countOut * (30_000 + Math.floor(u('bout') * 40_000)),
    glcount: Math.floor(countIn * 0.08),
    junk_in: Math.floor(spamIn * 0.4),
    rbl_rejects: Math.floor(countIn * 0.12),
    pregreet_rejects: Math.floor(countIn * 0.02),
    spfcount: Math.floor(countIn * 0.01),
  };
}

export function windowStats(inst: PmgInstance, start: number, end: number, nowSec: number): HourStats[] {
  const out: HourStats[] = [];
  for (let h = Math.floor(start / 3600) * 3600; h < end && h <= nowSec; h += 3600)
    out.push(hourStats(inst, h, Math.min(nowSec, end)));
  return out;
}

export function sumStats(rows: HourStats[]): Omit<HourStats, 'time'> {
  const sum = {
    count_in: 0,
    count_out: 0,
    spamcount_in: 0,
    spamcount_out: 0,
    viruscount_in: 0,
    viruscount_out: 0,
    bounces_in: 0,
    bounces_out: 0,
    bytes_in: 0,
    bytes_out: 0,
    glcount: 0,
    junk_in: 0,
    rbl_rejects: 0,
    pregreet_rejects: 0,
    spfcount: 0,
  };
  for (const r of rows) for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += r[k];
  return sum;
}
