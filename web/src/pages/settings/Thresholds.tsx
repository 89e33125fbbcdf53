/**
 * Settings → Alert thresholds: trigger/clear pairs for guests, nodes and storage, and per-resource
 * overrides. The whole config is read, edited here and written back with PUT.
 */
import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../../api/client';
import type { AlertConfig, Threshold, ThresholdConfig } from '../../api/types';
import { Button, Card, Check, Empty, ErrorText, inputClass, Notice, SelectField, td, th } from '../../components/ui';
import { live } from '../../stores/live';
import { readOnly } from '../../stores/session';
import { AlertBehaviour } from './AlertBehaviour';
import { type GraceType, MetricGrace } from './MetricGrace';

const GUEST_METRICS: Array<[string, string]> = [
  ['cpu', 'CPU %'],
  ['memory', 'Memory %'],
  ['disk', 'Disk %'],
  ['diskRead', 'Disk read MB/s'],
  ['diskWrite', 'Disk write MB/s'],
  ['networkIn', 'Network in MB/s'],
  ['networkOut', 'Network out MB/s'],
];
const NODE_METRICS: Array<[string, string]> = [
  ['cpu', 'CPU %'],
  ['memory', 'Memory %'],
  ['disk', 'Disk %'],
  ['temperature', 'Temperature °C'],
];

const isThreshold = (v: unknown): v is Threshold => !!v && typeof v === 'object' && 'trigger' in (v as object);

function PairInputs(props: { label: string; value: Threshold | undefined; onChange: (t: Threshold) => void }) {
  const t = () => props.value ?? { trigger: 0, clear: 0 };
  return (
    <div class="flex items-center gap-1">
      <input
        type="number"
        step="any"
        aria-label={`${props.label} trigger`}
        title="Trigger: alert when the value reaches this (0 = off)"
        class={`${inputClass} w-20`}
        value={t().trigger}
        onInput={(e) => props.onChange({ ...t(), trigger: Number(e.currentTarget.value) })}
      />
      <span class="text-xs text-slate-400">/</span>
      <input
        type="number"
        step="any"
        aria-label={`${props.label} clear`}
        title="Clear: the alert resolves when the value drops to this"
        class={`${inputClass} w-20`}
        value={t().clear}
        onInput={(e) => props.onChange({ ...t(), clear: Number(e.currentTarget.value) })}
      />
    </div>
  );
}

