/**
 * The rest of the alert configuration next to the guest/node/storage thresholds: PBS, PMG and
 * Docker limits, backup and snapshot age, per-type switches, grace periods, hysteresis, quiet
 * hours, escalation, flapping, cooldown and grouping. Fields are described by their dotted path
 * in the config document, so each one reads and writes exactly what the server stores.
 */
import { createMemo, createUniqueId, For, Show } from 'solid-js';
import type { AlertConfig } from '../../api/types';
import { Button, Check, inputClass, SelectField } from '../../components/ui';
import { type GraceType, MetricGrace } from './MetricGrace';

type Patch = (fn: (c: AlertConfig) => AlertConfig) => void;

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Sets `path` in an already-cloned config, creating the objects on the way. */
function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] === null || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys.at(-1) as string] = value;
}

interface Ctx {
  cfg: AlertConfig;
  patch: Patch;
}

function update(ctx: Ctx, path: string, value: unknown) {
  ctx.patch((c) => {
    setPath(c as Record<string, unknown>, path, value);
    // The server reads both names of the PMG block (the published API's and 4.24's), the
    // second one last: keep the twin equal so an edit is not overwritten by the stale copy.
    if (path.startsWith('pmgDefaults.') && c.pmgThresholds && typeof c.pmgThresholds === 'object')
      setPath(c as Record<string, unknown>, path.replace('pmgDefaults.', 'pmgThresholds.'), value);
    return c;
  });
}

function Num(props: { ctx: Ctx; path: string; label: string; unit?: string; step?: string; min?: number }) {
  const id = createUniqueId();
  const value = () => getPath(props.ctx.cfg, props.path);
  return (
    <div class="text-sm">
      <label for={id} class="mb-0.5 block text-xs text-slate-600 dark:text-slate-400">
        {props.label}
        {props.unit ? ` (${props.unit})` : ''}
      </label>
      <input
        id={id}
        type="number"
        step={props.step ?? 'any'}
        min={props.min ?? 0}
        class={`${inputClass} w-28`}
        value={typeof value() === 'number' ? String(value()) : ''}
        onInput={(e) => {
          const raw = e.currentTarget.value;
          if (raw !== '') update(props.ctx, props.path, Number(raw));
        }}
      />
    </div>
  );
}

function Flag(props: { ctx: Ctx; path: string; label: string; invert?: boolean }) {
  const on = () => getPath(props.ctx.cfg, props.path) === true;
  return (
    <Check
      label={props.label}
      checked={props.invert ? !on() : on()}
      onChange={(v) => update(props.ctx, props.path, props.invert ? !v : v)}
    />
  );
}

/** A list of words as one comma-separated field (e.g. container name prefixes). */
function Words(props: { ctx: Ctx; path: string; label: string; placeholder?: string }) {
  const id = createUniqueId();
  const value = () => {
    const v = getPath(props.ctx.cfg, props.path);
    return Array.isArray(v) ? v.join(', ') : '';
  };
  return (
    <div class="text-sm">
      <label for={id} class="mb-0.5 block text-xs text-slate-600 dark:text-slate-400">
        {props.label}
      </label>
      <input
        id={id}
        type="text"
        class={`${inputClass} w-64`}
        placeholder={props.placeholder}
        value={value()}
        onChange={(e) =>
          update(
            props.ctx,
            props.path,
            e.currentTarget.value
              .split(',')
              .map((w) => w.trim())
              .filter((w) => w.length > 0),
          )
        }
      />
    </div>
  );
}

function Pair(props: { ctx: Ctx; path: string; label: string; unit: string; grace: [GraceType, string] }) {
  return (
    <div class="flex flex-wrap items-end gap-2">
      <Num ctx={props.ctx} path={`${props.path}.trigger`} label={`${props.label} trigger`} unit={props.unit} />
      <Num ctx={props.ctx} path={`${props.path}.clear`} label={`${props.label} clear`} unit={props.unit} />
      <MetricGrace
        cfg={props.ctx.cfg}
        type={props.grace[0]}
        metric={props.grace[1]}
        label={props.label}
        patch={props.ctx.patch}
      />
    </div>
  );
}

function Section(props: { title: string; hint?: string; children: import('solid-js').JSX.Element }) {
  return (
    <section aria-label={props.title} class="rounded border border-slate-200 p-3 dark:border-slate-700">
      <h3 class="text-sm font-semibold">{props.title}</h3>
      <Show when={props.hint}>
        <p class="mb-2 text-xs text-slate-500 dark:text-slate-400">{props.hint}</p>
      </Show>
      <div class="mt-2 flex flex-wrap gap-x-6 gap-y-3">{props.children}</div>
    </section>
  );
}

