/**
 * Settings → Notifications, delivery side: the retry policy, the delivery log, and the
 * dead-letter list (deliveries that used up their attempts) with retry and delete.
 */
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../../api/client';
import type {
  QueuedDelivery as DeadDelivery,
  DeliveryRecord,
  NotificationSettings as DeliverySettings,
  NotificationSummary as Summary,
} from '../../api/types';
import { ConfirmDialog, createAction, Progress } from '../../components/kit';
import { Button, Card, Check, Empty, ErrorText, Field, Notice, td, th } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { readOnly } from '../../stores/session';

function when(rfc: string): string {
  const ms = Date.parse(rfc);
  return Number.isFinite(ms) ? formatDateTime(ms) : rfc;
}

function DeliveryPolicy(props: { summary?: Summary; onSaved: () => void }) {
  const [draft, setDraft] = createSignal<DeliverySettings>();
  const [ok, setOk] = createSignal('');
  const current = () => draft() ?? props.summary?.settings;
  const set = <K extends keyof DeliverySettings>(k: K, v: DeliverySettings[K]) => {
    const base = current();
    if (base) setDraft({ ...base, [k]: v });
  };
  const save = createAction(async () => {
    setOk('');
    await api.post('/api/notifications/', current());
    setDraft(undefined);
    setOk('Delivery settings saved.');
    props.onSaved();
  });
  return (
    <Show when={current()} fallback={<Progress label="Loading delivery settings…" />}>
      {(s) => (
        <form
          aria-label="Delivery settings"
          class="grid gap-3 md:grid-cols-3"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <div class="flex flex-col gap-2 md:col-span-3 md:flex-row md:gap-6">
            <Check label="Send notifications" checked={s().enabled} onChange={(v) => set('enabled', v)} />
            <Check
              label="Send a message when an alert resolves"
              checked={s().notifyOnResolve}
              onChange={(v) => set('notifyOnResolve', v)}
            />
          </div>
          <Field
            label="Attempts before the dead-letter list"
            type="number"
            min={1}
            max={20}
            value={String(s().maxAttempts)}
            onInput={(e) => set('maxAttempts', Number(e.currentTarget.value))}
          />
          <Field
            label="First retry after (seconds)"
            type="number"
            min={1}
            max={3600}
            hint="Doubles with each attempt, up to 15 minutes."
            value={String(s().retryBaseSeconds)}
            onInput={(e) => set('retryBaseSeconds', Number(e.currentTarget.value))}
          />
          <Field
            label="Requests per minute per webhook"
            type="number"
            min={1}
            max={10}
            value={String(s().webhookRateLimitPerMinute)}
            onInput={(e) => set('webhookRateLimitPerMinute', Number(e.currentTarget.value))}
          />
          <div class="space-y-2 md:col-span-3">
            <ErrorText error={save.error()} />
            <Show when={ok()}>
              <Notice tone="ok">{ok()}</Notice>
            </Show>
            <Button type="submit" variant="primary" disabled={save.busy() || readOnly()}>
              Save delivery settings
            </Button>
          </div>
        </form>
      )}
    </Show>
  );
}

