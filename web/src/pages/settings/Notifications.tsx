/** Settings → Notifications: email (with provider presets) and webhooks (service templates, test). */
import { createResource, createSignal, For, Show } from 'solid-js';
import { api, seg } from '../../api/client';
import type {
  EmailConfig,
  EmailProvider,
  NotificationTestReply,
  Webhook,
  WebhookTemplate,
  WebhookTestReply,
} from '../../api/types';
import { createConfirm, Progress } from '../../components/kit';
import { Button, Card, Check, Empty, ErrorText, Field, inputClass, Notice, SelectField } from '../../components/ui';
import { readOnly } from '../../stores/session';
import { NotificationDelivery } from './NotifyDelivery';
import { ServiceFields } from './NotifyServiceFields';

const blankEmail = (): EmailConfig => ({
  enabled: false,
  provider: '',
  server: '',
  port: 587,
  username: '',
  password: '',
  from: '',
  to: [],
  tls: false,
  startTLS: true,
});

function EmailSettings() {
  const [error, setError] = createSignal('');
  const [ok, setOk] = createSignal('');
  const [cfg, setCfg] = createSignal<EmailConfig>(blankEmail());
  const [providers] = createResource(async () => {
    try {
      return await api.get<EmailProvider[]>('/api/notifications/email-providers');
    } catch (err) {
      setError(`Provider presets unavailable: ${(err as Error).message}`);
      return [] as EmailProvider[];
    }
  });
  createResource(async () => {
    try {
      const c = await api.get<EmailConfig>('/api/notifications/email');
      setCfg({ ...blankEmail(), ...c, to: c.to ?? [] });
    } catch (err) {
      setError((err as Error).message);
    }
    return true;
  });
  const set = <K extends keyof EmailConfig>(k: K, v: EmailConfig[K]) => setCfg((c) => ({ ...c, [k]: v }));
  const applyProvider = (name: string) => {
    const p = providers()?.find((x) => x.name === name);
    if (!p) return set('provider', name);
    setCfg((c) => ({ ...c, provider: p.name, server: p.smtpHost, port: p.smtpPort, tls: p.tls, startTLS: p.startTLS }));
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setError('');
    setOk('');
    try {
      await api.put('/api/notifications/email', cfg());
      setOk('Email settings saved.');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const [testing, setTesting] = createSignal(false);
  const test = async () => {
    setError('');
    setOk('');
    setTesting(true);
    try {
      const res = await api.post<NotificationTestReply>('/api/notifications/test', { method: 'email', config: cfg() });
      setOk(res?.message ?? 'Test email sent.');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setTesting(false);
    }
  };
  const instructions = () => providers()?.find((p) => p.name === cfg().provider)?.instructions;
  return (
    <Card title="Email">
      <form class="grid gap-3 md:grid-cols-2" onSubmit={save} aria-label="Email settings">
        <div class="md:col-span-2">
          <Check label="Send alert emails" checked={cfg().enabled} onChange={(v) => set('enabled', v)} />
        </div>
        <SelectField
          label="Provider"
          value={cfg().provider}
          onChange={applyProvider}
          options={[
            { value: '', label: 'Choose a provider…' },
            ...(providers() ?? []).map((p) => ({ value: p.name, label: p.name })),
          ]}
        />
        <Field
          label="SMTP server"
          name="server"
          value={cfg().server}
          onInput={(e) => set('server', e.currentTarget.value)}
        />
        <Field
          label="Port"
          name="port"
          type="number"
          value={String(cfg().port)}
          onInput={(e) => set('port', Number(e.currentTarget.value))}
        />
        <div class="flex items-end gap-4 pb-2">
          <Check label="TLS (port 465)" checked={cfg().tls} onChange={(v) => set('tls', v)} />
          <Check label="STARTTLS" checked={cfg().startTLS} onChange={(v) => set('startTLS', v)} />
        </div>
        <Field
          label="SMTP username"
          name="smtpUser"
          autocomplete="off"
          value={cfg().username}
          onInput={(e) => set('username', e.currentTarget.value)}
        />
        <Field
          label="SMTP password"
          name="smtpPassword"
          type="password"
          autocomplete="off"
          placeholder="(unchanged when empty)"
          value={cfg().password}
          onInput={(e) => set('password', e.currentTarget.value)}
        />
        <Field
          label="From"
          name="from"
          type="email"
          value={cfg().from}
          onInput={(e) => set('from', e.currentTarget.value)}
        />
        <Field
          label="To (comma-separated)"
          name="to"
          hint="Empty sends to the From address."
          value={(cfg().to ?? []).join(', ')}
          onInput={(e) =>
            set(
              'to',
              e.currentTarget.value
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            )
          }
        />
        <Show when={instructions()}>
          <p class="md:col-span-2 text-xs text-slate-500">{instructions()}</p>
        </Show>
        <div class="md:col-span-2 space-y-2">
          <ErrorText error={error()} />
          <Show when={ok()}>
            <Notice tone="ok">{ok()}</Notice>
          </Show>
          <div class="flex gap-2">
            <Button type="submit" variant="primary" disabled={readOnly()}>
              Save email settings
            </Button>
            <Button onClick={test} disabled={readOnly() || testing()}>
              Send test email
            </Button>
          </div>
          <Show when={testing()}>
            <Progress label="Sending a test email…" />
          </Show>
        </div>
      </form>
    </Card>
  );
}

const blankHook = (): Webhook => ({
  name: '',
  url: '',
  method: 'POST',
  headers: {},
  enabled: true,
  service: 'generic',
  template: '',
});

function WebhookEditor(props: {
  templates: WebhookTemplate[];
  editing?: Webhook;
  onDone: () => void;
  onCancel: () => void;
}) {
  const [w, setW] = createSignal<Webhook>(props.editing ? { ...props.editing } : blankHook());
  const [headersText, setHeadersText] = createSignal(JSON.stringify(props.editing?.headers ?? {}, null, 0));
  const [error, setError] = createSignal('');
  const [ok, setOk] = createSignal('');
  const set = <K extends keyof Webhook>(k: K, v: Webhook[K]) => setW((x) => ({ ...x, [k]: v }));
  const template = () => props.templates.find((t) => t.service === w().service);
  const pickService = (service: string) => {
    const t = props.templates.find((x) => x.service === service);
    setW((x) => ({ ...x, service, method: t?.method ?? x.method, url: x.url || t?.urlPattern || '' }));
    if (t) setHeadersText(JSON.stringify(t.headers ?? {}));
  };
  const body = (): Webhook => {
    let headers: Record<string, string> = {};
    const raw = headersText().trim();
    if (raw) {
      try {
        headers = JSON.parse(raw);
      } catch {
        throw new Error('Headers must be a JSON object, e.g. {"Authorization": "Bearer …"}');
      }
    }
    return { ...w(), headers };
  };
  const [testing, setTesting] = createSignal(false);
  const test = async () => {
    setError('');
    setOk('');
    setTesting(true);
    try {
      const res = await api.post<WebhookTestReply>('/api/notifications/webhooks/test', body());
      setOk(`Test sent${res?.status ? `: HTTP ${res.status}` : ''}.`);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setTesting(false);
    }
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      const b = body();
      if (props.editing?.id) await api.put(`/api/notifications/webhooks/${seg(props.editing.id)}`, b);
      else await api.post('/api/notifications/webhooks', b);
      props.onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form
      class="grid gap-3 rounded-lg border border-slate-200 p-3 md:grid-cols-2 dark:border-slate-700"
      onSubmit={save}
      aria-label="Webhook"
    >
      <SelectField
        label="Service"
        value={w().service}
        onChange={pickService}
        options={
          props.templates.length
            ? props.templates.map((t) => ({ value: t.service, label: t.name }))
            : [{ value: 'generic', label: 'Generic' }]
        }
      />
      <Field
        label="Webhook name"
        name="webhookName"
        required
        value={w().name}
        onInput={(e) => set('name', e.currentTarget.value)}
      />
      <Field
        label="URL"
        name="url"
        required
        fieldClass="md:col-span-2"
        placeholder={template()?.urlPattern}
        value={w().url}
        onInput={(e) => set('url', e.currentTarget.value)}
      />
      <ServiceFields hook={w()} onChange={setW} />
      <SelectField
        label="Method"
        value={w().method}
        onChange={(v) => set('method', v)}
        options={['POST', 'PUT', 'GET'].map((m) => ({ value: m, label: m }))}
      />
      <label class="block text-sm">
        <span class="mb-1 block font-medium text-slate-700 dark:text-slate-300">Headers (JSON)</span>
        <input
          class={`${inputClass} font-mono text-xs`}
          value={headersText()}
          onInput={(e) => setHeadersText(e.currentTarget.value)}
        />
      </label>
      <label class="block text-sm md:col-span-2">
        <span class="mb-1 block font-medium text-slate-700 dark:text-slate-300">
          Custom payload template (optional, Go template syntax)
        </span>
        <textarea
          class={`${inputClass} h-24 font-mono text-xs`}
          placeholder={template()?.payloadTemplate?.slice(0, 200)}
          value={w().template ?? ''}
          onInput={(e) => set('template', e.currentTarget.value)}
        />
      </label>
      <Show when={template()?.instructions}>
        <p class="md:col-span-2 text-xs text-slate-500">{template()?.instructions}</p>
      </Show>
      <div class="md:col-span-2">
        <Check label="Enabled" checked={w().enabled} onChange={(v) => set('enabled', v)} />
      </div>
      <div class="md:col-span-2 space-y-2">
        <ErrorText error={error()} />
        <Show when={ok()}>
          <Notice tone="ok">{ok()}</Notice>
        </Show>
        <div class="flex gap-2">
          <Button type="submit" variant="primary" disabled={readOnly()}>
            {props.editing ? 'Save webhook' : 'Add webhook'}
          </Button>
          <Button onClick={test} disabled={readOnly() || testing()}>
            Send test
          </Button>
          <Button variant="ghost" onClick={props.onCancel}>
            Cancel
          </Button>
        </div>
        <Show when={testing()}>
          <Progress label="Sending a test request…" />
        </Show>
      </div>
    </form>
  );
}

function Webhooks() {
  const [error, setError] = createSignal('');
  const [status, setStatus] = createSignal<Record<string, string>>({});
  const [editing, setEditing] = createSignal<Webhook | 'new'>();
  const [templates] = createResource(async () => {
    try {
      return await api.get<WebhookTemplate[]>('/api/notifications/webhook-templates');
    } catch (err) {
      setError((err as Error).message);
      return [] as WebhookTemplate[];
    }
  });
  const [hooks, { refetch }] = createResource(async () => {
    try {
      return await api.get<Webhook[]>('/api/notifications/webhooks');
    } catch (err) {
      setError((err as Error).message);
      return [] as Webhook[];
    }
  });
  const testSaved = async (h: Webhook) => {
    setStatus((s) => ({ ...s, [h.id ?? '']: 'Sending…' }));
    try {
      const res = await api.post<NotificationTestReply>('/api/notifications/test', {
        method: 'webhook',
        webhookId: h.id,
      });
      setStatus((s) => ({ ...s, [h.id ?? '']: res?.message ?? 'Test sent' }));
    } catch (err) {
      setStatus((s) => ({ ...s, [h.id ?? '']: `Failed: ${(err as Error).message}` }));
    }
  };
  const confirmation = createConfirm();
  const remove = async (h: Webhook) => {
    const ok = await confirmation.ask({
      title: `Delete the webhook "${h.name}"?`,
      body: 'Alerts are no longer sent to it.',
      confirmLabel: 'Delete',
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/notifications/webhooks/${seg(h.id ?? '')}`);
      await refetch();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Card
      title="Webhooks"
      actions={
        <Button variant="primary" disabled={readOnly()} onClick={() => setEditing('new')}>
          Add webhook
        </Button>
      }
    >
      <ErrorText error={error()} />
      <Show when={editing()} keyed>
        {(e) => (
          <WebhookEditor
            templates={templates() ?? []}
            editing={e === 'new' ? undefined : e}
            onCancel={() => setEditing(undefined)}
            onDone={() => {
              setEditing(undefined);
              void refetch();
            }}
          />
        )}
      </Show>
      <Show
        when={(hooks() ?? []).length > 0}
        fallback={
          <Show when={!hooks.loading}>
            <Empty>No webhooks yet.</Empty>
          </Show>
        }
      >
        <ul class="mt-3 space-y-2" aria-label="Webhooks">
          <For each={hooks()}>
            {(h) => (
              <li class="flex flex-wrap items-center justify-between gap-2 rounded border border-slate-200 p-2 dark:border-slate-700">
                <div class="min-w-0">
                  <p class="font-medium">
                    {h.name}{' '}
                    <span class="text-xs text-slate-500">
                      ({h.service || 'generic'}
                      {h.enabled ? '' : ', disabled'})
                    </span>
                  </p>
                  <p class="truncate text-xs text-slate-500">{h.url}</p>
                  <Show when={status()[h.id ?? '']}>
                    <p class="text-xs" role="status">
                      {status()[h.id ?? '']}
                    </p>
                  </Show>
                </div>
                <div class="flex gap-2">
                  <Button aria-label={`Test webhook ${h.name}`} disabled={readOnly()} onClick={() => testSaved(h)}>
                    Test
                  </Button>
                  <Button aria-label={`Edit webhook ${h.name}`} disabled={readOnly()} onClick={() => setEditing(h)}>
                    Edit
                  </Button>
                  <Button
                    aria-label={`Delete webhook ${h.name}`}
                    variant="danger"
                    disabled={readOnly()}
                    onClick={() => remove(h)}
                  >
                    Delete
                  </Button>
                </div>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <confirmation.Dialog />
    </Card>
  );
}

export function NotificationSettings() {
  return (
    <div class="space-y-4">
      <EmailSettings />
      <Webhooks />
      <NotificationDelivery />
    </div>
  );
}
