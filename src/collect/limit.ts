/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  const n = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}

/** Like mapLimit, but a failing call yields `{error}` instead of rejecting the batch. */
export async function settleLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<Array<{ value: R; error?: undefined } | { value?: undefined; error: unknown }>> {
  return mapLimit(items, limit, async (item, i) => {
    try {
      return { value: await fn(item, i) };
    } catch (error) {
      return { error };
    }
  });
}
