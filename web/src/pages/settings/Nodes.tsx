/**
 * Settings → Nodes: add, test, edit and delete PVE/PBS/PMG connections. A self-signed
 * certificate fails the test with its SHA-256 fingerprint; the user can compare it and pin it.
 */
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { type ApiError, api, seg } from '../../api/client';
import type {
  ConfigTestReply,
  ConfiguredNode,
  ConnectionTestReply,
  MonitorFlag,
  NodeForm,
  NodeType,
  PermissionReport,
} from '../../api/types';
import { createConfirm, Progress } from '../../components/kit';
import { GrantCommand, PermissionDoctor } from '../../components/PermissionDoctor';
import { Button, Card, Check, Empty, ErrorText, Field, Notice, SelectField, StatusDot } from '../../components/ui';
import { live, refreshState } from '../../stores/live';
import { readOnly } from '../../stores/session';
import { DiscoveryPanel, type NodePrefill, SetupScriptFlow, TokenGuide } from './NodeOnboarding';

const TYPE_LABEL: Record<NodeType, string> = {
  pve: 'Proxmox VE',
  pbs: 'Proxmox Backup Server',
  pmg: 'Proxmox Mail Gateway',
};
const DEFAULT_PORT: Record<NodeType, number> = { pve: 8006, pbs: 8007, pmg: 8006 };
const DEFAULT_REALM: Record<NodeType, string> = { pve: 'root@pam', pbs: 'root@pam', pmg: 'root@pam' };

const MONITOR_FLAGS: Record<NodeType, Array<[MonitorFlag, string]>> = {
  pve: [
    ['monitorVMs', 'VMs'],
    ['monitorContainers', 'Containers'],
    ['monitorStorage', 'Storage'],
    ['monitorBackups', 'Backups'],
    ['monitorPhysicalDisks', 'Physical disks'],
  ],
  pbs: [
    ['monitorDatastores', 'Datastores'],
    ['monitorSyncJobs', 'Sync jobs'],
    ['monitorVerifyJobs', 'Verify jobs'],
    ['monitorPruneJobs', 'Prune jobs'],
    ['monitorGarbageJobs', 'Garbage collection'],
  ],
  pmg: [
    ['monitorMailStats', 'Mail statistics'],
    ['monitorQueues', 'Queues'],
    ['monitorQuarantine', 'Quarantine'],
    ['monitorDomainStats', 'Domain statistics'],
  ],
};

const FP_RE = /\b([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31})\b/;

/** The fingerprint a failed TLS test reports: a field of the JSON error, or inside its words. */
export function fingerprintFrom(err: ApiError | Error): string | undefined {
  const body = (err as ApiError).body;
  for (const k of ['fingerprint', 'presentedFingerprint', 'certificateFingerprint']) {
    const v = body?.[k];
    if (typeof v === 'string' && FP_RE.test(v)) return v.toUpperCase();
  }
  return FP_RE.exec(err.message)?.[1]?.toUpperCase();
}

interface FormState extends NodeForm {
  auth: 'token' | 'password';
  monitor: Record<string, boolean>;
}

function blankForm(type: NodeType = 'pve'): FormState {
  return {
    type,
    name: '',
    host: '',
    user: DEFAULT_REALM[type],
    password: '',
    tokenName: '',
    tokenValue: '',
    fingerprint: '',
    verifySSL: true,
    // PMG has no API tokens: it is always added with a user and password.
    auth: type === 'pmg' ? 'password' : 'token',
    monitor: Object.fromEntries(MONITOR_FLAGS[type].map(([k]) => [k, true])),
  };
}

function formFromNode(n: ConfiguredNode): FormState {
  return {
    type: n.type,
    name: n.name,
    host: n.host,
    user: n.user ?? '',
    password: '',
    tokenName: n.tokenName ?? '',
    tokenValue: '',
    fingerprint: n.fingerprint ?? '',
    verifySSL: n.verifySSL ?? true,
    auth: n.type !== 'pmg' && (n.hasToken || n.tokenName) ? 'token' : 'password',
    monitor: Object.fromEntries(MONITOR_FLAGS[n.type].map(([k]) => [k, n[k] !== false])),
  };
}

