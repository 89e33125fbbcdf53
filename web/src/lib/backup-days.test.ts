import { describe, expect, it } from 'vitest';
import { backupDays, todayDueAt } from './backup-days';

/** Local time on day `d` of December 2026. */
const at = (d: number, h: number, m = 0) => new Date(2026, 11, d, h, m).getTime();

/** Nightly backups at 02:00 on the 1st to the 9th; none yet on the 10th. */
const nightly = Array.from({ length: 9 }, (_, i) => ({ time: at(i + 1, 2), kind: 'PVE' as const }));

describe('backup days', () => {
  it('today is not "no backup" before the usual run time, and is after it', () => {
    const early = backupDays(nightly, [], at(10, 1, 30), 7);
    expect(early.at(-1)).toMatchObject({ PVE: 0, missed: false });
    expect(early.filter((b) => b.missed)).toEqual([]);
    const late = backupDays(nightly, [], at(10, 9), 7);
    expect(late.at(-1)).toMatchObject({ PVE: 0, missed: true });
  });

  it('is due an hour after the median backup time; never today without any history', () => {
    expect(
      todayDueAt(
        nightly.map((b) => b.time),
        at(10, 12),
      ),
    ).toBe(at(10, 3));
    expect(todayDueAt([], at(10, 12))).toBe(at(11, 0));
    expect(backupDays([], [], at(10, 23), 3).map((b) => b.missed)).toEqual([true, true, false]);
  });

  it('counts per local day and kind; snapshots do not make a day backed up', () => {
    const days = backupDays([...nightly, { time: at(9, 3), kind: 'PBS' }], [at(8, 12), at(8, 13)], at(10, 9), 3);
    expect(days.map((b) => [b.day.getDate(), b.PVE, b.PBS, b.Snapshots])).toEqual([
      [8, 1, 0, 2],
      [9, 1, 1, 0],
      [10, 0, 0, 0],
    ]);
    const gap = backupDays(
      nightly.filter((b) => new Date(b.time).getDate() !== 8),
      [at(8, 12)],
      at(10, 1),
      3,
    );
    expect(gap.map((b) => b.missed)).toEqual([true, false, false]);
  });
});
