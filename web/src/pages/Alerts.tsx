/** Active alerts (acknowledge, clear, in bulk too) and the alert history. */
import type { Alert } from '@model/state';
import { createMemo, createResource, createSignal, For, Match, onCleanup, Show, Switch } from 'solid-js';
import { api, seg } from '../api/client';
import type { BulkAlertReply } from '../api/types';
import { createConfirm } from '../components/kit';
import { Button, Card, Empty, ErrorText, inputClass, SelectField, TabLinks, td, th } from '../components/ui';
import { formatDateTime } from '../lib/format';
import { currentPath } from '../router';
import { live, refreshState } from '../stores/live';
import { readOnly } from '../stores/session';
import { FrequencyChart, type HistoryEntry, historyDuration, historyStatus, StatusBadge } from './AlertHistoryParts';

function duration(fromIso: string, to = Date.now()): string {
  const s = Math.max(0, (to - Date.parse(fromIso)) / 1000);
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

const levelClass = (level: string) =>
  level === 'critical'
    ? 'border-red-300 bg-red-50 dark:border-red-800 dark:bg-red-950/40'
    : 'border-amber-300 bg-amber-50 dark:border-amber-800 dark:bg-amber-950/40';

function ActiveAlerts() {
  const [now, setNow] = createSignal(Date.now());
  const tick = setInterval(() => setNow(Date.now()), 15_000);
  onCleanup(() => clearInterval(tick));
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [selected, setSelected] = createSignal<Set<string>>(new Set());
  const alerts = createMemo(() =>
    [...live.state.activeAlerts].sort(
      (a, b) =>
        Number(a.acknowledged) - Number(b.acknowledged) ||
        (a.level === b.level ? 0 : a.level === 'critical' ? -1 : 1) ||
        Date.parse(b.startTime) - Date.parse(a.startTime),
    ),
  );
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError('');
    try {
      await fn();
      await refreshState();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const n = new Set(s);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });
  const bulk = (what: 'acknowledge' | 'clear') =>
    act(async () => {
      const ids = [...selected()];
      const res = await api.post<BulkAlertReply>(`/api/alerts/bulk/${what}`, { alertIds: ids });
      const failed = (res?.results ?? []).filter((r) => !r.success);
      setSelected(new Set<string>());
      if (failed.length) throw new Error(failed.map((f) => `${f.alertId}: ${f.error ?? 'failed'}`).join('; '));
    });

  const counts = createMemo(() => ({
    active: live.state.activeAlerts.filter((a) => !a.acknowledged).length,
    acked: live.state.activeAlerts.filter((a) => a.acknowledged).length,
    critical: live.state.activeAlerts.filter((a) => a.level === 'critical').length,
    resolved: live.state.recentlyResolved.length,
  }));

  return (
    <div class="space-y-3">
      <dl class="grid grid-cols-2 gap-2 sm:grid-cols-4">
        <For
          each={
            [
              ['Active', () => counts().active, 'text-red-600 dark:text-red-400'],
              ['Acknowledged', () => counts().acked, 'text-amber-600 dark:text-amber-400'],
              ['Critical', () => counts().critical, 'text-red-600 dark:text-red-400'],
              ['Recently resolved', () => counts().resolved, 'text-emerald-600 dark:text-emerald-400'],
            ] as Array<[string, () => number, string]>
          }
        >
          {([label, value, cls]) => (
            <div class="rounded-lg border border-slate-200 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-800/60">
              <dt class="text-xs text-slate-500">{label}</dt>
              <dd class={`text-2xl font-semibold ${cls}`}>{value()}</dd>
            </div>
          )}
        </For>
      </dl>
      <ErrorText error={error()} />
      <Show when={alerts().length > 0} fallback={<Empty>No active alerts. All clear.</Empty>}>
        <div class="flex flex-wrap items-center gap-2">
          <label class="inline-flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              aria-label="Select all alerts"
              checked={selected().size > 0 && selected().size === alerts().length}
              onChange={(e) =>
                setSelected(e.currentTarget.checked ? new Set(alerts().map((a) => a.id)) : new Set<string>())
              }
            />
            Select all
          </label>
          <Show when={selected().size > 0}>
            <Button disabled={busy() || readOnly()} onClick={() => bulk('acknowledge')}>
              Acknowledge {selected().size} selected
            </Button>
            <Button disabled={busy() || readOnly()} onClick={() => bulk('clear')}>
              Clear {selected().size} selected
            </Button>
          </Show>
        </div>
        <ul class="space-y-2" aria-label="Active alerts">
          <For each={alerts()}>
            {(a: Alert) => (
              <li
                class={`flex flex-wrap items-start gap-3 rounded-lg border p-3 ${levelClass(a.level)}`}
                classList={{ 'opacity-70': a.acknowledged }}
                data-alert-id={a.id}
              >
                <input
                  type="checkbox"
                  class="mt-1"
                  aria-label={`Select alert ${a.resourceName} ${a.type}`}
                  checked={selected().has(a.id)}
                  onChange={(e) => toggle(a.id, e.currentTarget.checked)}
                />
                <div class="min-w-0 flex-1">
                  <p class="flex flex-wrap items-center gap-x-2 text-sm">
                    <span class="font-semibold">{a.resourceName}</span>
                    <span class="rounded bg-white/60 px-1.5 text-xs uppercase dark:bg-black/30">{a.level}</span>
                    <span class="text-xs text-slate-500">{a.type}</span>
                    <Show when={a.acknowledged}>
                      <span class="text-xs font-medium text-slate-600 dark:text-slate-300">
                        Acknowledged{a.ackUser ? ` by ${a.ackUser}` : ''}
                      </span>
                    </Show>
                  </p>
                  <p class="text-sm">{a.message}</p>
                  <p class="text-xs text-slate-500" title={`value ${a.value}, threshold ${a.threshold}`}>
                    Value {Number.isFinite(a.value) ? a.value.toFixed(1) : a.value} / threshold {a.threshold} · on{' '}
                    {a.node || a.instance} · since {formatDateTime(a.startTime)} ({duration(a.startTime, now())})
                  </p>
                </div>
                <div class="flex basis-full justify-end gap-2 sm:basis-auto">
                  <Show
                    when={!a.acknowledged}
                    fallback={
                      <Button
                        aria-label={`Unacknowledge alert ${a.resourceName} ${a.type}`}
                        disabled={busy() || readOnly()}
                        onClick={() => act(() => api.post(`/api/alerts/${seg(a.id)}/unacknowledge`))}
                      >
                        Unacknowledge
                      </Button>
                    }
                  >
                    <Button
                      variant="primary"
                      aria-label={`Acknowledge alert ${a.resourceName} ${a.type}`}
                      disabled={busy() || readOnly()}
                      onClick={() => act(() => api.post(`/api/alerts/${seg(a.id)}/acknowledge`))}
                    >
                      Acknowledge
                    </Button>
                  </Show>
                  <Button
                    aria-label={`Clear alert ${a.resourceName} ${a.type}`}
                    disabled={busy() || readOnly()}
                    onClick={() => act(() => api.post(`/api/alerts/${seg(a.id)}/clear`))}
                  >
                    Clear
                  </Button>
                </div>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}

function AlertHistory() {
  const [severity, setSeverity] = createSignal('all');
  const [query, setQuery] = createSignal('');
  const [error, setError] = createSignal('');
  const [history, { refetch }] = createResource(severity, async (sev) => {
    try {
      setError('');
      return await api.get<HistoryEntry[]>(`/api/alerts/history?limit=0&severity=${sev}`);
    } catch (err) {
      setError((err as Error).message);
      return [];
    }
  });
  const shown = createMemo(() => {
    const q = query().trim().toLowerCase();
    const list = history() ?? [];
    return q
      ? list.filter((a) => `${a.resourceName} ${a.type} ${a.node} ${a.message}`.toLowerCase().includes(q))
      : list;
  });
  const confirmation = createConfirm();
  const clearHistory = async () => {
    const ok = await confirmation.ask({
      title: 'Delete the whole alert history?',
      body: 'Every past alert, with its acknowledgements and notifications, is removed. Active alerts stay.',
      confirmLabel: 'Delete history',
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del('/api/alerts/history');
      await refetch();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Card
      title="Alert history"
      actions={
        <>
          <SelectField
            label="Severity"
            class="w-36"
            value={severity()}
            onChange={setSeverity}
            options={[
              { value: 'all', label: 'All' },
              { value: 'warning', label: 'Warning' },
              { value: 'critical', label: 'Critical' },
            ]}
          />
          <input
            type="search"
            aria-label="Search alert history"
            placeholder="Resource, type, node…"
            class={`${inputClass} w-48`}
            value={query()}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
          <Button onClick={() => void refetch()}>Refresh</Button>
          <Button variant="danger" disabled={readOnly()} onClick={clearHistory}>
            Clear history
          </Button>
        </>
      }
    >
      <ErrorText error={error()} />
      <FrequencyChart alerts={shown()} />
      <div class="overflow-x-auto">
        <table class="w-full text-sm" aria-label="Alert history">
          <thead>
            <tr>
              <th class={th}>Started</th>
              <th class={th}>Resource</th>
              <th class={th}>Type</th>
              <th class={th}>Level</th>
              <th class={th}>Status</th>
              <th class={th}>Duration</th>
              <th class={`${th} hidden md:table-cell`}>Message</th>
              <th class={`${th} hidden sm:table-cell`}>Node</th>
            </tr>
          </thead>
          <tbody>
            <For each={shown()}>
              {(a) => (
                <tr class="border-t border-slate-100 dark:border-slate-700/60">
                  <td class={`${td} text-xs`}>{formatDateTime(a.startTime)}</td>
                  <td class={td}>{a.resourceName}</td>
                  <td class={td}>{a.type}</td>
                  <td class={td}>
                    <span
                      classList={{
                        'text-red-600 dark:text-red-400': a.level === 'critical',
                        'text-amber-600 dark:text-amber-400': a.level === 'warning',
                      }}
                    >
                      {a.level}
                    </span>
                  </td>
                  <td class={td}>
                    <StatusBadge status={historyStatus(a)} />
                  </td>
                  <td class={`${td} whitespace-nowrap text-xs`}>{historyDuration(a, Date.now())}</td>
                  <td class={`${td} hidden md:table-cell text-xs`}>{a.message}</td>
                  <td class={`${td} hidden sm:table-cell text-xs`}>{a.node}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
        <Show when={!history.loading && shown().length === 0}>
          <Empty>No alerts recorded.</Empty>
        </Show>
      </div>
      <confirmation.Dialog />
    </Card>
  );
}

export function AlertsPage() {
  const tabs = [
    { href: '/alerts', label: 'Active' },
    { href: '/alerts/history', label: 'History' },
    { href: '/settings/thresholds', label: 'Thresholds' },
  ];
  return (
    <div class="space-y-4">
      <h1 class="text-xl font-semibold">Alerts</h1>
      <TabLinks label="Alert views" tabs={tabs} active={currentPath().replace(/\/$/, '')} />
      <Switch fallback={<ActiveAlerts />}>
        <Match when={currentPath().startsWith('/alerts/history')}>
          <AlertHistory />
        </Match>
      </Switch>
    </div>
  );
}
