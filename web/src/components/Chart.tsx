/** A uPlot time-series chart that follows the theme and its container's width. */
import { createEffect, onCleanup, onMount } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { theme } from '../stores/theme';

export interface Series {
  label: string;
  color: string;
  values: number[];
}

export function TimeChart(props: { label: string; times: number[]; series: Series[]; height?: number }) {
  let box!: HTMLDivElement;
  let plot: uPlot | undefined;

  const build = () => {
    plot?.destroy();
    const axisColor = theme() === 'dark' ? '#94a3b8' : '#475569';
    const grid = { stroke: theme() === 'dark' ? '#334155' : '#e2e8f0', width: 1 };
    plot = new uPlot(
      {
        width: Math.max(200, box.clientWidth),
        height: props.height ?? 180,
        series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5 }))],
        axes: [
          { stroke: axisColor, grid },
          { stroke: axisColor, grid },
        ],
        legend: { show: true },
      },
      [props.times, ...props.series.map((s) => s.values)] as uPlot.AlignedData,
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