const PMG_FIELDS: Array<[string, string, string]> = [
  ['queueTotalWarning', 'Mail queue warning', 'messages'],
  ['queueTotalCritical', 'Mail queue critical', 'messages'],
  ['oldestMessageWarnMins', 'Oldest queued warning', 'min'],
  ['oldestMessageCritMins', 'Oldest queued critical', 'min'],
  ['deferredQueueWarn', 'Deferred queue warning', 'messages'],
  ['deferredQueueCritical', 'Deferred queue critical', 'messages'],
  ['holdQueueWarn', 'Hold queue warning', 'messages'],
  ['holdQueueCritical', 'Hold queue critical', 'messages'],
  ['quarantineSpamWarn', 'Spam quarantine warning', 'messages'],
  ['quarantineSpamCritical', 'Spam quarantine critical', 'messages'],
  ['quarantineVirusWarn', 'Virus quarantine warning', 'messages'],
  ['quarantineVirusCritical', 'Virus quarantine critical', 'messages'],
  ['quarantineGrowthWarnPct', 'Quarantine growth warning', '%'],
  ['quarantineGrowthWarnMin', 'Quarantine growth warning at least', 'messages'],
  ['quarantineGrowthCritPct', 'Quarantine growth critical', '%'],
  ['quarantineGrowthCritMin', 'Quarantine growth critical at least', 'messages'],
];

const TYPE_SWITCHES: Array<[string, string, string | undefined]> = [
  ['Nodes', 'disableAllNodes', 'disableAllNodesOffline'],
  ['Guests', 'disableAllGuests', 'disableAllGuestsOffline'],
  ['Storage', 'disableAllStorage', undefined],
  ['PBS', 'disableAllPBS', 'disableAllPBSOffline'],
  ['PMG', 'disableAllPMG', 'disableAllPMGOffline'],
  ['Docker hosts', 'disableAllDockerHosts', 'disableAllDockerHostsOffline'],
  ['Docker containers', 'disableAllDockerContainers', undefined],
];

const GRACE: Array<[string, string]> = [
  ['guest', 'Guests'],
  ['node', 'Nodes'],
  ['storage', 'Storage'],
  ['pbs', 'PBS'],
  ['pmg', 'PMG'],
  ['docker', 'Docker'],
];

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

interface Level {
  after: number;
  notify: string;
}

