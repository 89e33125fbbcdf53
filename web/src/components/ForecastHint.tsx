/**
 * "full in ~N days" beside a storage usage bar, from GET /api/storage/forecast. One request per
 * five minutes is shared by every hint on the page (the server caches forecasts as long).
 */
import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import { api } from '../api/client';
import type { ForecastReply } from '../api/types';

type ForecastRow = ForecastReply['forecasts'][number];

const [forecasts, setForecasts] = createSignal<Record<string, ForecastRow>>({});
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

async function load(): Promise<void> {
  try {
    const res = await api.get<ForecastReply>('/api/storage/forecast');
    setForecasts(Object.fromEntries(res.forecasts.map((f) => [f.id, f])));
  } catch {
    // A hint is optional: the usage bar stands on its own when forecasts cannot be read.
  }
}

function daysText(days: number): string {
  if (days < 1) return 'less than a day';
  return `${Math.round(days)} day${Math.round(days) === 1 ? '' : 's'}`;
}

export function ForecastHint(props: { id: string }) {
  onMount(() => {
    if (users++ === 0) {
      void load();
      timer = setInterval(() => void load(), 5 * 60_000);
    }
  });
  onCleanup(() => {
    if (--users === 0 && timer) clearInterval(timer);
  });
  const row = () => forecasts()[props.id];
  return (
    <Show when={row()?.daysToFull !== null && row()?.daysToFull !== undefined ? row() : undefined}>
      {(f) => (
        <div
          class={`mt-0.5 text-xs ${(f().daysToFull ?? 99) <= 14 ? 'text-amber-600 dark:text-amber-400' : 'text-slate-500'}`}
          data-testid="storage-forecast"
          title={`Growing ${(f().bytesPerDay / 1024 ** 3).toFixed(1)} GiB/day over the last 7 days (confidence ${Math.round(f().confidence * 100)} %)${f().daysToWarn !== null ? `; ${f().warnPercent} % in ~${daysText(f().daysToWarn ?? 0)}` : ''}`}
        >
          full in ~{daysText(f().daysToFull ?? 0)}
        </div>
      )}
    </Show>
  );
}
