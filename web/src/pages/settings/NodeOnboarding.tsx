/**
 * Ways to add a node besides typing everything in: the setup script (a one-time code and a
 * command to paste on the Proxmox host, then waiting until the node registers itself), network
 * discovery (scan a subnet; "Add" fills the form), and a guide for making a read-only token by hand.
 */
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { api } from '../../api/client';
import type {
  ConfiguredNode as ConfiguredBrief,
  DiscoveryResult,
  NodeType,
  SetupScriptUrlReply as SetupUrl,
} from '../../api/types';
import { CopyBox, createAction, Progress } from '../../components/kit';
import { Button, Card, Check, Empty, ErrorText, Field, Notice, SelectField, td, th } from '../../components/ui';
import { readOnly } from '../../stores/session';

const TYPE_OPTIONS = [
  { value: 'pve', label: 'Proxmox VE' },
  { value: 'pbs', label: 'Proxmox Backup Server' },
  { value: 'pmg', label: 'Proxmox Mail Gateway' },
];

/** Discovery's schema types `type` as any text; only the three products can fill the node form. */
const isNodeType = (t: string): t is NodeType => TYPE_OPTIONS.some((o) => o.value === t);

const POLL_MS = 2000;

export function SetupScriptFlow(props: { onRegistered: () => void }) {
  const [type, setType] = createSignal<NodeType>('pve');
  const [host, setHost] = createSignal('');
  const [backupPerms, setBackupPerms] = createSignal(false);
  const [issued, setIssued] = createSignal<SetupUrl>();
  const [registered, setRegistered] = createSignal<ConfiguredBrief>();
  const [now, setNow] = createSignal(Date.now());
  let known = new Set<string>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  onCleanup(stop);

  const key = (n: ConfiguredBrief) => `${n.type}|${n.host}|${n.name}`;

  /** Polls the node list until one appears that was not there when the code was issued. */
  const watch = () => {
    stop();
    timer = setInterval(async () => {
      setNow(Date.now());
      const exp = issued()?.expires;
      // The code is single-use and short-lived; past expiry plus a minute nothing more will come.
      if (exp && Date.now() > exp * 1000 + 60_000) return stop();
      try {
        const list = await api.get<ConfiguredBrief[]>('/api/config/nodes');
        const fresh = list.find((n) => !known.has(key(n)));
        if (fresh) {
          stop();
          setRegistered(fresh);
          props.onRegistered();
        }
      } catch {
        // A failed poll is retried on the next tick; the page stays as it is.
      }
    }, POLL_MS);
  };

  const generate = createAction(async () => {
    setRegistered(undefined);
    setIssued(undefined);
    const before = await api.get<ConfiguredBrief[]>('/api/config/nodes');
    known = new Set(before.map(key));
    const res = await api.post<SetupUrl>('/api/setup-script-url', {
      type: type(),
      host: host().trim() || undefined,
      backupPerms: type() === 'pve' && backupPerms(),
    });
    setIssued(res);
    setNow(Date.now());
    watch();
  });

  const secondsLeft = () => Math.max(0, Math.round((issued()?.expires ?? 0) - now() / 1000));
  const command = () => issued()?.command ?? '';

  return (
    <Card title="Add with the setup script">
      <div class="space-y-3">
        <p class="text-sm text-slate-600 dark:text-slate-400">
          Runs on the Proxmox host as root: creates a <code>pulse-monitor</code> user with read-only rights and a token,
          then registers the node here with a one-time code (valid 5 minutes).
        </p>
        <form
          aria-label="Setup script"
          class="grid gap-3 md:grid-cols-3"
          onSubmit={(e) => {
            e.preventDefault();
            void generate.run();
          }}
        >
          <SelectField label="Product" value={type()} onChange={(v) => setType(v as NodeType)} options={TYPE_OPTIONS} />
          <Field
            label="Node address (optional)"
            placeholder="https://192.168.1.10:8006"
            hint="Binds the code to this host."
            value={host()}
            onInput={(e) => setHost(e.currentTarget.value)}
          />
          <div class="flex items-end pb-2">
            <Show when={type() === 'pve'}>
              <Check label="Also allow backup management" checked={backupPerms()} onChange={(v) => setBackupPerms(v)} />
            </Show>
          </div>
          <div class="space-y-2 md:col-span-3">
            <ErrorText error={generate.error()} />
            <Button type="submit" variant="primary" disabled={generate.busy() || readOnly()}>
              Generate setup command
            </Button>
          </div>
        </form>
        <Show when={issued()}>
          {(i) => (
            <div class="space-y-2">
              <Show when={i().setupCode}>
                <p class="text-sm">
                  Setup code: <strong class="font-mono text-base tracking-widest">{i().setupCode}</strong>{' '}
                  <span class="text-slate-500">
                    ({secondsLeft() > 0 ? `expires in ${Math.ceil(secondsLeft() / 60)} min` : 'expired'})
                  </span>
                </p>
              </Show>
              <CopyBox label="Setup command" text={command()} />
              <p class="text-xs text-slate-500">
                Paste it into a root shell on the node; the script asks for the setup code.
              </p>
              <Show
                when={registered()}
                fallback={
                  <Show
                    when={secondsLeft() > -60}
                    fallback={<Notice tone="warn">The code expired; generate a new one.</Notice>}
                  >
                    <Progress label="Waiting for the node to register…" />
                  </Show>
                }
              >
                {(n) => (
                  <Notice tone="ok">
                    Registered {n().name} ({n().type.toUpperCase()}, {n().host}).
                  </Notice>
                )}
              </Show>
            </div>
          )}
        </Show>
      </div>
    </Card>
  );
}

