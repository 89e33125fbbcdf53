/** Sign-in form; shows Pulse's own words on failure (attempts left, lockout). */
import { createSignal } from 'solid-js';
import { Button, ErrorText, Field } from '../components/ui';
import { login, signInWithToken } from '../stores/session';

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
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
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
      <form class="space-y-3" onSubmit={submit}>
        <Field
          label="Username"
          name="username"
          autocomplete="username"
          required
          value={username()}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password()}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <ErrorText error={error()} />
        <Button type="submit" variant="primary" class="w-full" disabled={busy()}>
          {busy() ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
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
