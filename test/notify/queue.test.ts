/**
 * The delivery queue end to end, with a ManualClock deciding when retries are due:
 * retry after failure, dead-letter list and manual retry, per-URL rate limit (delayed, not
 * dropped), isolation of a hanging destination, and jobs surviving a restart.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { openDatabase } from '../../src/db/database.js';
import { makeAlert } from '../helpers/alerts.js';
import { api, waitFor } from '../helpers/http.js';
import { startTestPulse, tempDir } from '../helpers/pulse.js';
import { HttpReceiver } from '../helpers/receivers.js';

process.env.PULSE_ALLOW_LOOPBACK_WEBHOOKS = 'true';

type Pulse = Awaited<ReturnType<typeof startTestPulse>>;

let rx: HttpReceiver;
beforeAll(async () => {
  rx = await new HttpReceiver().start();
});
afterAll(() => rx.close());

const running: Pulse[] = [];
afterEach(async () => {
  rx.respond = () => 200;
  for (const p of running.splice(0)) await p.close();
});

async function start(clock: ManualClock, dataDir?: string): Promise<Pulse> {
  const p = await startTestPulse({ clock, dataDir });
  running.push(p);
  return p;
}

async function addHook(p: Pulse, path: string): Promise<string> {
  const r = await api(p.url, 'POST', '/api/notifications/webhooks', {
    name: path,
    url: `${rx.url}${path}`,
    service: 'generic',
  });
  expect(r.status, r.text).toBe(200);
  return r.body.id;
}

const fire = (p: Pulse, id = 'a1') =>
  p.deps.notifications.notifier.enqueue([{ kind: 'fired', alert: makeAlert({ id }) }]);
const queued = async (p: Pulse) =>
  (await api(p.url, 'GET', '/api/notifications/queue')).body as Array<Record<string, unknown>>;

describe('delivery queue', () => {
  it('a receiver that fails (500) and then recovers gets its message from the queue', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const p = await start(clock);
    await addHook(p, '/flaky');
    rx.respond = () => 500;
    fire(p);
    const [job] = await waitFor(async () => {
      const q = await queued(p);
      return q.length === 1 && q[0].attempts === 1 && q[0].status === 'pending' ? q : null;
    }, 'first failed attempt');
    expect(job.lastStatusCode).toBe(500);
    expect(Date.parse(job.nextAttemptAt as string)).toBeGreaterThan(clock.now()); // backoff, not a hot loop
    expect(rx.all('/flaky')).toHaveLength(1);

    rx.respond = () => 200;
    clock.advance(60_000);
    p.deps.notifications.queue.wake();
    await waitFor(() => rx.all('/flaky').length === 2, 'the retry');
    await waitFor(async () => (await queued(p)).length === 0, 'queue to drain');
    const hist = (await api(p.url, 'GET', '/api/notifications/history?channel=webhook')).body;
    expect(hist.map((h: { success: boolean; retryAttempts: number }) => [h.success, h.retryAttempts])).toEqual([
      [true, 1],
      [false, 0],
    ]);
    const summary = (await api(p.url, 'GET', '/api/notifications/')).body;
    expect(summary.queue).toMatchObject({ pending: 0, dead: 0, delivered: 1, failedAttempts: 1 });
  });

  it('a rejected payload (4xx) goes to the dead-letter list, and the user can retry it', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const p = await start(clock);
    await addHook(p, '/reject');
    rx.respond = () => 400;
    fire(p, 'dl-1');
    const dead = await waitFor(async () => {
      const d = (await api(p.url, 'GET', '/api/notifications/dead-letter')).body;
      return d.length === 1 ? d : null;
    }, 'dead letter');
    expect(dead[0]).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastStatusCode: 400,
      alertIds: ['dl-1'],
      targetName: '/reject',
    });
    expect(dead[0].lastError).toContain('HTTP 400');

    rx.respond = () => 200;
    expect((await api(p.url, 'POST', `/api/notifications/dead-letter/${dead[0].id}/retry`)).status).toBe(200);
    await waitFor(() => rx.all('/reject').length === 2, 'manual retry');
    await waitFor(
      async () => (await api(p.url, 'GET', '/api/notifications/dead-letter')).body.length === 0,
      'dead list empty',
    );
    expect((await api(p.url, 'POST', '/api/notifications/dead-letter/999999/retry')).status).toBe(404);
    expect((await api(p.url, 'POST', '/api/notifications/dead-letter/abc/retry')).status).toBe(400);
  });

  it('more than 10 sends a minute to one URL are delayed, not dropped', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const p = await start(clock);
    await addHook(p, '/limited');
    for (let i = 0; i < 12; i++) fire(p, `rl-${i}`);
    await waitFor(() => rx.all('/limited').length === 10, 'ten sends');
    const waiting = await waitFor(async () => {
      const q = await queued(p);
      const deferred = (j: Record<string, unknown>) =>
        j.status === 'pending' && Date.parse(j.nextAttemptAt as string) > clock.now();
      // The first excess job is deferred; the second waits behind it (per-destination order).
      return q.length === 2 && q.every((j) => j.status === 'pending') && q.some(deferred) ? q : null;
    }, 'two waiting jobs, the first deferred');
    for (const j of waiting) expect(j.attempts).toBe(0); // a deferral is not a failed attempt
    expect(rx.all('/limited')).toHaveLength(10);
    clock.advance(61_000);
    p.deps.notifications.queue.wake();
    await waitFor(() => rx.all('/limited').length === 12, 'all twelve');
    const ids = rx.all('/limited').map((r) => JSON.parse(r.body).alerts[0].id);
    expect(new Set(ids).size).toBe(12);
  });

  it('a hanging destination does not delay the others', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const p = await start(clock);
    await addHook(p, '/hang');
    await addHook(p, '/fast');
    rx.respond = (r) => (r.path === '/hang' ? 'hang' : 200);
    fire(p, 'iso-1');
    fire(p, 'iso-2');
    await waitFor(() => rx.all('/fast').length === 2, 'fast destination to get both');
    expect(rx.all('/hang')).toHaveLength(1); // first request still open; the second waits in its own lane
    const q = await queued(p);
    expect(q.map((j) => j.status).sort()).toEqual(['pending', 'sending']);
  });

  it('queued jobs survive a restart: in-flight ones and ones waiting for a retry', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const dataDir = tempDir('pulse-notify-restart-');
    const p1 = await start(clock, dataDir);
    await addHook(p1, '/inflight');
    await addHook(p1, '/retrying');
    rx.respond = (r) => (r.path === '/inflight' ? 'hang' : 503);
    fire(p1, 'restart-1');
    await waitFor(() => rx.all('/inflight').length === 1 && rx.all('/retrying').length === 1, 'both attempted');
    await waitFor(async () => (await queued(p1)).some((j) => j.attempts === 1), 'retry scheduled');
    await p1.close();
    running.splice(running.indexOf(p1), 1);
    // As if the process had died mid-send: rows left 'sending' must be picked up again.
    const db = openDatabase(dataDir);
    expect(db.prepare("UPDATE notify_jobs SET status = 'sending'").run().changes).toBe(2);
    db.close();

    rx.respond = () => 200;
    clock.advance(60_000);
    const p2 = await start(clock, dataDir);
    await waitFor(() => rx.all('/inflight').length === 2 && rx.all('/retrying').length === 2, 'delivery after restart');
    for (const path of ['/inflight', '/retrying']) {
      expect(JSON.parse(rx.all(path)[1].body).alerts[0].id).toBe('restart-1');
    }
    await waitFor(async () => (await queued(p2)).length === 0, 'queue empty after restart');
  });
});
