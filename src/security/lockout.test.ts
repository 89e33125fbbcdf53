import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { LOCKOUT_MS, LoginLockout } from './lockout.js';

describe('LoginLockout', () => {
  it('locks on the 5th failure for 15 minutes, then forgets', () => {
    const clock = new ManualClock(0);
    const l = new LoginLockout(clock);
    for (let i = 1; i <= 4; i++) expect(l.fail('k')).toEqual({ locked: false, failures: i, lockedUntil: undefined });
    expect(l.fail('k')).toEqual({ locked: true, failures: 5, lockedUntil: LOCKOUT_MS });
    // Failures while locked do not extend the lock.
    clock.advance(60_000);
    expect(l.fail('k').lockedUntil).toBe(LOCKOUT_MS);
    clock.set(LOCKOUT_MS - 1);
    expect(l.state('k').locked).toBe(true);
    clock.set(LOCKOUT_MS);
    expect(l.state('k')).toEqual({ locked: false, failures: 0 });
  });

  it('keys are independent and reset clears one', () => {
    const l = new LoginLockout(new ManualClock(0), 2, 1000);
    l.fail('a');
    l.fail('a');
    l.fail('b');
    expect(l.state('a').locked).toBe(true);
    expect(l.state('b')).toMatchObject({ locked: false, failures: 1 });
    expect(l.reset('a')).toBe(true);
    expect(l.state('a').locked).toBe(false);
  });

  it('old failures age out after the lockout period without a lock', () => {
    const clock = new ManualClock(0);
    const l = new LoginLockout(clock);
    for (let i = 0; i < 4; i++) l.fail('k');
    clock.advance(LOCKOUT_MS);
    expect(l.fail('k')).toMatchObject({ locked: false, failures: 1 });
  });
});
