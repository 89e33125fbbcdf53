/** Settings → Security: status, change password, API tokens (created once-visible, revocable), single sign-on. */
import { createResource, createSignal, For, Show } from 'solid-js';
import { api, seg } from '../../api/client';
import type {
  AuditEvents,
  AuditRecord,
  ChangePasswordReply,
  CreatedToken,
  OidcConfig,
  TokenList,
  TokenRecord,
} from '../../api/types';
import { createConfirm } from '../../components/kit';
import { CurrentPasswordField, NewPasswordFields } from '../../components/PasswordFields';
import { Button, Card, Check, Empty, ErrorText, Field, Notice, td, th } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { readOnly, session } from '../../stores/session';

function ChangePassword() {
  const [current, setCurrent] = createSignal('');
  const [next, setNext] = createSignal('');
  const [confirm, setConfirm] = createSignal('');
  const [error, setError] = createSignal('');
  const [done, setDone] = createSignal('');
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setDone('');
    if (next() !== confirm()) return setError('The new passwords differ.');
    try {
      const res = await api.post<ChangePasswordReply>('/api/security/change-password', {
        currentPassword: current(),
        newPassword: next(),
      });
      setDone(res?.message ?? 'Password changed.');
      setCurrent('');
      setNext('');
      setConfirm('');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Card title="Change password">
      <form class="grid gap-3 md:grid-cols-3" onSubmit={submit} aria-label="Change password">
        <CurrentPasswordField label="Current password" value={current()} onValue={setCurrent} />
        <NewPasswordFields
          labels={{ password: 'New password', confirm: 'Confirm new password' }}
          password={next()}
          confirm={confirm()}
          onPassword={setNext}
          onConfirm={setConfirm}
        />
        <div class="md:col-span-3 space-y-2">
          <ErrorText error={error()} />
          <Show when={done()}>
            <Notice tone="ok">{done()}</Notice>
          </Show>
          <Button type="submit" variant="primary" disabled={readOnly()}>
            Change password
          </Button>
        </div>
      </form>
    </Card>
  );
}