function bodyOf(f: FormState): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: f.type,
    name: f.name.trim(),
    host: f.host.trim(),
    verifySSL: f.verifySSL,
    fingerprint: f.fingerprint?.trim() || undefined,
    ...f.monitor,
  };
  if (f.auth === 'token' && f.type !== 'pmg') {
    body.tokenName = f.tokenName?.trim();
    if (f.tokenValue) body.tokenValue = f.tokenValue.trim();
  } else {
    body.user = f.user?.trim();
    if (f.password) body.password = f.password;
  }
  return body;
}

function NodeEditor(props: {
  editing?: ConfiguredNode;
  prefill?: NodePrefill;
  onDone: () => void;
  onCancel: () => void;
}) {
  const [f, setF] = createSignal<FormState>(
    props.editing
      ? formFromNode(props.editing)
      : props.prefill
        ? { ...blankForm(props.prefill.type), name: props.prefill.name, host: props.prefill.host }
        : blankForm(),
  );
  const [error, setError] = createSignal('');
  const [result, setResult] = createSignal('');
  const [grant, setGrant] = createSignal('');
  const [doctor, setDoctor] = createSignal<PermissionReport>();
  const [fingerprint, setFingerprint] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF((s) => ({ ...s, [k]: v }));

  const test = async () => {
    setBusy(true);
    setError('');
    setResult('');
    setGrant('');
    setDoctor(undefined);
    setFingerprint(undefined);
    try {
      const res = await api.post<ConnectionTestReply>('/api/config/nodes/test-connection', bodyOf(f()));
      const parts = [String(res?.message ?? 'Connection successful')];
      if (res?.isCluster) parts.push(`cluster with ${res.clusterNodeCount ?? res.nodeCount} nodes`);
      else if (typeof res?.nodeCount === 'number') parts.push(`${res.nodeCount} node(s)`);
      if (typeof res?.datastoreCount === 'number') parts.push(`${res.datastoreCount} datastore(s)`);
      if (res?.version) parts.push(`version ${res.version}`);
      if (Array.isArray(res?.warnings) && res.warnings.length) parts.push(`warnings: ${res.warnings.join('; ')}`);
      setResult(parts.join(' · '));
      if (typeof res?.grantCommand === 'string') setGrant(res.grantCommand);
      if (res?.permissions) setDoctor(res.permissions);
    } catch (err) {
      setError((err as Error).message);
      const fp = fingerprintFrom(err as Error);
      if (fp && fp !== f().fingerprint?.toUpperCase()) setFingerprint(fp);
    } finally {
      setBusy(false);
    }
  };

  const pin = async () => {
    const fp = fingerprint();
    if (!fp) return;
    setF((s) => ({ ...s, fingerprint: fp, verifySSL: true }));
    setFingerprint(undefined);
    await test();
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      if (props.editing) await api.put(`/api/config/nodes/${seg(props.editing.id)}`, bodyOf(f()));
      else await api.post('/api/config/nodes', bodyOf(f()));
      props.onDone();
    } catch (err) {
      setError((err as Error).message);
      const fp = fingerprintFrom(err as Error);
      if (fp && fp !== f().fingerprint?.toUpperCase()) setFingerprint(fp);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={props.editing ? `Edit ${props.editing.name}` : 'Add a node'}>
      <form class="grid gap-3 md:grid-cols-2" onSubmit={save} aria-label={props.editing ? 'Edit node' : 'Add node'}>
        <SelectField
          label="Type"
          value={f().type}
          onChange={(v) => {
            const t = v as NodeType;
            const fresh = blankForm(t);
            // The chosen method carries over between PVE and PBS; PMG (passwords only) resets it.
            setF((s) => ({
              ...fresh,
              name: s.name,
              host: s.host,
              auth: t === 'pmg' || s.type === 'pmg' ? fresh.auth : s.auth,
            }));
          }}
          options={(['pve', 'pbs', 'pmg'] as NodeType[]).map((t) => ({ value: t, label: TYPE_LABEL[t] }))}
        />
        <Field
          label="Name"
          name="name"
          required
          placeholder="pve-main"
          value={f().name}
          onInput={(e) => set('name', e.currentTarget.value)}
        />
        <Field
          label="Host"
          name="host"
          required
          fieldClass="md:col-span-2"
          placeholder={`https://192.168.1.10:${DEFAULT_PORT[f().type]}`}
          hint={`https:// and port ${DEFAULT_PORT[f().type]} are added when left out.`}
          value={f().host}
          onInput={(e) => set('host', e.currentTarget.value)}
        />
        <Show
          when={f().type !== 'pmg'}
          fallback={
            <p class="md:col-span-2 text-sm text-slate-600 dark:text-slate-400" data-testid="pmg-auth-note">
              Proxmox Mail Gateway has no API tokens: Pulse logs in with a user and password (for example
              pulse-monitor@pmg with the Audit role) and renews its ticket before it expires.
            </p>
          }
        >
          <fieldset class="md:col-span-2">
            <legend class="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">Authentication</legend>
            <div class="flex gap-4 text-sm">
              <label class="inline-flex items-center gap-2">
                <input type="radio" name="auth" checked={f().auth === 'token'} onChange={() => set('auth', 'token')} />{' '}
                API token (recommended)
              </label>
              <label class="inline-flex items-center gap-2">
                <input
                  type="radio"
                  name="auth"
                  checked={f().auth === 'password'}
                  onChange={() => set('auth', 'password')}
                />{' '}
                User and password
              </label>
            </div>
          </fieldset>
        </Show>
        <Show
          when={f().auth === 'token' && f().type !== 'pmg'}
          fallback={
            <>
              <Field
                label="User"
                name="user"
                placeholder="monitor@pam"
                value={f().user ?? ''}
                onInput={(e) => set('user', e.currentTarget.value)}
              />
              <Field
                label="Password"
                name="password"
                type="password"
                autocomplete="off"
                placeholder={props.editing?.hasPassword ? '(unchanged)' : ''}
                value={f().password ?? ''}
                onInput={(e) => set('password', e.currentTarget.value)}
              />
            </>
          }
        >
          <Field
            label="Token ID"
            name="tokenName"
            placeholder="pulse-monitor@pam!pulse"
            hint="The full token id: user@realm!name"
            value={f().tokenName ?? ''}
            onInput={(e) => set('tokenName', e.currentTarget.value)}
          />
          <Field
            label="Token secret"
            name="tokenValue"
            type="password"
            autocomplete="off"
            placeholder={props.editing?.hasToken ? '(unchanged)' : 'xxxxxxxx-xxxx-…'}
            value={f().tokenValue ?? ''}
            onInput={(e) => set('tokenValue', e.currentTarget.value)}
          />
        </Show>
        <div class="md:col-span-2 flex flex-wrap gap-4">
          <Check label="Verify TLS certificate" checked={f().verifySSL} onChange={(v) => set('verifySSL', v)} />
        </div>
        <Field
          label="Pinned certificate fingerprint (SHA-256)"
          name="fingerprint"
          fieldClass="md:col-span-2"
          class="font-mono text-xs"
          placeholder="AB:CD:…"
          hint="With a pinned fingerprint, a self-signed certificate is trusted when it matches exactly."
          value={f().fingerprint ?? ''}
          onInput={(e) => set('fingerprint', e.currentTarget.value)}
        />
        <fieldset class="md:col-span-2">
          <legend class="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">Monitor</legend>
          <div class="flex flex-wrap gap-4">
            <For each={MONITOR_FLAGS[f().type]}>
              {([k, label]) => (
                <Check
                  label={label}
                  checked={f().monitor[k] !== false}
                  onChange={(v) => setF((s) => ({ ...s, monitor: { ...s.monitor, [k]: v } }))}
                />
              )}
            </For>
          </div>
        </fieldset>
        <div class="md:col-span-2 space-y-2">
          {/* An untrusted certificate is explained once, by the notice below with its fingerprint. */}
          <ErrorText error={fingerprint() ? undefined : error()} />
          <Show when={fingerprint()}>
            <Notice tone="warn">
              <p>The server presented a certificate this machine does not trust. Its SHA-256 fingerprint is:</p>
              <code data-testid="presented-fingerprint" class="my-1 block break-all font-mono text-xs">
                {fingerprint()}
              </code>
              <p class="mb-2 text-xs">
                Compare it with the one Proxmox shows (node → System → Certificates, or <code>pvenode cert info</code>)
                before pinning it.
              </p>
              <Button variant="primary" onClick={pin} disabled={busy()}>
                Pin this fingerprint
              </Button>
            </Notice>
          </Show>
          <Show when={result()}>
            <Notice tone="ok">{result()}</Notice>
            <Show
              when={doctor()}
              fallback={
                <Show when={grant()}>
                  <GrantCommand name={f().name || 'this instance'} command={grant()} />
                </Show>
              }
            >
              {(report) => <PermissionDoctor name={f().name || 'this instance'} report={report()} />}
            </Show>
          </Show>
        </div>
        <div class="md:col-span-2 flex flex-wrap gap-2">
          <Button onClick={test} disabled={busy() || readOnly()}>
            Test connection
          </Button>
          <Button type="submit" variant="primary" disabled={busy() || readOnly()}>
            {props.editing ? 'Save changes' : 'Save node'}
          </Button>
          <Button variant="ghost" onClick={props.onCancel}>
            Cancel
          </Button>
        </div>
        <Show when={busy()}>
          <div class="md:col-span-2">
            <Progress label="Connecting to the server…" />
          </div>
        </Show>
      </form>
    </Card>
  );
}

