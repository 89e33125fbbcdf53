/**
 * Benchmark: one alert round on a synthetic 10,000-guest state (bench/state-fixture.ts) with
 * lowered guest thresholds, so ~18,000–20,000 alerts are active. Prints figures; asserts nothing.
 *
 *   npx tsx bench/alert-round.ts [--steady] [--rounds 8]
 *
 * Two timings per round: the pure `evaluate` (engine.ts) threaded through its own memory, and
 * `AlertService.evaluateNow` (engine + SQLite persistence + state commit) against a real temp
 * database and StateStore. Without --steady the synthetic figures move every round (~3,000
 * raises/resolutions and 2,000–4,000 notifications per round: churn); with it they stay put
 * (the steady case: only live figures refresh). The first two rounds raise everything; compare
 * the mean of the later ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { normaliseAlertConfig } from '../src/alerts/config.js';
import { evaluate } from '../src/alerts/engine.js';
import { emptyMemory } from '../src/alerts/memory.js';
import { AlertService } from '../src/alerts/service.js';
import { ManualClock } from '../src/clock.js';
import { openDatabase } from '../src/db/database.js';
import { PulseEvents } from '../src/events.js';
import { createLogger } from '../src/logging.js';
import { StateStore } from '../src/state/store.js';
import { commitSynthetic, syntheticState } from './state-fixture.js';

const args = process.argv.slice(2);
const steady = args.includes('--steady');
const ri = args.indexOf('--rounds');
const rounds = ri >= 0 ? Number(args[ri + 1]) : 8;
const estate = { nodes: 100, guestsPerNode: 100 };
const config = normaliseAlertConfig({
  timeThreshold: 0,
  guestDefaults: {
    cpu: { trigger: 20, clear: 15 },
    memory: { trigger: 30, clear: 25 },
    disk: { trigger: 20, clear: 15 },
  },
});
const tickOf = (i: number) => (steady ? 1 : i);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const show = (xs: number[]) =>
  `${xs.map((x) => x.toFixed(0)).join(' ')} ms; mean of rounds 3+: ${mean(xs.slice(2)).toFixed(0)} ms`;

const clock = new ManualClock(Date.UTC(2026, 0, 1));
let memory = emptyMemory();
const pure: number[] = [];
for (let i = 0; i < rounds; i++) {
  clock.advance(10_000);
  const state = syntheticState({ ...estate, tick: tickOf(i), now: clock.now() });
  const t0 = performance.now();
  memory = evaluate(config, state, memory, clock.now()).memory;
  pure.push(performance.now() - t0);
}
console.log(`${steady ? 'steady' : 'churn'}: ${Object.keys(memory.active).length} active alerts`);
console.log(`evaluate:            ${show(pure)}`);

const dir = mkdtempSync(join(tmpdir(), 'pulse-alert-round-'));
const db = openDatabase(dir);
const state = new StateStore(clock);
const service = new AlertService({
  db,
  clock,
  state,
  events: new PulseEvents(),
  logger: createLogger({ level: 'silent' }),
  notify: () => {},
  tickMs: 0,
});
service.updateConfig(config);
const full: number[] = [];
for (let i = 0; i < rounds; i++) {
  clock.advance(10_000);
  commitSynthetic(state, { ...estate, tick: tickOf(i), now: clock.now() });
  const t0 = performance.now();
  service.evaluateNow();
  full.push(performance.now() - t0);
}
console.log(`service evaluateNow: ${show(full)}`);
db.close();
rmSync(dir, { recursive: true, force: true });