function Tokens() {
  const [error, setError] = createSignal('');
  const [name, setName] = createSignal('');
  const [created, setCreated] = createSignal<{ token: string; name: string }>();
  const [tokens, { refetch }] = createResource(async () => {
    try {
      setError('');
      return (await api.get<TokenList>('/api/security/tokens')).tokens ?? [];
    } catch (err) {
      setError((err as Error).message);
      return [] as TokenRecord[];
    }
  });
  const create = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      const res = await api.post<CreatedToken>('/api/security/tokens', {
        name: name().trim() || undefined,
      });
      setCreated({ token: res.token, name: res.record?.name ?? name() });
      setName('');
      await refetch();
      // The status card reads "API tokens: none" until the session's status is read again.
      await session.refreshStatus().catch(() => undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const confirmation = createConfirm();
  const revoke = async (t: TokenRecord) => {
    const ok = await confirmation.ask({
      title: `Revoke the token "${t.name}"?`,
      body: 'Scripts using it stop working at once.',
      confirmLabel: 'Revoke',
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/security/tokens/${seg(t.id)}`);
      if (created()?.name === t.name) setCreated(undefined);
      await refetch();
      await session.refreshStatus().catch(() => undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Card title="API tokens">
      <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">
        Scripts and agents send a token as <code>X-API-Token</code>. Each token is shown once, when it is created.
      </p>
      <form class="mb-3 flex flex-wrap items-end gap-2" onSubmit={create} aria-label="Create API token">
        <Field
          label="Token name"
          name="tokenName"
          placeholder="ansible"
          fieldClass="w-64"
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <Button type="submit" variant="primary" disabled={readOnly()}>
          Create token
        </Button>
      </form>
      <Show when={created()}>
        {(c) => (
          <Notice tone="ok">
            <p>
              New token <strong>{c().name}</strong> — copy it now, it will not be shown again:
            </p>
            <code data-testid="new-token" class="my-1 block break-all font-mono text-xs">
              {c().token}
            </code>
            <div class="flex gap-2">
              <Button onClick={() => navigator.clipboard?.writeText(c().token).catch(() => undefined)}>Copy</Button>
              <Button variant="ghost" onClick={() => setCreated(undefined)}>
                Done
              </Button>
            </div>
          </Notice>
        )}
      </Show>
      <ErrorText error={error()} />
      <Show
        when={(tokens() ?? []).length > 0}
        fallback={
          <Show when={!tokens.loading}>
            <Empty>No API tokens.</Empty>
          </Show>
        }
      >
        <div class="overflow-x-auto">
          <table class="w-full text-sm" aria-label="API tokens">
            <thead>
              <tr>
                <th class={th}>Name</th>
                <th class={th}>Token</th>
                <th class={`${th} hidden sm:table-cell`}>Created</th>
                <th class={`${th} hidden sm:table-cell`}>Last used</th>
                <th class={th}>
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={tokens()}>
                {(t) => (
                  <tr class="border-t border-slate-100 dark:border-slate-700/60" data-token-id={t.id}>
                    <td class={td}>{t.name}</td>
                    <td class={`${td} font-mono text-xs`}>
                      {t.prefix}…{t.suffix}
                    </td>
                    <td class={`${td} hidden sm:table-cell text-xs`}>{formatDateTime(t.createdAt)}</td>
                    <td class={`${td} hidden sm:table-cell text-xs`}>
                      {t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'never'}
                    </td>
                    <td class={`${td} text-right`}>
                      <Button
                        variant="danger"
                        aria-label={`Revoke token ${t.name}`}
                        disabled={readOnly()}
                        onClick={() => revoke(t)}
                      >
                        Revoke
                      </Button>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
      <confirmation.Dialog />
    </Card>
  );
}

/** The security audit log: sign-ins, token changes, lockouts, settings changes. */
function AuditLog() {
  const [error, setError] = createSignal('');
  const [events, { refetch }] = createResource(async () => {
    try {
      setError('');
      return (await api.get<AuditEvents>('/api/security/audit?limit=50')).events ?? [];
    } catch (err) {
      setError((err as Error).message);
      return [] as AuditRecord[];
    }
  });
  return (
    <Card title="Audit log" actions={<Button onClick={() => void refetch()}>Refresh</Button>}>
      <ErrorText error={error()} />
      <div class="max-h-80 overflow-auto">
        <table class="w-full text-sm" aria-label="Audit log">
          <thead class="sticky top-0 bg-white dark:bg-slate-800">
            <tr>
              <th class={th}>Time</th>
              <th class={th}>Event</th>
              <th class={`${th} hidden sm:table-cell`}>User</th>
              <th class={`${th} hidden sm:table-cell`}>Address</th>
              <th class={th}>Result</th>
              <th class={`${th} hidden md:table-cell`}>Details</th>
            </tr>
          </thead>
          <tbody>
            <For each={events() ?? []}>
              {(e) => (
                <tr class="border-t border-slate-100 dark:border-slate-700/60">
                  <td class={`${td} text-xs`}>{formatDateTime(e.timestamp)}</td>
                  <td class={td}>{e.event.replace(/_/g, ' ')}</td>
                  <td class={`${td} hidden sm:table-cell`}>{e.username || '–'}</td>
                  <td class={`${td} hidden sm:table-cell text-xs`}>{e.ip || '–'}</td>
                  <td class={td}>
                    <span
                      classList={{
                        'text-emerald-600 dark:text-emerald-400': e.success,
                        'text-red-600 dark:text-red-400': !e.success,
                      }}
                    >
                      {e.success ? 'ok' : 'failed'}
                    </span>
                  </td>
                  <td class={`${td} hidden md:table-cell text-xs text-slate-500`}>
                    {Object.entries(e.details ?? {})
                      .map(([k, v]) => `${k}: ${String(v)}`)
                      .join(', ')}
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
        <Show when={!events.loading && (events() ?? []).length === 0}>
          <Empty>No security events recorded.</Empty>
        </Show>
      </div>
    </Card>
  );
}

const listText = (v: string[] | undefined) => (v ?? []).join(', ');
const textList = (v: string) =>
  v
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The OIDC form: the client secret is write-only (the server only says whether one is set). */
function SingleSignOn() {
  const [config, { mutate }] = createResource(() => api.get<OidcConfig>('/api/security/oidc'));
  const [secret, setSecret] = createSignal('');
  const [error, setError] = createSignal('');
  const [done, setDone] = createSignal('');
  const set = <K extends keyof OidcConfig>(k: K, v: OidcConfig[K]) => {
    const c = config();
    if (c) mutate({ ...c, [k]: v });
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setError('');
    setDone('');
    try {
      const saved = await api.put<OidcConfig>('/api/security/oidc', {
        ...config(),
        clientSecret: secret() || undefined,
      });
      mutate(saved);
      setSecret('');
      setDone('Single sign-on settings saved.');
      await session.refreshStatus().catch(() => undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Card title="Single sign-on (OIDC)">
      <Show when={config()} fallback={<ErrorText error={config.error ? (config.error as Error).message : undefined} />}>
        {(c) => (
          <form class="space-y-3" onSubmit={save} aria-label="Single sign-on">
            <Check label="Enable sign-in with OIDC" checked={c().enabled} onChange={(v) => set('enabled', v)} />
            <div class="grid gap-3 md:grid-cols-2">
              <Field
                label="Issuer URL"
                value={c().issuerUrl}
                onInput={(e) => set('issuerUrl', e.currentTarget.value)}
              />
              <Field label="Client ID" value={c().clientId} onInput={(e) => set('clientId', e.currentTarget.value)} />
              <Field
                label="Client secret"
                type="password"
                autocomplete="off"
                value={secret()}
                hint={
                  c().clientSecretSet
                    ? 'A secret is stored; leave empty to keep it.'
                    : 'No secret stored (public client).'
                }
                onInput={(e) => setSecret(e.currentTarget.value)}
              />
              <Field
                label="Redirect URL"
                value={c().redirectUrl}
                hint="Register this address at the provider; it ends in /api/oidc/callback."
                onInput={(e) => set('redirectUrl', e.currentTarget.value)}
              />
              <Field
                label="Scopes"
                value={listText(c().scopes)}
                onChange={(e) => set('scopes', textList(e.currentTarget.value))}
              />
              <Field
                label="Username claim"
                value={c().usernameClaim}
                onInput={(e) => set('usernameClaim', e.currentTarget.value)}
              />
              <Field
                label="Groups claim"
                value={c().groupsClaim}
                onInput={(e) => set('groupsClaim', e.currentTarget.value)}
              />
              <Field
                label="Email claim"
                value={c().emailClaim}
                onInput={(e) => set('emailClaim', e.currentTarget.value)}
              />
              <Field
                label="Allowed groups"
                value={listText(c().allowedGroups)}
                hint="Comma-separated; empty allows every group."
                onChange={(e) => set('allowedGroups', textList(e.currentTarget.value))}
              />
              <Field
                label="Allowed email domains"
                value={listText(c().allowedDomains)}
                onChange={(e) => set('allowedDomains', textList(e.currentTarget.value))}
              />
              <Field
                label="Allowed emails"
                value={listText(c().allowedEmails)}
                onChange={(e) => set('allowedEmails', textList(e.currentTarget.value))}
              />
              <Field
                label="Provider logout URL"
                value={c().logoutUrl}
                onInput={(e) => set('logoutUrl', e.currentTarget.value)}
              />
            </div>
            <Check
              label="Disable password sign-in while OIDC is enabled"
              checked={c().disablePasswordLogin === true}
              onChange={(v) => set('disablePasswordLogin', v)}
            />
            <ErrorText error={error()} />
            <Show when={done()}>
              <Notice tone="ok">{done()}</Notice>
            </Show>
            <Button type="submit" variant="primary">
              Save single sign-on
            </Button>
          </form>
        )}
      </Show>
    </Card>
  );
}

export function SecuritySettings() {
  const s = () => session.status();
  return (
    <div class="space-y-4">
      <Card title="Security status">
        <dl class="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
          <dt class="text-slate-500">Authentication</dt>
          <dd>
            {s().disabled
              ? 'disabled (DISABLE_AUTH)'
              : s().hasAuthentication
                ? `password${s().authUsername ? ` (user ${s().authUsername})` : ''}`
                : s().apiTokenConfigured
                  ? 'API tokens only'
                  : 'none configured'}
          </dd>
          <dt class="text-slate-500">API tokens</dt>
          <dd>{s().apiTokenConfigured ? `configured${s().apiTokenHint ? ` (${s().apiTokenHint})` : ''}` : 'none'}</dd>
          <dt class="text-slate-500">HTTPS</dt>
          <dd>{s().hasHTTPS ? 'yes' : 'no — use a TLS proxy when reachable from untrusted networks'}</dd>
          <dt class="text-slate-500">Your address</dt>
          <dd>
            {s().clientIP ?? '–'} {s().isPrivateNetwork ? '(private network)' : ''}
          </dd>
          <dt class="text-slate-500">Single sign-on</dt>
          <dd>{s().oidcEnabled ? `OIDC via ${s().oidcIssuer ?? ''}` : 'off'}</dd>
          <dt class="text-slate-500">Proxy authentication</dt>
          <dd>
            {s().hasProxyAuth
              ? `on (user header ${s().proxyAuthUserHeader || '–'}, role header ${s().proxyAuthRoleHeader || '–'}, admin role ${s().proxyAuthAdminRole ?? 'admin'})${
                  s().proxyAuthUsername
                    ? ` — you are ${s().proxyAuthUsername}${s().proxyAuthIsAdmin ? ' (admin)' : ''}`
                    : ''
                }`
              : 'off (set PROXY_AUTH_SECRET)'}
          </dd>
          <dt class="text-slate-500">Stored credentials</dt>
          <dd>{s().credentialsEncrypted ? 'encrypted at rest' : 'not encrypted'}</dd>
        </dl>
      </Card>
      <Show when={s().hasAuthentication}>
        <ChangePassword />
      </Show>
      <Tokens />
      <Show when={!readOnly()}>
        <SingleSignOn />
      </Show>
      <Show when={s().requiresAuth}>
        <AuditLog />
      </Show>
    </div>
  );
}
