/**
 * Breaks chart lines where samples are missing. Charts draw a line between neighbouring points,
 * so an outage of an hour would look like a smooth ramp; a null placed inside every interval much
 * longer than the usual one makes the chart library leave a gap there instead.
 */
export function insertGaps(
  times: number[],
  columns: Array<Array<number | null>>,
  factor = 3,
): { times: number[]; columns: Array<Array<number | null>> } {
  if (times.length < 3) return { times, columns };
  const steps = times
    .slice(1)
    .map((t, i) => t - (times[i] as number))
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  const usual = steps[Math.floor(steps.length / 2)];
  if (!usual) return { times, columns };
  const outTimes: number[] = [];
  const outCols: Array<Array<number | null>> = columns.map(() => []);
  for (let i = 0; i < times.length; i++) {
    const t = times[i] as number;
    if (i > 0 && t - (times[i - 1] as number) > usual * factor) {
      outTimes.push(((times[i - 1] as number) + t) / 2);
      for (const c of outCols) c.push(null);
    }
    outTimes.push(t);
    for (let j = 0; j < columns.length; j++) outCols[j]?.push(columns[j]?.[i] ?? null);
  }
  return { times: outTimes, columns: outCols };
}
