/**
 * The optional per-metric grace period of one threshold row ("for N s"), stored in
 * `metricTimeThresholds[type][metric]`. Empty means the row follows its type's grace period.
 */
import type { AlertConfig } from '../../api/types';
import { inputClass } from '../../components/ui';

export type GraceType = 'guest' | 'node' | 'storage' | 'pbs' | 'pmg' | 'docker';
type PerType = Record<string, Record<string, number>>;

const perTypeOf = (cfg: AlertConfig): PerType | undefined => {
  const v = cfg.metricTimeThresholds;
  return v && typeof v === 'object' ? (v as PerType) : undefined;
};

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The seconds a metric without its own value waits, in the order the engine looks them up. */
function inheritedSecs(cfg: AlertConfig, type: GraceType): number | undefined {
  const perMetric = perTypeOf(cfg)?.[type];
  const byType = (cfg.timeThresholds ?? {}) as Record<string, unknown>;
  return (
    num(perMetric?.default) ?? num(perMetric?.['*']) ?? num(byType[type]) ?? num(byType.all) ?? num(cfg.timeThreshold)
  );
}

/** A copy of `cfg` with the metric's grace set, or removed when `secs` is undefined (null when none is left). */
export function withMetricGrace(
  cfg: AlertConfig,
  type: GraceType,
  metric: string,
  secs: number | undefined,
): AlertConfig {
  const all: PerType = { ...(perTypeOf(cfg) ?? {}) };
  const row = { ...(all[type] ?? {}) };
  if (secs === undefined) delete row[metric];
  else row[metric] = secs;
  if (Object.keys(row).length > 0) all[type] = row;
  else delete all[type];
  return { ...cfg, metricTimeThresholds: Object.keys(all).length > 0 ? all : null };
}

export function MetricGrace(props: {
  cfg: AlertConfig;
  type: GraceType;
  metric: string;
  label: string;
  patch: (fn: (c: AlertConfig) => AlertConfig) => void;
}) {
  const own = () => num(perTypeOf(props.cfg)?.[props.type]?.[props.metric]);
  const inherited = () => inheritedSecs(props.cfg, props.type);
  return (
    <span class="flex items-center gap-1 text-xs text-slate-500 dark:text-slate-400">
      for
      <input
        type="number"
        min="0"
        step="1"
        aria-label={`${props.label} grace (s)`}
        title="Seconds the breach must last before the alert fires (empty: the type's grace period)"
        placeholder={inherited() === undefined ? '' : String(inherited())}
        class={`${inputClass} w-16`}
        value={own() === undefined ? '' : String(own())}
        onInput={(e) => {
          const raw = e.currentTarget.value.trim();
          const secs = raw === '' ? undefined : Number(raw);
          if (secs !== undefined && !(Number.isFinite(secs) && secs >= 0)) return;
          props.patch((c) => withMetricGrace(c, props.type, props.metric, secs));
        }}
      />
      s
    </span>
  );
}
