/**
 * Benchmark: one alert round on a synthetic 10,000-guest state (bench/state-fixture.ts) with
 * lowered guest thresholds, so ~18,000–20,000 metric alerts are active, plus backups and
 * snapshots like the real estate's (3 storage backups per guest, an old snapshot on 44 % of the
 * guests → ~4,400 snapshot-age alerts). Prints figures; asserts nothing.
 *
 *   node --expose-gc --import tsx bench/alert-round.ts [--steady] [--rounds 8] [--no-backups]
 *        [--default-thresholds] [--stride 10] [--arrive] [--coverage]
 *
 * (`npx tsx bench/alert-round.ts` works too, without the allocation figures.)
 *
 * Two timings per round: the pure `evaluate` (engine.ts) threaded through its own memory, and
 * `AlertService.evaluateNow` (engine + SQLite persistence + state commit) against a real temp
 * database and StateStore. Without --steady the synthetic figures move every round (~3,000
 * raises/resolutions and 2,000–4,000 notifications per round: churn); with it they stay put
 * (the steady case: only live figures refresh). Rounds are 10 s apart on the injected clock. The
 * first two rounds raise everything; compare the medians of the later ones.
 *
 * Like the poll-cycle bench's slow rounds:
 * - --stride S: rounds S seconds apart instead of 10; from 60 on, every round measures the backup
 *   and snapshot ages anew (AGE_CLOCK_MS), as in the poll-cycle bench's replayed hour (120 s).
 * - --arrive: the backup lists (and their listing status) are committed only before round 3, so
 *   round 3 is the first after they arrive (~4,400 snapshot-age alerts raised, the backup index
 *   built); it is reported on its own line and left out of the rounds-3+ figures.
 * - --coverage: the service rounds take the backup coverage audit as the server hands it in
 *   (BackupCoverageService over the StateStore, its report reused for up to a minute), computed
 *   inside the measured round as in AlertService.evaluateNow.
 *
 * Per round the bench also reports (rounds 3+, median and max):
 * - block: the round's wall time. The round is one synchronous call, so this is the event-loop
 *   stall it causes.
 * - cpu: process CPU time during the round (user + system, all threads: includes parallel GC
 *   work). Steadier than wall time on a shared machine.
 * - gc: GC pauses that ran inside the round (PerformanceObserver 'gc' entries; a full GC is forced
 *   before every round, so none are left over from the previous one).
 * - alloc: heap growth across the round (`process.memoryUsage().heapUsed`, after a forced GC).
 *   It equals the round's allocation only while no scavenge runs inside the round; run with
 *   `--min-semi-space-size=256 --max-semi-space-size=256` (node flags) for that — the gc column
 *   then shows 0 collections. With default flags it is a lower bound.
 * - kept: heap growth that survives a full GC after the round (memory the round retains).
 * A last service round 5 minutes later shows the periodic full write of the active rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PerformanceEntry, PerformanceObserver, performance } from 'node:perf_hooks';
import { normaliseAlertConfig } from '../src/alerts/config.js';
import { evaluate } from '../src/alerts/engine.js';
import { emptyMemory } from '../src/alerts/memory.js';
import { AlertService } from '../src/alerts/service.js';
import { BackupCoverageService } from '../src/backups/service.js';
import { ManualClock } from '../src/clock.js';
import { openDatabase } from '../src/db/database.js';
import { PulseEvents } from '../src/events.js';
import { createLogger } from '../src/logging.js';
import type { Guest, PulseState } from '../src/model/state.js';
import { StateStore } from '../src/state/store.js';
import { commitSynthetic, syntheticState } from './state-fixture.js';

const args = process.argv.slice(2);
const steady = args.includes('--steady');
const withBackups = !args.includes('--no-backups');
const ri = args.indexOf('--rounds');
const rounds = ri >= 0 ? Number(args[ri + 1]) : 8;
const si = args.indexOf('--stride');
const strideMs = (si >= 0 ? Number(args[si + 1]) : 10) * 1000;
const arrive = withBackups && args.includes('--arrive');
const withCoverage = withBackups && args.includes('--coverage');
/** The round (0-based) whose state first holds the backup lists. */
const arrival = arrive ? 2 : 0;
const estate = { nodes: 100, guestsPerNode: 100 };
// --default-thresholds: the default guest thresholds, so only the ~4,400 snapshot-age alerts are
// active (like the large simulator estate: ~5,200 active, 4,400 of them snapshot ages).
const lowered = !args.includes('--default-thresholds');
const config = normaliseAlertConfig({
  timeThreshold: 0,
  ...(lowered
    ? {
        guestDefaults: {
          cpu: { trigger: 20, clear: 15 },
          memory: { trigger: 30, clear: 25 },
          disk: { trigger: 20, clear: 15 },
        },
      }
    : {}),
});
const tickOf = (i: number) => (steady ? 1 : i);
const DAY_S = 86_400;
const start = Date.UTC(2026, 0, 1);

