/** Small presentational building blocks shared by the pages. */
import { createUniqueId, For, type JSX, Show, splitProps } from 'solid-js';
import { tagHue, usageTone } from '../lib/format';
import { linkClick } from '../router';

/**
 * A usage bar with its label inside; the exact values are in the title (hover) and exposed as
 * a meter to assistive technology. One element: the fill is its background (styles.css
 * `.usage-bar`), so a table of them has no clip or opacity layer per bar to paint.
 */
export function Bar(props: { percent: number; label: string; title: string; name: string; muted?: boolean }) {
  const pct = () => (Number.isFinite(props.percent) ? Math.max(0, Math.min(100, props.percent)) : 0);
  return (
    // biome-ignore lint/a11y/useSemanticElements: <meter> cannot hold the styled label text inside the bar
    <div
      role="meter"
      aria-label={props.name}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct())}
      aria-valuetext={props.title}
      title={props.title}
      class={`usage-bar usage-${props.muted ? 'muted' : usageTone(pct())}`}
      style={{ '--bar-pct': `${pct()}%` }}
    >
      {props.label}
    </div>
  );
}

/** A tiny line chart (no axes) for a row's recent history. */
export function Sparkline(props: { values: number[]; max?: number; label: string; width?: number; height?: number }) {
  const w = () => props.width ?? 64;
  const h = () => props.height ?? 16;
  const points = () => {
    const v = props.values;
    if (v.length < 2) return '';
    const max = props.max ?? Math.max(1, ...v);
    return v
      .map(
        (y, i) =>
          `${((i / (v.length - 1)) * w()).toFixed(1)},${(h() - 1 - (Math.max(0, y) / max) * (h() - 2)).toFixed(1)}`,
      )
      .join(' ');
  };
  return (
    <svg
      width={w()}
      height={h()}
      viewBox={`0 0 ${w()} ${h()}`}
      role="img"
      aria-label={props.label}
      class="overflow-visible text-sky-500"
    >
      <title>{props.label}</title>
      <Show
        when={points()}
        fallback={<line x1="0" x2={w()} y1={h() - 1} y2={h() - 1} class="stroke-slate-300 dark:stroke-slate-600" />}
      >
        <polyline points={points()} fill="none" stroke="currentColor" stroke-width="1.25" />
      </Show>
    </svg>
  );
}

export function StatusDot(props: { status: string; label?: string }) {
  const tone = () => {
    const s = props.status.toLowerCase();
    if (['online', 'running', 'available', 'healthy', 'ok', 'connected', 'health_ok', 'passed'].includes(s))
      return 'bg-emerald-500';
    if (['paused', 'suspended', 'degraded', 'warning', 'health_warn', 'unknown'].includes(s)) return 'bg-amber-400';
    if (['stopped'].includes(s)) return 'bg-slate-400';
    return 'bg-red-500';
  };
  return (
    <span class="inline-flex items-center gap-1.5">
      <span class={`inline-block h-2 w-2 shrink-0 rounded-full ${tone()}`} aria-hidden="true" />
      <Show when={props.label !== ''}>
        <span>{props.label ?? props.status}</span>
      </Show>
    </span>
  );
}

export function Tag(props: { name: string; onClick?: (tag: string) => void }) {
  const style = () => ({ '--tag-h': String(tagHue(props.name)) });
  return (
    <Show
      when={props.onClick}
      fallback={
        <span class="pulse-tag rounded px-1.5 py-px text-[11px] font-medium" style={style()}>
          {props.name}
        </span>
      }
    >
      <button
        type="button"
        class="pulse-tag rounded px-1.5 py-px text-[11px] font-medium hover:underline"
        style={style()}
        aria-label={`Filter by tag ${props.name}`}
        onClick={() => props.onClick?.(props.name)}
      >
        {props.name}
      </button>
    </Show>
  );
}

export function Tags(props: { tags: string[]; onClick?: (tag: string) => void }) {
  return (
    <span class="flex gap-1 overflow-hidden">
      <For each={props.tags}>{(t) => <Tag name={t} onClick={props.onClick} />}</For>
    </span>
  );
}

export function ErrorText(props: { error: string | undefined }) {
  return (
    <Show when={props.error}>
      <p
        role="alert"
        class="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950/60 dark:text-red-200"
      >
        {props.error}
      </p>
    </Show>
  );
}

export function Notice(props: { children: JSX.Element; tone?: 'info' | 'ok' | 'warn' | 'error' }) {
  const cls = () =>
    props.tone === 'ok'
      ? 'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/50 dark:text-emerald-100'
      : props.tone === 'warn'
        ? 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-100'
        : props.tone === 'error'
          ? 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-100'
          : 'border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950/50 dark:text-sky-100';
  return (
    <div role={props.tone === 'error' ? 'alert' : 'status'} class={`rounded border px-3 py-2 text-sm ${cls()}`}>
      {props.children}
    </div>
  );
}

