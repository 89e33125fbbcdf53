/**
 * Settings → Maintenance: update check, plan, apply (where the installation can update itself)
 * and history; a diagnostics run with a report scrubbed of addresses and names for sharing; and
 * the mock-mode switch.
 */
import { createResource, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { api } from '../../api/client';
import type {
  Diagnostics,
  MockModeView,
  UpdateHistoryEntry,
  UpdateInfo,
  UpdatePlan,
  UpdateStatus,
} from '../../api/types';
import { ConfirmDialog, CopyBox, createAction, downloadText, Progress } from '../../components/kit';
import { PermissionDoctor } from '../../components/PermissionDoctor';
import { Button, Card, Empty, ErrorText, Notice, SelectField, td, th } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { scrubReport } from '../../lib/scrub';
import { refreshState } from '../../stores/live';
import { readOnly } from '../../stores/session';

const DONE = new Set(['idle', 'completed', 'error', 'available']);
/** Steps of an update in progress (the server's UPDATE_STEPS_BUSY). */
const APPLYING = new Set(['downloading', 'verifying', 'extracting', 'backing-up', 'applying', 'restarting']);
/** How long the page waits for the installer's word after Pulse went away to restart. */
const RESTART_WAIT_MS = 10 * 60_000;

function Updates() {
  const [channel, setChannel] = createSignal('stable');
  const [info, setInfo] = createSignal<UpdateInfo>();
  const [plan, setPlan] = createSignal<UpdatePlan>();
  const [status, setStatus] = createSignal<UpdateStatus>();
  const [asking, setAsking] = createSignal(false);
  /** While an update runs: Pulse may be gone (restarting), and its old status no longer counts. */
  const [applying, setApplying] = createSignal(false);
  const [unreachable, setUnreachable] = createSignal(false);
  const [finished, setFinished] = createSignal<{ ok: boolean; message: string; version?: string }>();
  let applyStarted = 0;
  const [history, historyRes] = createResource(async () => {
    try {
      return await api.get<UpdateHistoryEntry[]>('/api/updates/history?limit=20');
    } catch {
      return undefined;
    }
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));

  const check = createAction(async () => {
    setPlan(undefined);
    setInfo(await api.get<UpdateInfo>(`/api/updates/check?channel=${channel()}`));
    void historyRes.refetch();
  });
  const loadPlan = createAction(async () => {
    const v = info()?.latestVersion;
    setPlan(
      await api.get<UpdatePlan>(
        `/api/updates/plan?channel=${channel()}${v ? `&version=${encodeURIComponent(v)}` : ''}`,
      ),
    );
  });
  const finish = async (s: UpdateStatus) => {
    setApplying(false);
    setUnreachable(false);
    let version: string | undefined;
    if (s.status === 'completed') {
      version = await api
        .get<{ version?: string }>('/api/version')
        .then((v) => v?.version)
        .catch(() => undefined);
    }
    // The check and plan were for the release that was running before.
    if (s.status === 'completed') {
      setInfo(undefined);
      setPlan(undefined);
    }
    setFinished({
      ok: s.status === 'completed',
      message: s.status === 'completed' ? s.message : (s.error ?? s.message),
      version,
    });
    void historyRes.refetch();
  };
  const pollStatus = async () => {
    try {
      const s = await api.get<UpdateStatus>('/api/updates/status');
      setUnreachable(false);
      // A restarted Pulse answers "idle" until the installer writes its outcome; keeping the last
      // step shown stops the bar from jumping back to 0 meanwhile.
      if (!applying() || APPLYING.has(s.status) || s.status === 'completed' || s.status === 'error') setStatus(s);
      if (APPLYING.has(s.status)) {
        setApplying(true);
        timer = setTimeout(() => void pollStatus(), 1000);
      } else if (s.status === 'completed' || s.status === 'error') {
        if (applying()) await finish(s);
        else void historyRes.refetch();
      } else if (applying() && Date.now() - applyStarted < RESTART_WAIT_MS) {
        // The new release answers before the installer has written its outcome: keep asking.
        timer = setTimeout(() => void pollStatus(), 1000);
      } else if (applying()) {
        await finish({ ...s, status: 'error', error: 'Pulse restarted, but the installer left no outcome.' });
      }
    } catch {
      // Pulse restarting after an update is expected; keep asking.
      if (applying()) setUnreachable(true);
      timer = setTimeout(() => void pollStatus(), 2000);
    }
  };
  const apply = createAction(async () => {
    setAsking(false);
    setFinished(undefined);
    await api.post('/api/updates/apply', { downloadUrl: info()?.downloadUrl });
    applyStarted = Date.now();
    setApplying(true);
    await pollStatus();
  });
  // An update started elsewhere (or before a reload) is followed from here too.
  onMount(() => {
    api
      .get<UpdateStatus>('/api/updates/status')
      .then((s) => {
        if (!s || !APPLYING.has(s.status)) return;
        applyStarted = Date.now();
        setApplying(true);
        setStatus(s);
        void pollStatus();
      })
      .catch(() => undefined);
  });

  return (
    <Card title="Updates">
      <div class="space-y-3">
        <div class="flex flex-wrap items-end gap-2">
          <SelectField
            label="Channel"
            class="w-40"
            value={channel()}
            onChange={setChannel}
            options={[
              { value: 'stable', label: 'Stable' },
              { value: 'rc', label: 'Release candidates' },
            ]}
          />
          <Button onClick={() => void check.run()} disabled={check.busy()}>
            Check for updates
          </Button>
        </div>
        <ErrorText error={check.error() || loadPlan.error() || apply.error()} />
        <Show when={check.busy()}>
          <Progress label="Asking the release feed…" />
        </Show>
        <Show when={info()}>
          {(i) => (
            <div class="space-y-2 text-sm">
              <Show when={i().warning}>
                <Notice tone="warn">{i().warning}</Notice>
              </Show>
              <Show
                when={i().available}
                fallback={<Notice tone="ok">Pulse {i().currentVersion} is the latest version.</Notice>}
              >
                <Notice>
                  Pulse {i().latestVersion} is available (running {i().currentVersion}
                  {i().releaseDate ? `; released ${formatDateTime(i().releaseDate)}` : ''}
                  {i().isPrerelease ? '; pre-release' : ''}).
                </Notice>
                <Show when={i().releaseNotes}>
                  <details>
                    <summary class="cursor-pointer">Release notes</summary>
                    <pre class="mt-1 max-h-64 overflow-auto whitespace-pre-wrap rounded bg-slate-100 p-2 text-xs dark:bg-slate-900">
                      {i().releaseNotes}
                    </pre>
                  </details>
                </Show>
                <Button onClick={() => void loadPlan.run()} disabled={loadPlan.busy()}>
                  Show update plan
                </Button>
              </Show>
            </div>
          )}
        </Show>
        <Show when={plan()}>
          {(p) => (
            <section aria-label="Update plan" class="space-y-2 text-sm">
              <h3 class="font-semibold">Update plan for {p().version}</h3>
              <Show when={!p().canAutoUpdate}>
                <Notice tone="warn">This installation cannot update itself; follow these steps.</Notice>
              </Show>
              <ol class="list-inside list-decimal space-y-1">
                <For each={p().steps ?? []}>{(s) => <li>{s}</li>}</For>
              </ol>
              <Show when={p().prerequisites?.length}>
                <p class="text-xs text-slate-500">Needs: {p().prerequisites?.join(', ')}</p>
              </Show>
              <Show when={p().estimatedTime}>
                <p class="text-xs text-slate-500">Takes about {p().estimatedTime}.</p>
              </Show>
              <Button
                variant="primary"
                disabled={!p().canAutoUpdate || apply.busy() || applying() || readOnly()}
                title={p().canAutoUpdate ? undefined : 'Not possible for this installation'}
                onClick={() => setAsking(true)}
              >
                Apply update
              </Button>
            </section>
          )}
        </Show>
        <Show when={applying() || (status() && !DONE.has(status()!.status))}>
          <div class="space-y-1" data-testid="update-progress">
            <div class="flex items-center gap-2">
              <progress class="w-full" max="100" value={status()?.progress ?? 0} aria-label="Update progress" />
              <span class="w-10 text-right text-xs tabular-nums">{status()?.progress ?? 0}%</span>
            </div>
            <Progress
              label={
                unreachable()
                  ? 'Pulse is restarting with the new release; waiting for it to answer…'
                  : (status()?.message ?? 'Updating…')
              }
            />
          </div>
        </Show>
        <Show when={finished()}>
          {(f) => (
            <div class="space-y-2" data-testid="update-outcome">
              <Show
                when={f().ok}
                fallback={
                  <Notice tone="error">
                    Update failed: {f().message} The history below has each step; Pulse keeps running the release it
                    had.
                  </Notice>
                }
              >
                <Notice tone="ok">
                  {f().version
                    ? `Update complete: Pulse ${f().version} is running.`
                    : `Update complete. ${f().message}`}
                </Notice>
                <Button onClick={() => window.location.reload()}>Reload the page</Button>
              </Show>
            </div>
          )}
        </Show>
        <Show when={!applying() && !finished() && status()?.status === 'error'}>
          <ErrorText error={status()?.error ?? status()?.message} />
        </Show>
        <ConfirmDialog
          open={asking()}
          title={`Update to ${info()?.latestVersion}?`}
          confirmLabel="Update and restart"
          onConfirm={() => void apply.run()}
          onCancel={() => setAsking(false)}
        >
          <p>Pulse downloads the release, replaces itself and restarts; the page reconnects afterwards.</p>
        </ConfirmDialog>
        <h3 class="pt-2 text-sm font-semibold">History</h3>
        <Show
          when={(history() ?? []).length > 0}
          fallback={
            <Show when={!history.loading}>
              <Empty>No update checks or updates yet.</Empty>
            </Show>
          }
        >
          <table class="w-full text-sm" aria-label="Update history">
            <thead>
              <tr>
                <th class={th}>Time</th>
                <th class={th}>Action</th>
                <th class={th}>From</th>
                <th class={th}>To</th>
                <th class={th}>Result</th>
              </tr>
            </thead>
            <tbody>
              <For each={history()}>
                {(h) => (
                  <tr class="border-t border-slate-200 dark:border-slate-700">
                    <td class={td}>{formatDateTime(h.timestamp)}</td>
                    <td class={td}>
                      {h.action} ({h.channel})
                    </td>
                    <td class={td}>{h.version_from}</td>
                    <td class={td}>{h.version_to || '—'}</td>
                    <td class={td}>
                      {h.status}
                      {h.error?.message ? `: ${h.error.message}` : ''}
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </Show>
      </div>
    </Card>
  );
}

function DiagnosticsCard() {
  const [report, setReport] = createSignal<Diagnostics>();
  const run = createAction(async () => setReport(await api.get<Diagnostics>('/api/diagnostics')));
  const scrubbed = () => {
    const r = report();
    return r ? JSON.stringify(scrubReport(r), null, 2) : '';
  };
  const instances = () => [...(report()?.nodes ?? []), ...(report()?.pbs ?? []), ...(report()?.pmg ?? [])];
  return (
    <Card title="Diagnostics">
      <div class="space-y-3 text-sm">
        <p class="text-slate-600 dark:text-slate-400">
          Probes every configured node now (up to 30 seconds). The report to share has addresses, host names, user names
          and tokens replaced.
        </p>
        <Button onClick={() => void run.run()} disabled={run.busy()}>
          Run diagnostics
        </Button>
        <ErrorText error={run.error()} />
        <Show when={run.busy()}>
          <Progress label="Probing the configured nodes…" />
        </Show>
        <Show when={report()}>
          <section aria-label="Diagnostics result" class="space-y-2">
            <Show when={instances().length > 0} fallback={<Empty>No nodes configured.</Empty>}>
              <ul class="space-y-1">
                <For each={instances()}>
                  {(n) => (
                    <li>
                      <span class={n.connected ? 'text-emerald-600' : 'text-red-600'}>
                        {n.connected ? 'connected' : 'failed'}
                      </span>{' '}
                      {n.name}
                      {n.error ? ` — ${n.error}` : ''}
                      <Show when={n.permissions}>{(p) => <PermissionDoctor name={n.name} report={p()} />}</Show>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <CopyBox label="Scrubbed diagnostics report" text={scrubbed()} />
            <Button onClick={() => downloadText('pulse-diagnostics.json', scrubbed(), 'application/json')}>
              Download report
            </Button>
          </section>
        </Show>
      </div>
    </Card>
  );
}

function MockModeCard() {
  const [view, setView] = createSignal<MockModeView>();
  const [asking, setAsking] = createSignal(false);
  const load = createAction(async () => setView(await api.get<MockModeView>('/api/system/mock-mode')));
  void load.run();
  const toggle = createAction(async () => {
    setAsking(false);
    const next = !view()?.enabled;
    setView(await api.post<MockModeView>('/api/system/mock-mode', { enabled: next }));
    await refreshState().catch(() => undefined);
  });
  return (
    <Card title="Mock mode">
      <div class="space-y-3 text-sm">
        <p class="text-slate-600 dark:text-slate-400">
          Shows generated nodes, guests and containers instead of your real ones, for demos and trying things out. Real
          polling pauses while it is on.
        </p>
        <ErrorText error={load.error() || toggle.error()} />
        <Show when={view()} fallback={<Show when={load.busy()}>{<Progress label="Loading…" />}</Show>}>
          {(v) => (
            <div class="flex flex-wrap items-center gap-3">
              <span role="status">Mock mode is {v().enabled ? 'on' : 'off'}.</span>
              <Button disabled={toggle.busy() || readOnly()} onClick={() => setAsking(true)}>
                {v().enabled ? 'Turn mock mode off' : 'Turn mock mode on'}
              </Button>
              <Show when={v().enabled && v().config}>
                <span class="text-xs text-slate-500">
                  {String(v().config?.NodeCount ?? '?')} nodes, {String(v().config?.VMsPerNode ?? '?')} VMs and{' '}
                  {String(v().config?.LXCsPerNode ?? '?')} containers per node
                </span>
              </Show>
            </div>
          )}
        </Show>
        <Show when={toggle.busy()}>
          <Progress label="Switching…" />
        </Show>
        <ConfirmDialog
          open={asking()}
          title={view()?.enabled ? 'Turn mock mode off?' : 'Turn mock mode on?'}
          confirmLabel={view()?.enabled ? 'Turn off' : 'Turn on'}
          onConfirm={() => void toggle.run()}
          onCancel={() => setAsking(false)}
        >
          <p>
            {view()?.enabled
              ? 'Pulse goes back to monitoring your real nodes.'
              : 'Every page shows generated data until you turn it off; your real nodes are not polled meanwhile.'}
          </p>
        </ConfirmDialog>
      </div>
    </Card>
  );
}

export function MaintenanceSettings() {
  return (
    <div class="space-y-4">
      <Updates />
      <DiagnosticsCard />
      <MockModeCard />
    </div>
  );
}
