/** Sign-in form; shows Pulse's own words on failure (attempts left, lockout). */
import { createSignal, Show } from 'solid-js';
import { CurrentPasswordField } from '../components/PasswordFields';
import { Button, ErrorText, Field } from '../components/ui';
import { login, session, signInWithToken } from '../stores/session';

/** Why the OIDC callback sent the browser back (`?oidc_error=`), in words. */
const OIDC_ERRORS: Record<string, string> = {
  invalid_state: 'Single sign-on failed: the sign-in state did not match this browser. Please start again.',
  invalid_nonce: 'Single sign-on failed: the identity token was not issued for this sign-in.',
  invalid_grant: 'Single sign-on failed: the authorization code was invalid, expired or already used.',
  group_not_allowed: 'Single sign-on refused: your account is not in a group allowed to use Pulse.',
  email_not_allowed: 'Single sign-on refused: your email address is not allowed to use Pulse.',
  domain_not_allowed: 'Single sign-on refused: your email domain is not allowed to use Pulse.',
  provider_error: 'Single sign-on failed: the identity provider refused the request.',
  provider_unreachable: 'Single sign-on failed: the identity provider could not be reached.',
  oidc_disabled: 'Single sign-on is not enabled.',
};

function oidcErrorFromUrl(): string {
  const reason = new URLSearchParams(window.location.search).get('oidc_error');
  if (!reason) return '';
  return OIDC_ERRORS[reason] ?? `Single sign-on failed (${reason}).`;
}

export function AuthFrame(props: { title: string; children: import('solid-js').JSX.Element }) {
  return (
    <main class="flex min-h-screen items-center justify-center px-4">
      <div class="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-700 dark:bg-slate-800">
        <div class="mb-4 flex items-center gap-2">
          <svg viewBox="0 0 24 24" class="h-7 w-7 text-sky-500" aria-hidden="true">
            <circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="2.5" />
            <circle cx="12" cy="12" r="3.5" fill="currentColor" />
          </svg>
          <h1 class="text-xl font-semibold">{props.title}</h1>
        </div>
        {props.children}
      </div>
    </main>
  );
}

export function LoginPage() {
  const [username, setUsername] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [error, setError] = createSignal(oidcErrorFromUrl());
  const [busy, setBusy] = createSignal(false);
  const sso = () => session.status().oidcEnabled === true;
  const passwordAllowed = () => session.status().passwordLoginDisabled !== true;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await login(username(), password());
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthFrame title="Sign in to Pulse">
      <Show when={sso()}>
        {/* A plain link: the server answers with a redirect to the identity provider. */}
        <a
          href="/api/oidc/login"
          class="mb-3 block w-full rounded-md bg-sky-600 px-3 py-2 text-center text-sm font-medium text-white hover:bg-sky-700"
        >
          Sign in with single sign-on
        </a>
      </Show>
      <Show when={!passwordAllowed()}>
        <ErrorText error={error()} />
      </Show>
      <Show when={passwordAllowed()}>
        <form class="space-y-3" onSubmit={submit}>
          <Field
            label="Username"
            name="username"
            autocomplete="username"
            required
            value={username()}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
          <CurrentPasswordField label="Password" name="password" value={password()} onValue={setPassword} />
          <ErrorText error={error()} />
          <Button type="submit" variant="primary" class="w-full" disabled={busy()}>
            {busy() ? 'Signing in…' : 'Sign in'}
          </Button>
        </form>
      </Show>
    </AuthFrame>
  );
}

/** API-token-only servers: the token is the only credential, kept for this browser tab. */
export function TokenPage() {
  const [token, setToken] = createSignal('');
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await signInWithToken(token().trim());
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthFrame title="API token required">
      <form class="space-y-3" onSubmit={submit}>
        <p class="text-sm text-slate-600 dark:text-slate-300">
          This Pulse is protected by API tokens only. Enter a token to continue.
        </p>
        <Field
          label="API token"
          name="apiToken"
          type="password"
          autocomplete="off"
          required
          value={token()}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <ErrorText error={error()} />
        <Button type="submit" variant="primary" class="w-full" disabled={busy()}>
          {busy() ? 'Checking…' : 'Continue'}
        </Button>
      </form>
    </AuthFrame>
  );
}
