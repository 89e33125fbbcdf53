/**
 * MetricsExporter: the body of GET /metrics.
 *
 * Two private registries: the estate (state-metrics.ts), rendered once per state version and
 * shared by every scrape until the next commit, and this process (Node's default metrics, poll
 * duration and errors per instance, Proxmox API call totals), a few dozen lines read fresh on
 * every scrape so they keep moving while the state does not.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Monitoring } from '../collect/monitoring.js';
import type { StateStore } from '../state/store.js';
import { PACKAGE_VERSION } from '../version.js';
import { StateMetrics } from './state-metrics.js';

const gzipAsync = promisify(gzip);

let nodeDefaults: Registry | undefined;
/**
 * Node's process metrics (CPU, memory, heap, event loop, GC), registered once per process: they
 * describe the process, and each registration adds a GC observer and an event-loop monitor that
 * are never removed (tests and benchmarks start many Pulses in one process).
 */
function nodeDefaultsRegistry(): Registry {
  if (!nodeDefaults) {
    nodeDefaults = new Registry();
    collectDefaultMetrics({ register: nodeDefaults });
    // prom-client names these gauges `_total`, which promtool rejects for non-counters; the same
    // counts are in nodejs_active_handles / _requests / _resources by type.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      nodeDefaults.removeSingleMetric(name);
    }
  }
  return nodeDefaults;
}

export interface MetricsExporterDeps {
  store: StateStore;
  /** Read lazily: the composition root creates monitoring after the exporter may exist. */
  monitoring: () => Monitoring | undefined;
  /** Connected WebSocket clients. */
  wsClients?: () => number;
}

interface Cached {
  version: number;
  /** The estate part as UTF-8, encoded once per version (it is megabytes on large estates). */
  text: Promise<Buffer>;
  /** The same, gzipped, built on the first scrape that accepts gzip. */
  gzip?: Promise<Buffer>;
}

/** A scrape's body: pieces written in order (the cached estate part is never copied). */
export interface MetricsBody {
  pieces: Buffer[];
  length: number;
  gzipped: boolean;
}

export class MetricsExporter {
  readonly contentType: string;
  /** Estate renders so far (tests and the benchmark read it to see the cache at work). */
  renders = 0;
  /** Seconds the last estate render took. */
  lastRenderSeconds = 0;
  readonly #deps: MetricsExporterDeps;
  readonly #estate = new StateMetrics();
  readonly #process = new Registry();
  #cached: Cached | undefined;
  /** Estate renders run one at a time: they share one registry that each fills and empties. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(deps: MetricsExporterDeps) {
    this.#deps = deps;
    this.contentType = this.#process.contentType;
    // A new version makes the cached text stale; let its megabytes go now, not at the next scrape.
    deps.store.onChange(() => {
      this.#cached = undefined;
    });
    this.#defineProcessMetrics();
  }

  /** The full exposition as text: the estate of the current state version, then this process. */
  async render(): Promise<string> {
    const body = await this.body(false);
    return Buffer.concat(body.pieces, body.length).toString('utf8');
  }