export function AlertBehaviour(props: { cfg: AlertConfig; patch: Patch }) {
  const ctx = (): Ctx => ({ cfg: props.cfg, patch: props.patch });
  const zones = createMemo(timeZones);
  const zoneList = createUniqueId();
  const zoneId = createUniqueId();
  const levels = () => (getPath(props.cfg, 'schedule.escalation.levels') as Level[] | undefined) ?? [];
  const setLevels = (next: Level[]) => update(ctx(), 'schedule.escalation.levels', next);
  return (
    <div class="space-y-3">
      <Section title="PBS, Docker and PMG thresholds" hint="Trigger and clear values, as for guests and nodes.">
        <Pair ctx={ctx()} path="pbsDefaults.cpu" label="PBS CPU" unit="%" grace={['pbs', 'cpu']} />
        <Pair ctx={ctx()} path="pbsDefaults.memory" label="PBS memory" unit="%" grace={['pbs', 'memory']} />
        <Pair ctx={ctx()} path="dockerDefaults.cpu" label="Container CPU" unit="%" grace={['docker', 'cpu']} />
        <Pair ctx={ctx()} path="dockerDefaults.memory" label="Container memory" unit="%" grace={['docker', 'memory']} />
        <Num ctx={ctx()} path="dockerDefaults.memoryWarnPct" label="Container memory limit warning" unit="%" />
        <Num ctx={ctx()} path="dockerDefaults.memoryCriticalPct" label="Container memory limit critical" unit="%" />
        <Num ctx={ctx()} path="dockerDefaults.restartCount" label="Container restarts" unit="count" step="1" />
        <Num ctx={ctx()} path="dockerDefaults.restartWindow" label="Restarts counted within" unit="s" step="1" />
        <Words
          ctx={ctx()}
          path="dockerIgnoredContainerPrefixes"
          label="Ignore containers whose name starts with (comma-separated)"
          placeholder="e.g. buildkit_, tmp-"
        />
        <For each={PMG_FIELDS}>
          {([k, label, unit]) => <Num ctx={ctx()} path={`pmgDefaults.${k}`} label={label} unit={unit} step="1" />}
        </For>
      </Section>

      <Section title="Backups and snapshots">
        <Flag ctx={ctx()} path="backupAge.enabled" label="Alert on old backups" />
        <Num ctx={ctx()} path="backupAge.warningDays" label="Backup age warning" unit="days" />
        <Num ctx={ctx()} path="backupAge.criticalDays" label="Backup age critical" unit="days" />
        <Flag ctx={ctx()} path="backupAge.alertOnMissing" label="Alert when a guest has no backup" />
        <Flag ctx={ctx()} path="snapshotAge.enabled" label="Alert on old snapshots" />
        <Num ctx={ctx()} path="snapshotAge.warningDays" label="Snapshot age warning" unit="days" />
        <Num ctx={ctx()} path="snapshotAge.criticalDays" label="Snapshot age critical" unit="days" />
        <Flag ctx={ctx()} path="backupCoverage.enabled" label="Alert on guests the backup coverage audit flags" />
      </Section>

      <Section title="Storage forecast" hint="From each storage's recent growth: alert before it fills.">
        <Flag ctx={ctx()} path="storageForecast.enabled" label="Alert when a storage is forecast to fill" />
        <Num ctx={ctx()} path="storageForecast.horizonDays" label="Warn when full within" unit="days" step="1" />
        <Num ctx={ctx()} path="storageForecast.criticalDays" label="Critical when full within" unit="days" step="1" />
        <Num
          ctx={ctx()}
          path="storageForecast.minConfidence"
          label="Least forecast confidence"
          unit="0–1"
          step="0.05"
        />
      </Section>

      <Section title="Checks by type" hint="Unticked types raise no alerts of that kind at all.">
        <table class="text-sm" aria-label="Checks by type">
          <thead>
            <tr>
              <th class="pr-4 text-left text-xs font-semibold text-slate-500">Type</th>
              <th class="pr-4 text-left text-xs font-semibold text-slate-500">Threshold alerts</th>
              <th class="text-left text-xs font-semibold text-slate-500">Offline / powered-off alerts</th>
            </tr>
          </thead>
          <tbody>
            <For each={TYPE_SWITCHES}>
              {([label, all, offline]) => (
                <tr>
                  <td class="pr-4">{label}</td>
                  <td class="pr-4">
                    <Flag ctx={ctx()} path={all} label={`${label} threshold alerts`} invert />
                  </td>
                  <td>
                    <Show when={offline} fallback={<span class="text-xs text-slate-400">—</span>}>
                      <Flag
                        ctx={ctx()}
                        path={offline as string}
                        label={label === 'Guests' ? 'Guests powered off' : `${label} offline`}
                        invert
                      />
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
        <SelectField
          label="Powered-off guest severity"
          value={String(getPath(props.cfg, 'guestDefaults.poweredOffSeverity') ?? 'warning')}
          onChange={(v) => update(ctx(), 'guestDefaults.poweredOffSeverity', v)}
          options={[
            { value: 'warning', label: 'Warning' },
            { value: 'critical', label: 'Critical' },
          ]}
        />
      </Section>

      <Section
        title="Grace periods and hysteresis"
        hint="A breach must last the grace period before it fires; small changes of a re-firing alert are not re-sent."
      >
        <For each={GRACE}>
          {([k, label]) => (
            <Num ctx={ctx()} path={`timeThresholds.${k}`} label={`${label} grace period`} unit="s" step="1" />
          )}
        </For>
        <Num ctx={ctx()} path="timeThreshold" label="Grace period for other types" unit="s" step="1" />
        <Num ctx={ctx()} path="hysteresisMargin" label="Hysteresis margin" unit="points" />
        <Num ctx={ctx()} path="minimumDelta" label="Minimum change to re-send" unit="points" />
        <Num ctx={ctx()} path="suppressionWindow" label="Re-send suppression window" unit="min" step="1" />
      </Section>

      <Section title="Notification pacing">
        <Num ctx={ctx()} path="schedule.cooldown" label="Cooldown between repeats" unit="min" step="1" />
        <Num
          ctx={ctx()}
          path="schedule.maxAlertsHour"
          label="Notifications per alert per hour"
          unit="0 = no cap"
          step="1"
        />
        <Flag ctx={ctx()} path="schedule.grouping.enabled" label="Group notifications" />
        <Num ctx={ctx()} path="schedule.grouping.window" label="Grouping window" unit="s" step="1" />
        <Flag ctx={ctx()} path="schedule.grouping.byNode" label="Group by node" />
        <Flag ctx={ctx()} path="schedule.grouping.byGuest" label="Group by guest" />
        <Flag ctx={ctx()} path="aggregation.enabled" label="Fold alerts under an offline node (root cause)" />
        <Flag ctx={ctx()} path="notifyOnResolve" label="Notify when alerts resolve" />
      </Section>

      <Section title="Flapping" hint="An alert that changes state too often is held back until it settles.">
        <Flag ctx={ctx()} path="flapping.enabled" label="Detect flapping" />
        <Num ctx={ctx()} path="flapping.window" label="Flapping window" unit="s" step="1" />
        <Num ctx={ctx()} path="flapping.threshold" label="State changes in the window" unit="count" step="1" />
        <Num ctx={ctx()} path="flapping.cooldown" label="Flapping cooldown" unit="min" step="1" />
      </Section>

      <Section title="Quiet hours" hint="Warnings are muted in this window; criticals too for the ticked categories.">
        <Flag ctx={ctx()} path="schedule.quietHours.enabled" label="Quiet hours" />
        <label class="text-sm">
          <span class="mb-0.5 block text-xs text-slate-600 dark:text-slate-400">Quiet from</span>
          <input
            type="time"
            class={`${inputClass} w-32`}
            value={String(getPath(props.cfg, 'schedule.quietHours.start') ?? '')}
            onInput={(e) => update(ctx(), 'schedule.quietHours.start', e.currentTarget.value)}
          />
        </label>
        <label class="text-sm">
          <span class="mb-0.5 block text-xs text-slate-600 dark:text-slate-400">Quiet until</span>
          <input
            type="time"
            class={`${inputClass} w-32`}
            value={String(getPath(props.cfg, 'schedule.quietHours.end') ?? '')}
            onInput={(e) => update(ctx(), 'schedule.quietHours.end', e.currentTarget.value)}
          />
        </label>
        <div class="text-sm">
          <label for={zoneId} class="mb-0.5 block text-xs text-slate-600 dark:text-slate-400">
            Time zone
          </label>
          <input
            id={zoneId}
            list={zoneList}
            class={`${inputClass} w-56`}
            value={String(getPath(props.cfg, 'schedule.quietHours.timezone') ?? '')}
            onChange={(e) => update(ctx(), 'schedule.quietHours.timezone', e.currentTarget.value.trim())}
          />
          <datalist id={zoneList}>
            <For each={zones()}>{(z) => <option value={z} />}</For>
          </datalist>
        </div>
        <fieldset class="w-full">
          <legend class="mb-1 text-xs text-slate-600 dark:text-slate-400">Days</legend>
          <div class="flex flex-wrap gap-3">
            <For each={DAYS}>
              {(d) => (
                <Flag ctx={ctx()} path={`schedule.quietHours.days.${d}`} label={d[0]?.toUpperCase() + d.slice(1)} />
              )}
            </For>
          </div>
        </fieldset>
        <fieldset class="w-full">
          <legend class="mb-1 text-xs text-slate-600 dark:text-slate-400">Also mute critical alerts about</legend>
          <div class="flex flex-wrap gap-3">
            <Flag ctx={ctx()} path="schedule.quietHours.suppress.performance" label="Performance" />
            <Flag ctx={ctx()} path="schedule.quietHours.suppress.storage" label="Storage" />
            <Flag ctx={ctx()} path="schedule.quietHours.suppress.offline" label="Offline" />
          </div>
        </fieldset>
      </Section>

      <Section
        title="Escalation"
        hint="An alert still active after the given minutes is sent again to the chosen channel."
      >
        <Flag ctx={ctx()} path="schedule.escalation.enabled" label="Escalate long-running alerts" />
        <ol class="w-full space-y-2" aria-label="Escalation levels">
          <For each={levels()}>
            {(l, i) => (
              <li class="flex flex-wrap items-end gap-2">
                <label class="text-sm">
                  <span class="mb-0.5 block text-xs text-slate-600 dark:text-slate-400">
                    Level {i() + 1} after (min)
                  </span>
                  <input
                    type="number"
                    min="1"
                    step="1"
                    class={`${inputClass} w-24`}
                    value={l.after}
                    onInput={(e) =>
                      setLevels(
                        levels().map((x, j) => (j === i() ? { ...x, after: Number(e.currentTarget.value) } : x)),
                      )
                    }
                  />
                </label>
                <SelectField
                  label={`Level ${i() + 1} notifies`}
                  value={l.notify}
                  onChange={(v) => setLevels(levels().map((x, j) => (j === i() ? { ...x, notify: v } : x)))}
                  options={[
                    { value: 'email', label: 'Email' },
                    { value: 'webhook', label: 'Webhooks' },
                    { value: 'all', label: 'Email and webhooks' },
                  ]}
                />
                <Button
                  variant="ghost"
                  aria-label={`Remove escalation level ${i() + 1}`}
                  onClick={() => setLevels(levels().filter((_, j) => j !== i()))}
                >
                  Remove
                </Button>
              </li>
            )}
          </For>
        </ol>
        <Button onClick={() => setLevels([...levels(), { after: (levels().at(-1)?.after ?? 0) + 30, notify: 'all' }])}>
          Add escalation level
        </Button>
      </Section>
    </div>
  );
}
