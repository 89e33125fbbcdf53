/**
 * The Grafana dashboard (docs/grafana/pulse.json) uses only series /metrics exposes, and every
 * query is valid PromQL (promtool check rules on the queries as recording rules, with the
 * dashboard's variables replaced by `.*`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { MetricsExporter } from '../../src/metrics/exporter.js';
import { StateMetrics } from '../../src/metrics/state-metrics.js';
import { StateStore } from '../../src/state/store.js';
import { tempDir } from '../helpers/pulse.js';

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
}

const dashboard = JSON.parse(fs.readFileSync('docs/grafana/pulse.json', 'utf8')) as { panels: Panel[] };
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => fs.existsSync(p));

describe('Grafana dashboard', () => {
  it('queries only families that /metrics exposes', async () => {
    const exporter = new MetricsExporter({ store: new StateStore(systemClock), monitoring: () => undefined });
    const text = await exporter.render();
    // An empty state renders no estate families, so those names come from the registry itself.
    const estate = new StateMetrics().registry.getMetricsAsArray().map((m) => m.name);
    const known = new Set([...estate, ...[...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1])]);
    expect(queries.length).toBeGreaterThan(30);
    for (const q of queries) {
      for (const name of q.expr.match(/\b(pulse|process|nodejs)_[a-z0-9_]+/g) ?? []) {
        expect(known.has(name), `${q.panel}: ${name}`).toBe(true);
      }
    }
  });

  it.skipIf(!promtool && process.env.CI !== 'true')('has valid PromQL in every query (promtool check rules)', () => {
    if (!promtool) throw new Error('CI=true and promtool (Debian package prometheus) is not installed');
    const rules = {
      groups: [
        {
          name: 'dashboard',
          rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: q.expr.replace(/\$\w+/g, '.*') })),
        },
      ],
    };
    const file = path.join(tempDir('pulse-grafana-'), 'rules.yml');
    // JSON is YAML, so the rules file needs no YAML writer.
    fs.writeFileSync(file, JSON.stringify(rules));
    const out = execFileSync(promtool, ['check', 'rules', file], { encoding: 'utf8' });
    expect(out).toContain(`SUCCESS: ${queries.length} rules found`);
  });
});
