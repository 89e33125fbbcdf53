/**
 * Settings → System, below the system settings: who may read GET /metrics (the `metricsPublic`
 * system setting) and whether Pulse serves HTTPS itself, with the certificate in service.
 */
import { createResource, createSignal, Show } from 'solid-js';
import { api } from '../../api/client';
import type { SystemSettings, TlsStatus } from '../../api/types';
import { Card, Check, ErrorText, Notice } from '../../components/ui';
import { readOnly } from '../../stores/session';

const DAY = 86_400_000;

function Row(props: { label: string; value?: string }) {
  return (
    <Show when={props.value}>
      <div class="grid grid-cols-[9rem_1fr] gap-2">
        <dt class="text-slate-500 dark:text-slate-400">{props.label}</dt>
        <dd class="break-all font-mono text-xs leading-5">{props.value}</dd>
      </div>
    </Show>
  );
}

export function ExposureSettings() {
  const [error, setError] = createSignal('');
  const [saving, setSaving] = createSignal(false);
  const [settings, { mutate }] = createResource(() =>
    api.get<SystemSettings>('/api/system/settings').catch((err: Error) => {
      setError(err.message);
      return undefined;
    }),
  );
  // null (not undefined) when it cannot be read, so the section says so instead of "Loading…".
  const [tls] = createResource(() => api.get<TlsStatus>('/api/system/tls').catch(() => null));
  const metricsUrl = `${location.origin}/metrics`;

  const setPublic = async (value: boolean) => {
    setError('');
    setSaving(true);
    try {
      await api.post('/api/system/settings/update', { metricsPublic: value });
      mutate((s) => s && { ...s, metricsPublic: value });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const daysLeft = () => {
    const t = Date.parse(tls()?.expiresAt ?? '');
    return Number.isFinite(t) ? Math.floor((t - Date.now()) / DAY) : undefined;
  };

  return (
    <Card title="Metrics and HTTPS" class="mt-4">
      <div class="grid gap-6 md:grid-cols-2">
        <section aria-label="Prometheus metrics" class="space-y-2 text-sm">
          <h3 class="font-semibold">Prometheus metrics</h3>
          <p>
            <code class="font-mono text-xs">{metricsUrl}</code>
          </p>
          <Check
            label="Public: readable without an API token"
            checked={settings()?.metricsPublic === true}
            disabled={readOnly() || saving() || settings() === undefined}
            onChange={(v) => void setPublic(v)}
          />
          <Show
            when={settings()?.metricsPublic}
            fallback={
              <p class="text-slate-500 dark:text-slate-400">
                Protected: scrapers send an API token as <code>Authorization: Bearer …</code> or{' '}
                <code>X-API-Token</code>.
              </p>
            }
          >
            <Notice tone="warn">
              Anyone who can reach Pulse can read the estate's metrics. The API stays protected.
            </Notice>
          </Show>
          <ErrorText error={error()} />
        </section>
        <section aria-label="HTTPS" class="space-y-2 text-sm">
          <h3 class="font-semibold">HTTPS</h3>
          <Show
            when={tls()}
            fallback={
              <p class="text-slate-500">{tls() === null ? 'The HTTPS status could not be read.' : 'Loading…'}</p>
            }
          >
            {(t) => (
              <Show
                when={t().enabled}
                fallback={
                  <p class="text-slate-500 dark:text-slate-400">
                    Pulse serves plain HTTP
                    {location.protocol === 'https:' ? ' (HTTPS here comes from a proxy in front)' : ''}. Set{' '}
                    <code>HTTPS_ENABLED</code>, <code>TLS_CERT_FILE</code> and <code>TLS_KEY_FILE</code> to serve HTTPS
                    itself.
                  </p>
                }
              >
                <Notice tone={daysLeft() !== undefined && daysLeft()! < 14 ? 'warn' : 'ok'}>
                  Serving HTTPS; the certificate{' '}
                  {daysLeft() !== undefined && daysLeft()! < 0 ? 'has expired' : `expires in ${daysLeft()} days`}.
                  Renewed files are picked up without a restart.
                </Notice>
                <dl class="space-y-1">
                  <Row label="Subject" value={t().subject?.replace(/\n/g, ', ')} />
                  <Row label="Issuer" value={t().issuer?.replace(/\n/g, ', ')} />
                  <Row label="Expires" value={t().expiresAt} />
                  <Row label="SHA-256" value={t().fingerprint256} />
                  <Row label="Certificate file" value={t().certFile} />
                  <Row label="Key file" value={t().keyFile} />
                  <Row label="Loaded" value={t().loadedAt} />
                </dl>
                <Show when={t().reloadError}>
                  <Notice tone="warn">Last change not applied: {t().reloadError}</Notice>
                </Show>
              </Show>
            )}
          </Show>
        </section>
      </div>
    </Card>
  );
}