/** Backups and snapshots of every guest of the synthetic estate (built once: they change rarely). */
function backupsOf(s: PulseState): PulseState['pveBackups'] {
  const nowS = start / 1000;
  const out: PulseState['pveBackups'] = { backupTasks: [], storageBackups: [], guestSnapshots: [] };
  const guests: Guest[] = [...s.vms, ...s.containers];
  for (const g of guests) {
    for (let k = 1; k <= 3; k++) {
      const time = nowS - k * DAY_S - (g.vmid % 3600);
      out.storageBackups.push({
        id: `${g.instance}-${g.node}-local-${g.vmid}-${k}`,
        storage: 'local',
        node: g.node,
        instance: g.instance,
        type: g.type === 'qemu' ? 'qemu' : 'lxc',
        vmid: g.vmid,
        time,
        ctime: time,
        size: 4 * 1024 ** 3,
        format: 'vma.zst',
        protected: false,
        volid: `local:backup/vzdump-${g.type}-${g.vmid}-${k}.vma.zst`,
        isPBS: false,
        verified: false,
      });
    }
    if (g.vmid % 100 < 44) {
      out.guestSnapshots.push({
        id: `${g.instance}-${g.node}-${g.vmid}-before-upgrade`,
        name: 'before-upgrade',
        node: g.node,
        instance: g.instance,
        type: g.type,
        vmid: g.vmid,
        time: nowS - (15 + (g.vmid % 10)) * DAY_S,
        vmstate: false,
      });
    }
  }
  return out;
}
const backups = withBackups ? backupsOf(syntheticState({ ...estate, now: start })) : undefined;
/** The listing status the coverage audit waits for (the lists came in at `now`). */
const backupSources = (now: number): PulseState['backupSources'] => ({
  'pve:pve': { kind: 'pve', instance: 'pve', listedAt: now },
});
/** One PBS list for every round, as the store keeps it while no PBS is polled (the audit's cache looks at its identity). */
const noPbsBackups: PulseState['pbsBackups'] = [];
const stateAt = (i: number, now: number, listedAt: number) => {
  const s = syntheticState({ ...estate, tick: tickOf(i), now });
  s.pbsBackups = noPbsBackups;
  if (backups && i >= arrival) {
    s.pveBackups = backups;
    s.backupSources = backupSources(listedAt);
  }
  return s;
};

const gc = (globalThis as { gc?: () => void }).gc;
const gcEntries: PerformanceEntry[] = [];
new PerformanceObserver((list) => gcEntries.push(...list.getEntries())).observe({ entryTypes: ['gc'] });
const settle = () => new Promise((r) => setImmediate(r));

interface RoundFigures {
  ms: number;
  cpuMs: number;
  gcCount: number;
  gcMs: number;
  allocMB: number;
  keptMB: number;
}

