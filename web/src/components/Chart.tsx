/** A uPlot time-series chart that follows the theme and its container's width. */
import { createEffect, onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatBytes } from '../lib/format';
import { insertGaps } from '../lib/gaps';
import { theme } from '../stores/theme';

/** What the y values are: the axis labels and the legend values carry the unit. */
export type ChartUnit = 'percent' | 'bytesPerSecond';

function formatValue(unit: ChartUnit | undefined, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (unit === 'percent') return `${Math.round(v * 10) / 10}%`;
  if (unit === 'bytesPerSecond') return `${formatBytes(v)}/s`;
  return String(v);
}

export interface Series {
  label: string;
  color: string;
  values: number[];
}

export function TimeChart(props: {
  label: string;
  times: number[];
  series: Series[];
  height?: number;
  unit?: ChartUnit;
}) {
  let box!: HTMLDivElement;
  let plot: uPlot | undefined;

  const build = () => {
    plot?.destroy();
    const axisColor = theme() === 'dark' ? '#94a3b8' : '#475569';
    const grid = { stroke: theme() === 'dark' ? '#334155' : '#e2e8f0', width: 1 };
    const unit = props.unit;
    const { times, columns } = insertGaps(
      props.times,
      props.series.map((s) => s.values),
    );
    plot = new uPlot(
      {
        width: Math.max(200, box.clientWidth),
        height: props.height ?? 180,
        series: [
          {},
          ...props.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 1.5,
            value: (_u: uPlot, v: number | null) => formatValue(unit, v),
          })),
        ],
        // Percent charts always show 0–100 so two charts compare at a glance.
        scales: unit === 'percent' ? { y: { range: [0, 100] } } : undefined,
        axes: [
          { stroke: axisColor, grid },
          {
            stroke: axisColor,
            grid,
            // Wide enough for labels like "12.5 MB/s", which the default width clips.
            size: unit === 'bytesPerSecond' ? 78 : 52,
            values: (_u: uPlot, vals: number[]) => vals.map((v) => formatValue(unit, v)),
          },
        ],
        legend: { show: true },
      },
      [times, ...columns] as uPlot.AlignedData,
      box,
    );
  };

  onMount(() => {
    const ro = new ResizeObserver(() =>
      plot?.setSize({ width: Math.max(200, box.clientWidth), height: props.height ?? 180 }),
    );
    ro.observe(box);
    onCleanup(() => {
      ro.disconnect();
      plot?.destroy();
    });
  });
  createEffect(() => {
    theme();
    props.times;
    props.series;
    build();
  });
  return <div ref={box} role="img" aria-label={props.label} class="w-full" />;
}