export function NotificationDelivery() {
  const [loadError, setLoadError] = createSignal('');
  const load = async <T,>(path: string): Promise<T | undefined> => {
    try {
      return await api.get<T>(path);
    } catch (err) {
      setLoadError((err as Error).message);
      return undefined;
    }
  };
  const [summary, summaryRes] = createResource(() => load<Summary>('/api/notifications/'));
  const [log, logRes] = createResource(() => load<DeliveryRecord[]>('/api/notifications/history?limit=50'));
  const [dead, deadRes] = createResource(() => load<DeadDelivery[]>('/api/notifications/dead-letter'));
  const [deleting, setDeleting] = createSignal<DeadDelivery>();
  const [done, setDone] = createSignal('');

  const refresh = () => {
    setLoadError('');
    void summaryRes.refetch();
    void logRes.refetch();
    void deadRes.refetch();
  };
  const retry = createAction(async (d: DeadDelivery) => {
    setDone('');
    await api.post(`/api/notifications/dead-letter/${d.id}/retry`);
    setDone(`Delivery to ${d.targetName} queued again.`);
    refresh();
  });
  const remove = createAction(async (d: DeadDelivery) => {
    setDeleting(undefined);
    setDone('');
    await api.del(`/api/notifications/dead-letter/${d.id}`);
    setDone(`Delivery to ${d.targetName} deleted.`);
    refresh();
  });
  const busy = () => summary.loading || log.loading || dead.loading;

  return (
    <>
      <Card title="Delivery">
        <DeliveryPolicy summary={summary()} onSaved={refresh} />
      </Card>
      <Card
        title="Dead-letter list"
        actions={
          <Button onClick={refresh} disabled={busy()}>
            Refresh
          </Button>
        }
      >
        <div class="space-y-2">
          <ErrorText error={loadError() || retry.error() || remove.error()} />
          <Show when={summary()?.queue}>
            {(q) => (
              <p class="text-xs text-slate-500">
                {q().pending} waiting · {q().sending} sending · {q().delivered} delivered · {q().failedAttempts} failed
                attempts · {q().dead} dead
              </p>
            )}
          </Show>
          <Show when={done()}>
            <Notice tone="ok">{done()}</Notice>
          </Show>
          <Show when={retry.busy() || remove.busy()}>
            <Progress label="Working…" />
          </Show>
          <Show
            when={(dead() ?? []).length > 0}
            fallback={
              <Show when={!dead.loading} fallback={<Progress label="Loading the dead-letter list…" />}>
                <Empty>No failed deliveries.</Empty>
              </Show>
            }
          >
            <table class="w-full text-sm" aria-label="Dead letters">
              <thead>
                <tr>
                  <th class={th}>Destination</th>
                  <th class={th}>Event</th>
                  <th class={th}>Alerts</th>
                  <th class={th}>Attempts</th>
                  <th class={th}>Last error</th>
                  <th class={th}>Queued</th>
                  <th class={th}>
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                <For each={dead()}>
                  {(d) => (
                    <tr class="border-t border-slate-200 dark:border-slate-700">
                      <td class={td}>{d.targetName}</td>
                      <td class={td}>{d.event}</td>
                      <td class={`${td} max-w-48 truncate`} title={d.alertIds.join(', ')}>
                        {d.alertIds.join(', ')}
                      </td>
                      <td class={td}>{d.attempts}</td>
                      <td class={`${td} text-red-700 dark:text-red-300`}>
                        {d.lastStatusCode ? `HTTP ${d.lastStatusCode}: ` : ''}
                        {d.lastError ?? ''}
                      </td>
                      <td class={td}>{when(d.createdAt)}</td>
                      <td class={`${td} whitespace-nowrap text-right`}>
                        <Button
                          aria-label={`Retry delivery ${d.id} to ${d.targetName}`}
                          disabled={retry.busy() || readOnly()}
                          onClick={() => void retry.run(d)}
                        >
                          Retry
                        </Button>{' '}
                        <Button
                          variant="danger"
                          aria-label={`Delete delivery ${d.id} to ${d.targetName}`}
                          disabled={remove.busy() || readOnly()}
                          onClick={() => setDeleting(d)}
                        >
                          Delete
                        </Button>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        </div>
        <ConfirmDialog
          open={!!deleting()}
          title="Delete this failed delivery?"
          confirmLabel="Delete delivery"
          danger
          onConfirm={() => {
            const d = deleting();
            if (d) void remove.run(d);
          }}
          onCancel={() => setDeleting(undefined)}
        >
          <p>The notification to {deleting()?.targetName} will not be sent.</p>
        </ConfirmDialog>
      </Card>
      <Card title="Delivery log">
        <Show
          when={(log() ?? []).length > 0}
          fallback={
            <Show when={!log.loading} fallback={<Progress label="Loading the delivery log…" />}>
              <Empty>Nothing sent yet.</Empty>
            </Show>
          }
        >
          <div class="overflow-x-auto">
            <table class="w-full text-sm" aria-label="Delivery log">
              <thead>
                <tr>
                  <th class={th}>Time</th>
                  <th class={th}>Destination</th>
                  <th class={th}>Event</th>
                  <th class={th}>Alert</th>
                  <th class={th}>Result</th>
                  <th class={th}>Attempt</th>
                </tr>
              </thead>
              <tbody>
                <For each={log()}>
                  {(r) => (
                    <tr class="border-t border-slate-200 dark:border-slate-700">
                      <td class={`${td} whitespace-nowrap`}>{when(r.timestamp)}</td>
                      <td class={td} title={r.webhookUrl}>
                        {r.webhookName}
                      </td>
                      <td class={td}>{r.event}</td>
                      <td class={`${td} max-w-48 truncate`} title={r.alertIds.join(', ')}>
                        {r.alertId}
                      </td>
                      <td class={td}>
                        <Show
                          when={r.success}
                          fallback={
                            <span class="text-red-700 dark:text-red-300">
                              Failed{r.statusCode ? ` (HTTP ${r.statusCode})` : ''}
                              {r.errorMessage ? `: ${r.errorMessage}` : ''}
                            </span>
                          }
                        >
                          <span class="text-emerald-700 dark:text-emerald-300">
                            Delivered{r.statusCode ? ` (HTTP ${r.statusCode})` : ''}
                          </span>
                        </Show>
                      </td>
                      <td class={td}>{r.retryAttempts + 1}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </Show>
      </Card>
    </>
  );
}