/** Runs `round` once with the measurements described in the header. */
async function measured(round: () => void): Promise<RoundFigures> {
  gc?.();
  await settle();
  const h0 = process.memoryUsage().heapUsed;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  round();
  const t1 = performance.now();
  const cpu = process.cpuUsage(c0);
  const h1 = process.memoryUsage().heapUsed;
  await settle();
  await settle();
  const inRound = gcEntries.filter((e) => e.startTime >= t0 && e.startTime < t1);
  gc?.();
  const h2 = process.memoryUsage().heapUsed;
  return {
    ms: t1 - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    gcCount: inRound.length,
    gcMs: inRound.reduce((a, e) => a + e.duration, 0),
    allocMB: (h1 - h0) / 2 ** 20,
    keptMB: (h2 - h0) / 2 ** 20,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function report(label: string, figs: RoundFigures[]): void {
  const later = figs.slice(arrive ? 3 : 2);
  const col = (f: (r: RoundFigures) => number, digits = 0) =>
    `median ${median(later.map(f)).toFixed(digits)} max ${Math.max(...later.map(f)).toFixed(digits)}`;
  console.log(`${label}: ${figs.map((r) => r.ms.toFixed(0)).join(' ')} ms`);
  if (arrive) {
    const a = figs[arrival];
    console.log(
      `  arrival round (3): block ${a.ms.toFixed(0)} ms; cpu ${a.cpuMs.toFixed(0)} ms; gc ${a.gcMs.toFixed(0)} ms; alloc ${a.allocMB.toFixed(0)} MB; kept ${a.keptMB.toFixed(1)} MB`,
    );
  }
  console.log(`  rounds ${arrive ? 4 : 3}+: block ${col((r) => r.ms)} ms; cpu ${col((r) => r.cpuMs)} ms`);
  if (!gc) return;
  console.log(
    `  gc in round ${col((r) => r.gcMs)} ms (${col((r) => r.gcCount)} collections); alloc ${col((r) => r.allocMB)} MB; kept ${col((r) => r.keptMB, 1)} MB`,
  );
}

async function main(): Promise<void> {
  if (!gc) console.log('(run with node --expose-gc --import tsx for the allocation and GC figures)');
  const clock = new ManualClock(start);
  let memory = emptyMemory();
  const pure: RoundFigures[] = [];
  // The audit on its own store, so the pure rounds see it as the service rounds do.
  const auditDir = withCoverage ? mkdtempSync(join(tmpdir(), 'pulse-alert-round-')) : undefined;
  const auditDb = auditDir ? openDatabase(auditDir) : undefined;
  let current: PulseState | undefined;
  const audit = auditDb
    ? new BackupCoverageService({ db: auditDb, state: { get: () => current as PulseState }, clock })
    : undefined;
  let listedAt = start;
  for (let i = 0; i < rounds; i++) {
    clock.advance(i === 0 ? 10_000 : strideMs);
    if (i === arrival) listedAt = clock.now();
    const state = stateAt(i, clock.now(), listedAt);
    current = state;
    pure.push(
      await measured(() => {
        const insight =
          audit && BackupCoverageService.backupsKnown(state) ? { coverage: audit.current().guests } : undefined;
        memory = evaluate(config, state, memory, clock.now(), insight).memory;
      }),
    );
  }
  auditDb?.close();
  if (auditDir) rmSync(auditDir, { recursive: true, force: true });
  const byType = new Map<string, number>();
  for (const t of Object.values(memory.active)) byType.set(t.alert.type, (byType.get(t.alert.type) ?? 0) + 1);
  console.log(
    `${steady ? 'steady' : 'churn'}: ${Object.keys(memory.active).length} active alerts (${[...byType]
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
  );
  report('evaluate           ', pure);
  memory = emptyMemory();

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
  if (withCoverage) {
    const coverage = new BackupCoverageService({ db, state, clock });
    // start() hands the service its insight source; stopped at once so that commits schedule no
    // rounds of their own (the bench runs each round itself).
    service.start(() => ({
      coverage: BackupCoverageService.backupsKnown(state.get()) ? coverage.current().guests : undefined,
    }));
    service.stop();
  }
  const full: RoundFigures[] = [];
  for (let i = 0; i < rounds; i++) {
    clock.advance(i === 0 ? 10_000 : strideMs);
    commitSynthetic(state, { ...estate, tick: tickOf(i), now: clock.now() });
    if (backups && i === arrival) {
      const now = clock.now();
      state.commit((d) => {
        d.pveBackups = backups;
        d.backupSources = backupSources(now);
      });
    }
    full.push(await measured(() => service.evaluateNow()));
  }
  report('service evaluateNow', full);
  // Every 5 minutes the service also rewrites the live figures (lastSeen, value) of the rows.
  clock.advance(5 * 60_000);
  commitSynthetic(state, { ...estate, tick: tickOf(rounds - 1), now: clock.now() });
  const fullWrite = await measured(() => service.evaluateNow());
  console.log(
    `  round 5 min later (full write of the active rows): block ${fullWrite.ms.toFixed(0)} ms; cpu ${fullWrite.cpuMs.toFixed(0)} ms`,
  );
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