export function Card(props: { title?: string; actions?: JSX.Element; children: JSX.Element; class?: string }) {
  return (
    <section
      class={`rounded-lg border border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-800/60 ${props.class ?? ''}`}
    >
      <Show when={props.title || props.actions}>
        <header class="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-2.5 dark:border-slate-700">
          <h2 class="text-sm font-semibold">{props.title}</h2>
          <div class="flex flex-wrap items-center gap-2">{props.actions}</div>
        </header>
      </Show>
      <div class="p-4">{props.children}</div>
    </section>
  );
}

type ButtonProps = JSX.ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
};

export function Button(props: ButtonProps) {
  const [local, rest] = splitProps(props, ['variant', 'class', 'children']);
  const v = () =>
    ({
      primary: 'bg-sky-600 text-white hover:bg-sky-700 disabled:bg-sky-600/50',
      secondary:
        'border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700',
      danger: 'bg-red-600 text-white hover:bg-red-700 disabled:bg-red-600/50',
      ghost: 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-700',
    })[local.variant ?? 'secondary'];
  return (
    <button
      type="button"
      {...rest}
      class={`inline-flex items-center justify-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-60 ${v()} ${local.class ?? ''}`}
    >
      {local.children}
    </button>
  );
}

const INPUT =
  'w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 placeholder:text-slate-400 focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100';

export const inputClass = INPUT;

/** A labelled input: the visible label is the accessible name; the hint is its description. */
export function Field(
  props: JSX.InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string; fieldClass?: string },
) {
  const [local, rest] = splitProps(props, ['label', 'hint', 'fieldClass', 'class']);
  const id = createUniqueId();
  return (
    <div class={`block text-sm ${local.fieldClass ?? ''}`}>
      <label for={id} class="mb-1 block font-medium text-slate-700 dark:text-slate-300">
        {local.label}
      </label>
      <input
        {...rest}
        id={id}
        aria-describedby={local.hint ? `${id}-hint` : undefined}
        class={`${INPUT} ${local.class ?? ''}`}
      />
      <Show when={local.hint}>
        <span id={`${id}-hint`} class="mt-1 block text-xs text-slate-500 dark:text-slate-400">
          {local.hint}
        </span>
      </Show>
    </div>
  );
}

export function Check(props: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  return (
    <label class="inline-flex items-center gap-2 text-sm">
      <input
        type="checkbox"
        class="h-4 w-4 rounded border-slate-300 accent-sky-600"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <span>{props.label}</span>
    </label>
  );
}

export function SelectField(props: {
  label: string;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange: (v: string) => void;
  class?: string;
}) {
  return (
    <label class={`block text-sm ${props.class ?? ''}`}>
      <span class="mb-1 block font-medium text-slate-700 dark:text-slate-300">{props.label}</span>
      <select class={INPUT} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <For each={props.options}>{(o) => <option value={o.value}>{o.label}</option>}</For>
      </select>
    </label>
  );
}

/** A row of links styled as tabs (sub-pages have their own URLs). */
export function TabLinks(props: { tabs: Array<{ href: string; label: string }>; active: string; label: string }) {
  return (
    <nav aria-label={props.label} class="flex gap-1 overflow-x-auto rounded-lg bg-slate-100 p-1 dark:bg-slate-800">
      <For each={props.tabs}>
        {(t) => (
          <a
            href={t.href}
            onClick={linkClick}
            aria-current={props.active === t.href ? 'page' : undefined}
            class="whitespace-nowrap rounded-md px-3 py-1.5 text-sm text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
            classList={{
              'bg-white shadow-sm text-slate-900 dark:bg-slate-700 dark:text-white': props.active === t.href,
            }}
          >
            {t.label}
          </a>
        )}
      </For>
    </nav>
  );
}

export function PageTitle(props: { title: string; subtitle?: string; actions?: JSX.Element }) {
  return (
    <div class="mb-4 flex flex-wrap items-end justify-between gap-2">
      <div>
        <h1 class="text-xl font-semibold">{props.title}</h1>
        <Show when={props.subtitle}>
          <p class="text-sm text-slate-500 dark:text-slate-400">{props.subtitle}</p>
        </Show>
      </div>
      <div class="flex flex-wrap gap-2">{props.actions}</div>
    </div>
  );
}

export function Empty(props: { children: JSX.Element }) {
  return <p class="py-6 text-center text-sm text-slate-500 dark:text-slate-400">{props.children}</p>;
}

/** Table header cell and data cell classes, so every table looks the same. */
export const th =
  'px-2 py-1.5 text-left text-[11px] font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400';
export const td = 'px-2 py-1 align-middle';
