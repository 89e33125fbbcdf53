/**
 * Backups per local day for the Backups page's chart, and which days had none. Today counts as
 * "no backup" only once the usual time of the nightly run has passed: before then the run simply
 * has not happened yet.
 */

export type BackupKind = 'PVE' | 'PBS' | 'Snapshots';

export interface DayBucket {
  day: Date;
  PVE: number;
  PBS: number;
  Snapshots: number;
  /** No PVE or PBS backup that day (today: and its usual backup time is past). */
  missed: boolean;
}

const DAY = 86_400_000;

/**
 * When today's backups are due: the median time of day at which backups of the last two weeks
 * were taken, plus an hour for the run to finish. Without any, not today at all.
 */
export function todayDueAt(backupTimes: readonly number[], now: number): number {
  const since = now - 14 * DAY;
  const mins = backupTimes
    .filter((t) => t >= since && t <= now)
    .map((t) => {
      const d = new Date(t);
      return d.getHours() * 60 + d.getMinutes();
    })
    .sort((a, b) => a - b);
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  if (mins.length === 0) return today.getTime() + DAY;
  return today.getTime() + ((mins[Math.floor(mins.length / 2)] as number) + 60) * 60_000;
}

/** `days` local-day buckets ending with today. */
export function backupDays(
  items: ReadonlyArray<{ time: number; kind: 'PVE' | 'PBS' }>,
  snapshots: readonly number[],
  now: number,
  days: number,
): DayBucket[] {
  const end = new Date(now);
  end.setHours(24, 0, 0, 0);
  const start = end.getTime() - days * DAY;
  const out: DayBucket[] = Array.from({ length: days }, (_, i) => ({
    day: new Date(start + i * DAY),
    PVE: 0,
    PBS: 0,
    Snapshots: 0,
    missed: false,
  }));
  const put = (ms: number, kind: BackupKind) => {
    const i = Math.floor((ms - start) / DAY);
    if (i >= 0 && i < days) out[i]![kind]++;
  };
  for (const b of items) put(b.time, b.kind);
  for (const t of snapshots) put(t, 'Snapshots');
  const due = todayDueAt(
    items.map((b) => b.time),
    now,
  );
  out.forEach((b, i) => {
    b.missed = b.PVE + b.PBS === 0 && (i < days - 1 || now >= due);
  });
  return out;
}
