/**
 * How to add a Docker host: create an API token for the agent here, then run the install
 * command (served by this Pulse) on the host with that token and this Pulse's address.
 */
import { createSignal, Show } from 'solid-js';
import { api } from '../api/client';
import type { CreatedToken } from '../api/types';
import { CopyBox, createAction, Progress } from '../components/kit';
import { Button, Card, ErrorText, Field } from '../components/ui';
import { readOnly } from '../stores/session';

/** Single-quoted for a POSIX shell, so any character in the URL or token survives. */
function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function dockerInstallCommand(pulseUrl: string, token: string): string {
  const url = pulseUrl.replace(/\/+$/, '');
  return `curl -fsSL ${shellQuote(`${url}/install-docker-agent.sh`)} | sudo bash -s -- --url ${shellQuote(url)} --token ${shellQuote(token)}`;
}

export function DockerSetup(props: { title?: string }) {
  const [name, setName] = createSignal('docker-agent');
  const [token, setToken] = createSignal('');
  const create = createAction(async () => {
    const res = await api.post<CreatedToken>('/api/security/tokens', { name: name().trim() || 'docker-agent' });
    setToken(res.token);
  });
  return (
    <Card title={props.title ?? 'Add a Docker host'}>
      <div class="space-y-3 text-sm">
        <ol class="list-inside list-decimal space-y-1 text-slate-700 dark:text-slate-300">
          <li>Create an API token for the agent (shown once; revoke it any time under Settings → Security).</li>
          <li>Run the command on the Docker host. It installs the agent as a service that reports every 30 seconds.</li>
          <li>The host appears here with its containers after the first report.</li>
        </ol>
        <form
          aria-label="Docker agent token"
          class="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <Field label="Token name" value={name()} onInput={(e) => setName(e.currentTarget.value)} />
          <Button type="submit" variant="primary" disabled={create.busy() || readOnly()}>
            Create token and show command
          </Button>
        </form>
        <ErrorText error={create.error()} />
        <Show when={create.busy()}>
          <Progress label="Creating the token…" />
        </Show>
        <Show when={token()}>
          <CopyBox label="Docker agent install command" text={dockerInstallCommand(location.origin, token())} />
          <p class="text-xs text-slate-500">
            The address is how this browser reaches Pulse; use one the Docker host can reach if it differs.
          </p>
        </Show>
      </div>
    </Card>
  );
}
