/** Settings → System: polling intervals, connection timeout, theme, discovery. */
import { createResource, createSignal, Show } from 'solid-js';
import { api } from '../../api/client';
import type { SystemSettings } from '../../api/types';
import { Button, Card, Check, ErrorText, Field, Notice, SelectField } from '../../components/ui';
import { readOnly } from '../../stores/session';
import { setTheme } from '../../stores/theme';

type NumberField = 'pvePollingInterval' | 'pbsPollingInterval' | 'pmgPollingInterval' | 'connectionTimeout';

/** The form as edited: a number field holds the text typed into it until saved. */
type Draft = Partial<Record<NumberField, number | string>> & {
  theme?: string | null;
  discoveryEnabled?: boolean | null;
  discoverySubnet?: string | null;
};

const NUMBER_FIELDS: Array<[NumberField, string, string]> = [
  [
    'pvePollingInterval',
    'Proxmox VE polling interval (seconds)',
    '10–3600; how often nodes, guests and storage are read.',
  ],
  ['pbsPollingInterval', 'PBS polling interval (seconds)', '10–3600'],
  ['pmgPollingInterval', 'PMG polling interval (seconds)', '10–3600'],
  ['connectionTimeout', 'Connection timeout (seconds)', '1–300; a Proxmox call slower than this counts as failed.'],
];

export function SystemSettingsPage() {
  const [error, setError] = createSignal('');
  const [saved, setSaved] = createSignal('');
  const [draft, setDraft] = createSignal<Draft>({});
  const [settings, { refetch }] = createResource(async () => {
    try {
      const s = await api.get<SystemSettings>('/api/system/settings');
      // Older servers answer with only what was saved: fill the gaps with the values in effect.
      if (NUMBER_FIELDS.some(([k]) => s[k] === undefined)) {
        const eff = await api.get<Record<string, unknown>>('/api/config/system').catch(() => undefined);
        for (const [k] of NUMBER_FIELDS) {
          const v = eff?.[k];
          if (s[k] === undefined && typeof v === 'number' && v > 0) s[k] = v;
        }
      }
      setDraft({ ...s });
      return s;
    } catch (err) {
      setError((err as Error).message);
      return undefined;
    }
  });
  const locked = (k: string) => !!settings()?.envOverrides && k in (settings()?.envOverrides ?? {});

  const save = async (e: Event) => {
    e.preventDefault();
    setError('');
    setSaved('');
    const d = draft();
    const body: Record<string, unknown> = {};
    for (const [k] of NUMBER_FIELDS) if (d[k] !== undefined && d[k] !== '' && !locked(k)) body[k] = Number(d[k]);
    if (d.theme) body.theme = d.theme;
    body.discoveryEnabled = !!d.discoveryEnabled;
    if (d.discoverySubnet !== undefined) body.discoverySubnet = d.discoverySubnet;
    try {
      await api.post('/api/system/settings/update', body);
      if (d.theme === 'light' || d.theme === 'dark') setTheme(d.theme);
      setSaved('Settings saved.');
      await refetch();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <Card title="System">
      <Show when={settings() || error()} fallback={<p class="text-sm text-slate-500">Loading…</p>}>
        <form class="grid gap-3 md:grid-cols-2" onSubmit={save} aria-label="System settings">
          {NUMBER_FIELDS.map(([k, label, hint]) => (
            <Field
              label={label}
              name={k}
              type="number"
              min={k === 'connectionTimeout' ? 1 : 10}
              max={k === 'connectionTimeout' ? 300 : 3600}
              hint={locked(k) ? `${hint} Locked by an environment variable.` : hint}
              disabled={locked(k)}
              value={String(draft()[k] ?? '')}
              onInput={(e) => setDraft((s) => ({ ...s, [k]: e.currentTarget.value }))}
            />
          ))}
          <SelectField
            label="Default theme"
            value={String(draft().theme ?? '')}
            onChange={(v) => setDraft((s) => ({ ...s, theme: v }))}
            options={[
              { value: '', label: 'Follow the browser' },
              { value: 'light', label: 'Light' },
              { value: 'dark', label: 'Dark' },
            ]}
          />
          <div class="flex flex-col gap-2">
            <Check
              label="Network discovery"
              checked={!!draft().discoveryEnabled}
              onChange={(v) => setDraft((s) => ({ ...s, discoveryEnabled: v }))}
            />
            <Field
              label="Discovery subnet"
              name="discoverySubnet"
              placeholder="192.168.1.0/24 (empty = automatic)"
              value={String(draft().discoverySubnet ?? '')}
              onInput={(e) => setDraft((s) => ({ ...s, discoverySubnet: e.currentTarget.value }))}
            />
          </div>
          <div class="md:col-span-2 space-y-2">
            <ErrorText error={error()} />
            <Show when={saved()}>
              <Notice tone="ok">{saved()}</Notice>
            </Show>
            <Button type="submit" variant="primary" disabled={readOnly()}>
              Save system settings
            </Button>
          </div>
        </form>
      </Show>
    </Card>
  );
}
