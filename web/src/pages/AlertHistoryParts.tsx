/**
 * Pieces of the alert history view: an entry's status (active, acknowledged, resolved), how long
 * it lasted, and a chart of how many alerts started per day.
 */
import type { FullAlert } from '@model/state';
import { createMemo, For, Show } from 'solid-js';
import { live } from '../stores/live';

export type HistoryEntry = FullAlert & { resolvedTime?: string };

export type HistoryStatus = 'active' | 'acknowledged' | 'resolved' | 'ended';

/**
 * A history row is resolved when the server recorded its end; otherwise the live list says
 * whether it is still active (and acknowledged). "ended" is an alert cleared by hand or dropped
 * without a recorded resolution.
 */
export function historyStatus(a: HistoryEntry): HistoryStatus {
  if (a.resolvedTime) return 'resolved';
  const current = live.state.activeAlerts.find((x) => x.id === a.id && x.startTime === a.startTime);
  if (!current) return 'ended';
  return current.acknowledged ? 'acknowledged' : 'active';
}

export function spanText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** Resolved: start to resolution; still open: start to now; ended without a record: unknown. */
export function historyDuration(a: HistoryEntry, now: number): string {
  const start = Date.parse(a.startTime);
  if (!Number.isFinite(start)) return '—';
  if (a.resolvedTime) return spanText(Date.parse(a.resolvedTime) - start);
  const st = historyStatus(a);
  if (st === 'active' || st === 'acknowledged') return `${spanText(now - start)} so far`;
  return '—';
}

const STATUS_CLASS: Record<HistoryStatus, string> = {
  active: 'bg-red-100 text-red-800 dark:bg-red-950/60 dark:text-red-200',
  acknowledged: 'bg-sky-100 text-sky-800 dark:bg-sky-950/60 dark:text-sky-200',
  resolved: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-200',
  ended: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
};

export function StatusBadge(props: { status: HistoryStatus }) {
  return (
    <span class={`rounded px-1.5 py-px text-[11px] font-medium ${STATUS_CLASS[props.status]}`}>{props.status}</span>
  );
}

const DAY = 86_400_000;

function dayStart(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Alerts started per local day over the last `days` days, warning and critical stacked. */
export function FrequencyChart(props: { alerts: HistoryEntry[]; days?: number }) {
  const days = () => props.days ?? 30;
  const buckets = createMemo(() => {
    const today = dayStart(Date.now());
    const out = Array.from({ length: days() }, (_, i) => ({
      day: today - (days() - 1 - i) * DAY,
      warning: 0,
      critical: 0,
    }));
    for (const a of props.alerts) {
      const t = Date.parse(a.startTime);
      if (!Number.isFinite(t)) continue;
      // Rounding absorbs daylight-saving days that are 23 or 25 hours long.
      const i = days() - 1 - Math.round((today - dayStart(t)) / DAY);
      const b = out[i];
      if (!b) continue;
      if (a.level === 'critical') b.critical++;
      else b.warning++;
    }
    return out;
  });
  const max = () => Math.max(1, ...buckets().map((b) => b.warning + b.critical));
  const total = () => buckets().reduce((n, b) => n + b.warning + b.critical, 0);
  const W = 720;
  const H = 140;
  const PAD = { l: 32, r: 8, t: 8, b: 22 };
  const bw = () => (W - PAD.l - PAD.r) / days();
  const y = (v: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - v / max());
  const label = (ms: number) => new Date(ms).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return (
    <figure class="w-full">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        class="h-36 w-full text-slate-500"
        role="img"
        aria-label={`Alerts per day over the last ${days()} days: ${total()} in total`}
      >
        <title>Alerts per day</title>
        <line x1={PAD.l} x2={W - PAD.r} y1={y(0)} y2={y(0)} class="stroke-slate-300 dark:stroke-slate-600" />
        <text x={PAD.l - 4} y={y(max()) + 4} text-anchor="end" class="fill-current text-[10px]">
          {max()}
        </text>
        <text x={PAD.l - 4} y={y(0)} text-anchor="end" class="fill-current text-[10px]">
          0
        </text>
        <For each={buckets()}>
          {(b, i) => (
            <g>
              <title>{`${label(b.day)}: ${b.warning} warning, ${b.critical} critical`}</title>
              <rect
                x={PAD.l + i() * bw() + 1}
                width={Math.max(1, bw() - 2)}
                y={y(b.warning + b.critical)}
                height={y(0) - y(b.warning + b.critical)}
                class="fill-amber-400"
              />
              <rect
                x={PAD.l + i() * bw() + 1}
                width={Math.max(1, bw() - 2)}
                y={y(b.critical)}
                height={y(0) - y(b.critical)}
                class="fill-red-500"
              />
              <Show when={i() % 7 === (days() - 1) % 7}>
                <text x={PAD.l + (i() + 0.5) * bw()} y={H - 6} text-anchor="middle" class="fill-current text-[10px]">
                  {label(b.day)}
                </text>
              </Show>
            </g>
          )}
        </For>
      </svg>
      <figcaption class="text-xs text-slate-500">
        Alerts started per day (amber warning, red critical), last {days()} days.
      </figcaption>
    </figure>
  );
}
