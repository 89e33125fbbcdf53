/** First run: create the admin account and, optionally, an API token that is shown exactly once. */
import { createSignal, Show } from 'solid-js';
import { MIN_PASSWORD_LENGTH, NewPasswordFields } from '../components/PasswordFields';
import { Button, Check, ErrorText, Field, Notice } from '../components/ui';
import { finishSetup, quickSetup, skipSetup } from '../stores/session';
import { AuthFrame } from './Login';

export function SetupPage() {
  const [username, setUsername] = createSignal('admin');
  const [password, setPassword] = createSignal('');
  const [confirm, setConfirm] = createSignal('');
  const [withToken, setWithToken] = createSignal(true);
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [token, setToken] = createSignal<string>();
  const [done, setDone] = createSignal(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    if (password().length < MIN_PASSWORD_LENGTH) {
      return setError(`The password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
    }
    if (password() !== confirm()) return setError('The two passwords differ.');
    setBusy(true);
    try {
      const res = await quickSetup(username().trim(), password(), withToken());
      setToken(res.token);
      setDone(true);
      if (!res.token) finishSetup();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title="Welcome to Pulse">
      <Show
        when={!done()}
        fallback={
          <div class="space-y-3">
            <Notice tone="ok">Your admin account is ready.</Notice>
            <Show when={token()}>
              <p class="text-sm">Your API token — copy it now, it is not shown again:</p>
              <code data-testid="new-token" class="block break-all rounded bg-slate-100 p-2 text-xs dark:bg-slate-900">
                {token()}
              </code>
              <Button onClick={() => navigator.clipboard?.writeText(token() ?? '').catch(() => undefined)}>
                Copy token
              </Button>
            </Show>
            <Button variant="primary" class="w-full" onClick={finishSetup}>
              Continue to the dashboard
            </Button>
          </div>
        }
      >
        <p class="mb-3 text-sm text-slate-600 dark:text-slate-300">
          Secure this Pulse with an administrator account before adding your Proxmox servers.
        </p>
        <form class="space-y-3" onSubmit={submit}>
          <Field
            label="Admin username"
            name="username"
            autocomplete="username"
            required
            value={username()}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
          <NewPasswordFields
            labels={{ password: 'Password', confirm: 'Confirm password' }}
            names={{ password: 'password', confirm: 'confirm' }}
            hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
            password={password()}
            confirm={confirm()}
            onPassword={setPassword}
            onConfirm={setConfirm}
          />
          <Check label="Also create an API token for scripts" checked={withToken()} onChange={setWithToken} />
          <ErrorText error={error()} />
          <Button type="submit" variant="primary" class="w-full" disabled={busy()}>
            {busy() ? 'Setting up…' : 'Create admin account'}
          </Button>
          <button type="button" class="w-full text-center text-xs text-slate-500 underline" onClick={skipSetup}>
            Continue without authentication (trusted network only)
          </button>
        </form>
      </Show>
    </AuthFrame>
  );
}