export interface NodePrefill {
  type: NodeType;
  name: string;
  host: string;
}

export function DiscoveryPanel(props: { onAdd: (p: NodePrefill) => void }) {
  const [subnet, setSubnet] = createSignal('');
  const [result, setResult] = createSignal<DiscoveryResult>();
  const [scanning, setScanning] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));

  const poll = async () => {
    try {
      const r = await api.get<DiscoveryResult>('/api/discover');
      setResult(r);
      if (r.scanning) timer = setTimeout(() => void poll(), 1000);
      else setScanning(false);
    } catch (err) {
      setScanning(false);
      scan.setError((err as Error).message);
    }
  };

  const scan = createAction(async () => {
    const r = await api.post<DiscoveryResult>('/api/discover', { subnet: subnet().trim() || 'auto' });
    setResult(r);
    setScanning(true);
    timer = setTimeout(() => void poll(), 1000);
  });

  const load = createAction(async () => setResult(await api.get<DiscoveryResult>('/api/discover')));
  void load.run();

  return (
    <Card title="Find nodes on the network">
      <form
        aria-label="Network discovery"
        class="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void scan.run();
        }}
      >
        <Field
          label="Subnet"
          placeholder="192.168.1.0/24 (empty: this host's networks)"
          fieldClass="min-w-72"
          value={subnet()}
          onInput={(e) => setSubnet(e.currentTarget.value)}
        />
        <Button type="submit" disabled={scan.busy() || scanning() || readOnly()}>
          Scan
        </Button>
      </form>
      <div class="mt-3 space-y-2">
        <ErrorText error={scan.error() || load.error()} />
        <Show when={scan.busy() || scanning()}>
          <Progress label="Scanning…" />
        </Show>
        <Show when={(result()?.errors ?? []).length > 0}>
          <Notice tone="warn">{result()?.errors.join('; ')}</Notice>
        </Show>
        <Show
          when={(result()?.servers ?? []).length > 0}
          fallback={
            <Show when={!scanning() && !load.busy()}>
              <Empty>No Proxmox servers found{result()?.updated && result()!.updated! > 0 ? '' : ' yet'}.</Empty>
            </Show>
          }
        >
          <table class="w-full text-sm" aria-label="Discovered servers">
            <thead>
              <tr>
                <th class={th}>Address</th>
                <th class={th}>Product</th>
                <th class={th}>Name</th>
                <th class={th}>Version</th>
                <th class={th}>
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={result()?.servers}>
                {(s) => (
                  <tr class="border-t border-slate-200 dark:border-slate-700">
                    <td class={td}>
                      {s.ip}:{s.port}
                    </td>
                    <td class={td}>{s.type.toUpperCase()}</td>
                    <td class={td}>{s.hostname ?? '—'}</td>
                    <td class={td}>{s.version ?? '—'}</td>
                    <td class={`${td} text-right`}>
                      <Button
                        aria-label={`Add ${s.ip}:${s.port}`}
                        disabled={readOnly() || !isNodeType(s.type)}
                        onClick={() => {
                          const type = s.type;
                          if (!isNodeType(type)) return;
                          props.onAdd({
                            type,
                            name: s.hostname ?? s.ip,
                            host: `https://${s.ip.includes(':') ? `[${s.ip}]` : s.ip}:${s.port}`,
                          });
                        }}
                      >
                        Add
                      </Button>
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

/** How to make the monitoring user and token by hand, and which privileges each feature needs. */
export function TokenGuide() {
  return (
    <Card title="Creating a read-only token by hand">
      <div class="space-y-3 text-sm">
        <details>
          <summary class="cursor-pointer font-medium">Proxmox VE</summary>
          <div class="mt-2 space-y-2">
            <CopyBox
              label="Proxmox VE commands"
              text={[
                'pveum user add pulse-monitor@pam --comment "Pulse monitoring"',
                'pveum aclmod / -user pulse-monitor@pam -role PVEAuditor',
                'pveum user token add pulse-monitor@pam pulse --privsep 0',
              ].join('\n')}
            />
            <ul class="list-inside list-disc text-slate-600 dark:text-slate-400">
              <li>
                <strong>PVEAuditor on /</strong>: nodes, guests, storage, cluster and Ceph status, backup and snapshot
                lists.
              </li>
              <li>
                <strong>VM.Monitor</strong> (PVE 8) or <strong>VM.GuestAgent.Audit</strong> (PVE 9): guest disk usage
                and IP addresses through the QEMU guest agent — add a role with it, e.g.{' '}
                <code>pveum role add PulseMonitor -privs VM.Monitor</code> and grant it on /.
              </li>
              <li>
                <strong>Datastore.Audit</strong> on /storage (in PVEAuditor): backup files on storage; PBS-backed
                backups also need the PBS token below.
              </li>
              <li>
                <strong>Sys.Audit</strong> (in PVEAuditor): physical disks and SMART health.
              </li>
              <li>
                With <code>--privsep 1</code> the token has its own rights: grant the same roles to the token (
                <code>-token 'pulse-monitor@pam!pulse'</code>) instead of the user.
              </li>
            </ul>
          </div>
        </details>
        <details>
          <summary class="cursor-pointer font-medium">Proxmox Backup Server</summary>
          <div class="mt-2 space-y-2">
            <CopyBox
              label="Proxmox Backup Server commands"
              text={[
                'proxmox-backup-manager user create pulse-monitor@pbs',
                'proxmox-backup-manager user generate-token pulse-monitor@pbs pulse',
                "proxmox-backup-manager acl update / Audit --auth-id 'pulse-monitor@pbs!pulse'",
              ].join('\n')}
            />
            <p class="text-slate-600 dark:text-slate-400">
              <strong>Audit on /</strong>: datastores and their usage, backup snapshots, sync, verify, prune and garbage
              collection jobs, and the server's CPU and memory.
            </p>
          </div>
        </details>
        <details>
          <summary class="cursor-pointer font-medium">Proxmox Mail Gateway</summary>
          <div class="mt-2 space-y-2">
            <CopyBox
              label="Proxmox Mail Gateway commands"
              text={"pmgsh create /access/users --userid pulse-monitor@pmg --password '<a long password>' --role audit"}
            />
            <p class="text-slate-600 dark:text-slate-400">
              Mail Gateway has no API tokens: Pulse signs in with this user and password. The <strong>audit</strong>{' '}
              role reads mail statistics, queues, quarantine counts and cluster status.
            </p>
          </div>
        </details>
      </div>
    </Card>
  );
}