function DefaultsTable(props: {
  title: string;
  metrics: Array<[string, string]>;
  value: ThresholdConfig;
  onChange: (metric: string, t: Threshold) => void;
  grace: { type: GraceType; cfg: AlertConfig; patch: (fn: (c: AlertConfig) => AlertConfig) => void };
}) {
  return (
    <div>
      <h3 class="mb-1 text-sm font-semibold">{props.title}</h3>
      <table class="text-sm" aria-label={props.title}>
        <thead>
          <tr>
            <th class={th}>Metric</th>
            <th class={th}>Trigger / clear</th>
            <th class={th}>Grace</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.metrics}>
            {([k, label]) => (
              <tr>
                <td class={td}>{label}</td>
                <td class={td}>
                  <PairInputs
                    label={`${props.title} ${label}`}
                    value={isThreshold(props.value[k]) ? (props.value[k] as Threshold) : undefined}
                    onChange={(t) => props.onChange(k, t)}
                  />
                </td>
                <td class={td}>
                  <MetricGrace
                    cfg={props.grace.cfg}
                    type={props.grace.type}
                    metric={k}
                    label={`${props.title} ${label}`}
                    patch={props.grace.patch}
                  />
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}

export function ThresholdSettings() {
  const [error, setError] = createSignal('');
  const [ok, setOk] = createSignal('');
  const [cfg, setCfg] = createSignal<AlertConfig>();
  const [newId, setNewId] = createSignal('');
  const [findText, setFindText] = createSignal('');
  createResource(async () => {
    try {
      setCfg(await api.get<AlertConfig>('/api/alerts/config'));
    } catch (err) {
      setError((err as Error).message);
    }
    return true;
  });

  const resources = createMemo(() => [
    ...live.state.nodes.map((n) => ({ id: n.id, label: `Node ${n.name}` })),
    ...[...live.state.vms, ...live.state.containers].map((g) => ({
      id: g.id,
      label: `${g.type === 'qemu' ? 'VM' : 'CT'} ${g.vmid} ${g.name}`,
    })),
    ...live.state.storage.map((s) => ({ id: s.id, label: `Storage ${s.name} on ${s.node}` })),
  ]);
  const labelOf = (id: string) => resources().find((r) => r.id === id)?.label ?? id;
  const isNodeId = (id: string) => live.state.nodes.some((n) => n.id === id);
  const isStorageId = (id: string) => live.state.storage.some((s) => s.id === id);

  const patch = (fn: (c: AlertConfig) => AlertConfig) => setCfg((c) => (c ? fn(structuredClone(c)) : c));
  const setDefault = (group: 'guestDefaults' | 'nodeDefaults', metric: string, t: Threshold) =>
    patch((c) => ({ ...c, [group]: { ...c[group], [metric]: t } }));
  const setOverride = (id: string, metric: string, v: Threshold | boolean) =>
    patch((c) => ({
      ...c,
      overrides: { ...(c.overrides ?? {}), [id]: { ...(c.overrides?.[id] ?? {}), [metric]: v } },
    }));
  const removeOverride = (id: string) =>
    patch((c) => {
      const o = { ...(c.overrides ?? {}) };
      delete o[id];
      return { ...c, overrides: o };
    });
  const addOverride = () => {
    const id = newId();
    if (!id) return;
    const base = isNodeId(id)
      ? cfg()?.nodeDefaults
      : isStorageId(id)
        ? { usage: cfg()?.storageDefault }
        : cfg()?.guestDefaults;
    const seed: ThresholdConfig = {};
    for (const [k, v] of Object.entries(base ?? {})) if (isThreshold(v)) seed[k] = { ...v };
    patch((c) => ({ ...c, overrides: { ...(c.overrides ?? {}), [id]: seed } }));
    setNewId('');
    setFindText('');
  };

  const save = async () => {
    setError('');
    setOk('');
    try {
      await api.put('/api/alerts/config', cfg());
      setOk('Alert thresholds saved.');
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const metricsFor = (id: string) =>
    isNodeId(id) ? NODE_METRICS : isStorageId(id) ? [['usage', 'Usage %'] as [string, string]] : GUEST_METRICS;

  return (
    <Card title="Alert thresholds">
      <Show when={cfg()} fallback={<ErrorText error={error() || undefined} />}>
        {(c) => (
          <div class="space-y-5">
            <p class="text-sm text-slate-600 dark:text-slate-300">
              An alert fires when a value reaches its <em>trigger</em> and resolves when it falls to its <em>clear</em>{' '}
              value (hysteresis keeps a value hovering at the limit from flapping). A trigger of 0 turns the check off;
              critical starts 10 above the trigger. A row's grace ("for N s") is how long the value must stay at its
              trigger before the alert fires; empty follows the type's grace period below.
            </p>
            <Check
              label="Alerts enabled"
              checked={c().enabled}
              onChange={(v) => patch((x) => ({ ...x, enabled: v }))}
            />
            <div class="grid gap-6 lg:grid-cols-3">
              <DefaultsTable
                title="Guests"
                metrics={GUEST_METRICS}
                value={c().guestDefaults ?? {}}
                onChange={(m, t) => setDefault('guestDefaults', m, t)}
                grace={{ type: 'guest', cfg: c(), patch }}
              />
              <DefaultsTable
                title="Nodes"
                metrics={NODE_METRICS}
                value={c().nodeDefaults ?? {}}
                onChange={(m, t) => setDefault('nodeDefaults', m, t)}
                grace={{ type: 'node', cfg: c(), patch }}
              />
              <div>
                <h3 class="mb-1 text-sm font-semibold">Storage</h3>
                <div class="flex items-center gap-2 text-sm">
                  <span class="whitespace-nowrap">Usage %</span>
                  <PairInputs
                    label="Storage usage"
                    value={c().storageDefault}
                    onChange={(t) => patch((x) => ({ ...x, storageDefault: t }))}
                  />
                  <MetricGrace cfg={c()} type="storage" metric="usage" label="Storage usage" patch={patch} />
                </div>
              </div>
            </div>

            <AlertBehaviour cfg={c()} patch={patch} />

            <div>
              <h3 class="mb-2 text-sm font-semibold">Overrides</h3>
              <div class="mb-2 flex flex-wrap items-end gap-2">
                <label class="block text-sm">
                  <span class="mb-1 block font-medium text-slate-700 dark:text-slate-300">
                    Search nodes, guests and storage
                  </span>
                  <input
                    type="search"
                    class={`${inputClass} w-56`}
                    placeholder="Name, VMID, node…"
                    value={findText()}
                    onInput={(e) => {
                      setFindText(e.currentTarget.value);
                      // The first match is picked so Enter-free "type then Add" works.
                      const q = e.currentTarget.value.trim().toLowerCase();
                      const hit = resources().find(
                        (r) => !c().overrides?.[r.id] && `${r.label} ${r.id}`.toLowerCase().includes(q),
                      );
                      setNewId(q && hit ? hit.id : '');
                    }}
                  />
                </label>
                <SelectField
                  label="Resource"
                  class="min-w-64"
                  value={newId()}
                  onChange={setNewId}
                  options={[
                    { value: '', label: 'Choose a node, guest or storage…' },
                    ...resources()
                      .filter((r) => !c().overrides?.[r.id])
                      .filter((r) => `${r.label} ${r.id}`.toLowerCase().includes(findText().trim().toLowerCase()))
                      .map((r) => ({ value: r.id, label: r.label })),
                  ]}
                />
                <Button onClick={addOverride} disabled={!newId()}>
                  Add override
                </Button>
              </div>
              <Show
                when={Object.keys(c().overrides ?? {}).length > 0}
                fallback={<Empty>No overrides: every resource uses the defaults.</Empty>}
              >
                <div class="space-y-2">
                  <For each={Object.keys(c().overrides ?? {})}>
                    {(id) => (
                      <div class="rounded border border-slate-200 p-2 dark:border-slate-700" data-override-id={id}>
                        <div class="mb-1 flex flex-wrap items-center justify-between gap-2">
                          <span class="text-sm font-medium">{labelOf(id)}</span>
                          <div class="flex items-center gap-3">
                            <Check
                              label="Disable all alerts"
                              checked={c().overrides[id]?.disabled === true}
                              onChange={(v) => setOverride(id, 'disabled', v)}
                            />
                            <Button
                              variant="ghost"
                              aria-label={`Remove override for ${labelOf(id)}`}
                              onClick={() => removeOverride(id)}
                            >
                              Remove
                            </Button>
                          </div>
                        </div>
                        <div class="flex flex-wrap gap-4">
                          <For each={metricsFor(id)}>
                            {([k, label]) => (
                              <div class="text-xs">
                                <span class="mb-0.5 block text-slate-500">{label}</span>
                                <PairInputs
                                  label={`${labelOf(id)} ${label}`}
                                  value={
                                    isThreshold(c().overrides[id]?.[k])
                                      ? (c().overrides[id]?.[k] as Threshold)
                                      : undefined
                                  }
                                  onChange={(t) => setOverride(id, k, t)}
                                />
                              </div>
                            )}
                          </For>
                        </div>
                      </div>
                    )}
                  </For>
                </div>
              </Show>
            </div>
            <ErrorText error={error()} />
            <Show when={ok()}>
              <Notice tone="ok">{ok()}</Notice>
            </Show>
            <Button variant="primary" disabled={readOnly()} onClick={save}>
              Save thresholds
            </Button>
          </div>
        )}
      </Show>
    </Card>
  );
}