  /**
   * The body of one scrape. With `gzip`, the cached estate member and a fresh member for the
   * process part: concatenated gzip members are one valid gzip stream (RFC 1952 §2.2), so the
   * megabytes of the estate are compressed once per version, not per scrape.
   */
  async body(gzip: boolean): Promise<MetricsBody> {
    const cached = this.#current();
    // The estate first, so the process part (render time, render count) describes this body.
    if (gzip && !cached.gzip) cached.gzip = cached.text.then((b) => gzipAsync(b));
    const estate = await (gzip && cached.gzip ? cached.gzip : cached.text);
    const proc = Buffer.from((await this.#process.metrics()) + (await nodeDefaultsRegistry().metrics()), 'utf8');
    const tail = gzip ? await gzipAsync(proc) : proc;
    return { pieces: [estate, tail], length: estate.length + tail.length, gzipped: gzip };
  }

  #current(): Cached {
    const { store } = this.#deps;
    const version = store.version;
    if (this.#cached?.version !== version) {
      const state = store.get();
      const text = this.#chain.then(() => this.#renderEstate(state));
      this.#chain = text.catch(() => undefined);
      const entry: Cached = { version, text };
      this.#cached = entry;
      // A failed render must not stay cached for the rest of the version.
      text.catch(() => {
        if (this.#cached === entry) this.#cached = undefined;
      });
      return entry;
    }
    return this.#cached;
  }

  async #renderEstate(state: ReturnType<StateStore['get']>): Promise<Buffer> {
    const started = performance.now();
    const text = await this.#estate.render(state);
    this.renders++;
    this.lastRenderSeconds = (performance.now() - started) / 1000;
    return Buffer.from(text, 'utf8');
  }

  #defineProcessMetrics(): void {
    const reg = this.#process;
    const deps = this.#deps;
    const instances = () => {
      const m = deps.monitoring();
      if (!m) return [];
      return m.nodes
        .list()
        .map((cfg) => ({ labels: { instance: cfg.name, type: cfg.type }, status: m.status(cfg.uid) }));
    };
    new Gauge({
      name: 'pulse_build_info',
      help: 'Pulse version and Node.js version; always 1.',
      labelNames: ['version', 'nodejs'],
      registers: [reg],
      collect() {
        this.set({ version: PACKAGE_VERSION, nodejs: process.version }, 1);
      },
    });
    new Gauge({
      name: 'pulse_instance_up',
      help: 'Last poll of the configured instance succeeded (1) or failed (0).',
      labelNames: ['instance', 'type'],
      registers: [reg],
      collect() {
        this.reset();
        for (const i of instances()) if (i.status) this.set(i.labels, i.status.connected ? 1 : 0);
      },
    });
    new Gauge({
      name: 'pulse_poll_duration_seconds',
      help: 'How long the last poll cycle of the instance took.',
      labelNames: ['instance', 'type'],
      registers: [reg],
      collect() {
        this.reset();
        for (const i of instances()) {
          if (i.status?.lastDuration !== undefined) this.set(i.labels, i.status.lastDuration / 1000);
        }
      },
    });
    new Gauge({
      name: 'pulse_poll_last_success_timestamp_seconds',
      help: 'When the last successful poll cycle of the instance ended, unix seconds.',
      labelNames: ['instance', 'type'],
      registers: [reg],
      collect() {
        this.reset();
        for (const i of instances()) {
          if (i.status?.lastSuccess !== undefined) this.set(i.labels, i.status.lastSuccess / 1000);
        }
      },
    });
    new Gauge({
      name: 'pulse_poll_consecutive_failures',
      help: 'Failed poll cycles of the instance in a row (0 after a success).',
      labelNames: ['instance', 'type'],
      registers: [reg],
      collect() {
        this.reset();
        for (const i of instances()) if (i.status) this.set(i.labels, i.status.failures);
      },
    });
    // Counters owned elsewhere (the runners count): the collector copies their current totals.
    const copyCounter = (
      name: string,
      help: string,
      read: (s: NonNullable<ReturnType<Monitoring['status']>>) => number,
    ) =>
      new Counter({
        name,
        help,
        labelNames: ['instance', 'type'],
        registers: [reg],
        collect() {
          this.reset();
          for (const i of instances()) if (i.status) this.inc(i.labels, read(i.status));
        },
      });
    copyCounter('pulse_poll_cycles_total', 'Poll cycles run for the instance since start.', (s) => s.cycles);
    copyCounter('pulse_poll_errors_total', 'Poll cycles of the instance that failed since start.', (s) => s.errors);
    new Counter({
      name: 'pulse_proxmox_api_requests_total',
      help: 'Requests sent to Proxmox APIs since start, and how many failed.',
      labelNames: ['result'],
      registers: [reg],
      collect() {
        this.reset();
        const c = deps.monitoring()?.apiCalls;
        if (!c) return;
        this.inc({ result: 'success' }, Math.max(0, c.total - c.failed));
        this.inc({ result: 'failure' }, c.failed);
      },
    });
    const self = this;
    new Gauge({
      name: 'pulse_metrics_render_duration_seconds',
      help: 'Time the last rendering of the estate metrics took (once per state version).',
      registers: [reg],
      collect() {
        this.set(self.lastRenderSeconds);
      },
    });
    new Counter({
      name: 'pulse_metrics_renders_total',
      help: 'Renderings of the estate metrics (one per state version that was scraped).',
      registers: [reg],
      collect() {
        this.reset();
        this.inc(self.renders);
      },
    });
    new Gauge({
      name: 'pulse_state_version',
      help: 'Version of the live state (increases on every commit).',
      registers: [reg],
      collect() {
        this.set(deps.store.version);
      },
    });
    new Gauge({
      name: 'pulse_websocket_clients',
      help: 'Connected WebSocket clients.',
      registers: [reg],
      collect() {
        this.set(deps.wsClients?.() ?? 0);
      },
    });
  }
}
