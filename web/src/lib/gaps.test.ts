import { describe, expect, it } from 'vitest';
import { insertGaps } from './gaps';

describe('insertGaps', () => {
  it('puts a null inside an interval much longer than the usual one', () => {
    const r = insertGaps([0, 10, 20, 30, 200, 210], [[1, 2, 3, 4, 5, 6]]);
    expect(r.times).toEqual([0, 10, 20, 30, 115, 200, 210]);
    expect(r.columns[0]).toEqual([1, 2, 3, 4, null, 5, 6]);
  });

  it('leaves evenly spaced data alone', () => {
    const r = insertGaps(
      [0, 10, 21, 30],
      [
        [1, 2, 3, 4],
        [0, 0, 0, 0],
      ],
    );
    expect(r.times).toEqual([0, 10, 21, 30]);
    expect(r.columns[1]).toEqual([0, 0, 0, 0]);
  });
});