export function NodesSettings() {
  const [error, setError] = createSignal('');
  const [nodes, { refetch }] = createResource(async () => {
    try {
      setError('');
      return await api.get<ConfiguredNode[]>('/api/config/nodes');
    } catch (err) {
      setError((err as Error).message);
      return [] as ConfiguredNode[];
    }
  });
  const [editing, setEditing] = createSignal<ConfiguredNode | 'new'>();
  const [prefill, setPrefill] = createSignal<NodePrefill>();
  const [testResult, setTestResult] = createSignal<Record<string, string>>({});
  // Cluster membership and connection state change after the first polls: keep the list fresh.
  const timer = setInterval(() => void refetch(), 15_000);
  onCleanup(() => clearInterval(timer));
  /** Live reachability from the state's connectionHealth, else what the config list says. */
  const connected = (n: ConfiguredNode): boolean | undefined => {
    const key = n.type === 'pve' ? n.name : `${n.type}-${n.name}`;
    const live_ = live.state.connectionHealth[key];
    return live_ ?? (n.status === 'connected' ? true : n.status === 'disconnected' ? false : undefined);
  };

  const testSaved = async (n: ConfiguredNode) => {
    setTestResult((r) => ({ ...r, [n.id]: 'Testing…' }));
    try {
      const res = await api.post<ConfigTestReply>(`/api/config/nodes/${seg(n.id)}/test`);
      setTestResult((r) => ({
        ...r,
        [n.id]: `${res?.message ?? 'OK'}${res?.latency !== undefined ? ` (${res.latency} ms)` : ''}`,
      }));
    } catch (err) {
      setTestResult((r) => ({ ...r, [n.id]: `Failed: ${(err as Error).message}` }));
    }
  };

  const confirmation = createConfirm();
  const remove = async (n: ConfiguredNode) => {
    const ok = await confirmation.ask({
      title: `Remove ${n.name} from Pulse?`,
      body: `Pulse stops monitoring ${n.host}; its credentials are deleted.`,
      confirmLabel: 'Remove',
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/config/nodes/${seg(n.id)}`);
      await refetch();
      await refreshState().catch(() => undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const done = async () => {
    setEditing(undefined);
    await refetch();
    await refreshState().catch(() => undefined);
  };

  return (
    <div class="space-y-4">
      <div class="flex flex-wrap items-center justify-between gap-2">
        <h2 class="text-lg font-semibold">Nodes</h2>
        <div class="flex gap-2">
          <Button onClick={() => void refetch()}>Refresh</Button>
          <Button
            variant="primary"
            disabled={readOnly()}
            onClick={() => {
              setPrefill(undefined);
              setEditing('new');
            }}
          >
            Add node
          </Button>
        </div>
      </div>
      <ErrorText error={error()} />
      <Show when={editing()} keyed>
        {(e) => (
          <NodeEditor
            editing={e === 'new' ? undefined : e}
            prefill={e === 'new' ? prefill() : undefined}
            onDone={done}
            onCancel={() => setEditing(undefined)}
          />
        )}
      </Show>
      <Show
        when={(nodes() ?? []).length > 0}
        fallback={
          <Show when={!nodes.loading}>
            <Empty>No nodes configured yet. Add your first Proxmox server.</Empty>
          </Show>
        }
      >
        <ul class="space-y-2" aria-label="Configured nodes">
          <For each={nodes()}>
            {(n) => (
              <li
                class="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-700 dark:bg-slate-800/60"
                data-node-id={n.id}
              >
                <div class="flex flex-wrap items-start justify-between gap-2">
                  <div class="min-w-0">
                    <p class="flex items-center gap-2 font-medium">
                      <StatusDot
                        status={connected(n) === undefined ? 'unknown' : connected(n) ? 'online' : 'offline'}
                        label=""
                      />
                      <span>{n.name}</span>
                      <span class="rounded bg-slate-100 px-1.5 text-[11px] uppercase dark:bg-slate-700">{n.type}</span>
                      <Show when={n.isCluster}>
                        <span class="rounded bg-sky-100 px-1.5 text-[11px] text-sky-700 dark:bg-sky-900/50 dark:text-sky-300">
                          cluster {n.clusterName} · {n.clusterEndpoints?.length ?? 0} nodes
                        </span>
                      </Show>
                    </p>
                    <p class="text-sm text-slate-500">{n.host}</p>
                    <p class="text-xs text-slate-500">
                      {n.tokenName ? `Token ${n.tokenName}` : n.user ? `User ${n.user}` : 'No credentials'} ·{' '}
                      {connected(n) === undefined ? 'not polled yet' : connected(n) ? 'connected' : 'unreachable'}
                      {n.fingerprint
                        ? ` · pinned ${n.fingerprint.slice(0, 23)}…`
                        : n.verifySSL === false
                          ? ' · TLS not verified'
                          : ''}
                    </p>
                    <Show when={n.error}>
                      <p class="text-xs text-red-600 dark:text-red-400" data-testid="node-error">
                        {n.error}
                      </p>
                    </Show>
                    <Show when={n.warnings?.length}>
                      <ul class="text-xs text-amber-700 dark:text-amber-300" aria-label={`Warnings for ${n.name}`}>
                        <For each={n.warnings}>{(w) => <li>⚠ {w}</li>}</For>
                      </ul>
                    </Show>
                    <Show
                      when={n.permissions}
                      fallback={
                        <Show when={n.grantCommand}>{(cmd) => <GrantCommand name={n.name} command={cmd()} />}</Show>
                      }
                    >
                      {(report) => <PermissionDoctor name={n.name} report={report()} />}
                    </Show>
                    <Show when={testResult()[n.id]}>
                      <p class="text-xs" role="status">
                        {testResult()[n.id]}
                      </p>
                    </Show>
                  </div>
                  <div class="flex gap-2">
                    <Button aria-label={`Test ${n.name}`} onClick={() => testSaved(n)}>
                      Test
                    </Button>
                    <Button aria-label={`Edit ${n.name}`} disabled={readOnly()} onClick={() => setEditing(n)}>
                      Edit
                    </Button>
                    <Button
                      aria-label={`Delete ${n.name}`}
                      variant="danger"
                      disabled={readOnly()}
                      onClick={() => remove(n)}
                    >
                      Delete
                    </Button>
                  </div>
                </div>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <SetupScriptFlow onRegistered={() => void done()} />
      <DiscoveryPanel
        onAdd={(p) => {
          // Re-mount the editor so it starts from the discovered server's values.
          setEditing(undefined);
          setPrefill(p);
          setEditing('new');
          window.scrollTo(0, 0);
        }}
      />
      <TokenGuide />
      <confirmation.Dialog />
    </div>
  );
}
