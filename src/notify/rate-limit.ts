/**
 * Per-URL send limit (sliding one-minute window). Pure bookkeeping over times passed in, so the
 * queue can ask "may I send now, and if not, when?" and defer instead of dropping.
 */
export class SlidingWindowLimiter {
  private readonly sends = new Map<string, number[]>();

  constructor(private readonly windowMs = 60_000) {}

  /** Records a send and returns 0, or returns the time at which a send will be allowed. */
  take(key: string, now: number, limit: number): number {
    const recent = (this.sends.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= limit) {
      this.sends.set(key, recent);
      return recent[recent.length - limit] + this.windowMs;
    }
    recent.push(now);
    this.sends.set(key, recent);
    return 0;
  }
}
