/**
 * Settings → Backup & restore: an encrypted export downloaded as a file, and an import that first
 * shows what it will replace (a dry run on the server), asks for confirmation, then sums up.
 * Pulse 4.24 exports use the same format, so this is also the way to migrate from Pulse.
 */
import { createSignal, For, Show } from 'solid-js';
import { api } from '../../api/client';
import type {
  ExportReply,
  ImportReply,
  ImportNodeBrief as NodeBrief,
  ImportPreview as Preview,
  ImportSummary as Summary,
} from '../../api/types';
import { ConfirmDialog, createAction, downloadText, Progress } from '../../components/kit';
import { Button, Card, ErrorText, Field, inputClass, Notice } from '../../components/ui';
import { readOnly } from '../../stores/session';

const MIN_PASSPHRASE = 12;

function stamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}`;
}

function ExportCard() {
  const [pass, setPass] = createSignal('');
  const [confirm, setConfirm] = createSignal('');
  const [done, setDone] = createSignal('');
  const action = createAction(async () => {
    setDone('');
    if (pass().length < MIN_PASSPHRASE) throw new Error(`The passphrase needs at least ${MIN_PASSPHRASE} characters.`);
    if (pass() !== confirm()) throw new Error('The two passphrases differ.');
    const res = await api.post<ExportReply>('/api/config/export', { passphrase: pass() });
    const name = `pulse-config-${stamp()}.enc`;
    downloadText(name, res.data, 'application/octet-stream');
    setDone(`Downloaded ${name}. Keep the passphrase: without it the file cannot be read.`);
    setPass('');
    setConfirm('');
  });
  return (
    <Card title="Export configuration">
      <form
        aria-label="Export configuration"
        class="grid gap-3 md:grid-cols-2"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <p class="text-sm text-slate-600 md:col-span-2 dark:text-slate-400">
          Nodes with their credentials, alert settings, email, webhooks, system settings and guest metadata, encrypted
          under a passphrase. Passwords and API tokens for signing in to Pulse are not included.
        </p>
        <Field
          label="Passphrase"
          type="password"
          autocomplete="new-password"
          hint={`At least ${MIN_PASSPHRASE} characters.`}
          value={pass()}
          onInput={(e) => setPass(e.currentTarget.value)}
        />
        <Field
          label="Repeat passphrase"
          type="password"
          autocomplete="new-password"
          value={confirm()}
          onInput={(e) => setConfirm(e.currentTarget.value)}
        />
        <div class="space-y-2 md:col-span-2">
          <ErrorText error={action.error()} />
          <Show when={action.busy()}>
            <Progress label="Encrypting the configuration…" />
          </Show>
          <Show when={done()}>
            <Notice tone="ok">{done()}</Notice>
          </Show>
          <Button type="submit" variant="primary" disabled={action.busy() || readOnly()}>
            Export and download
          </Button>
        </div>
      </form>
    </Card>
  );
}

function yesNo(v: boolean | undefined): string {
  return v ? 'replaced' : 'kept (not in the file)';
}

function count(n: number | undefined, what: string): string {
  return n === undefined ? 'kept (not in the file)' : `${n} ${what}`;
}

function NodeList(props: { nodes: NodeBrief[]; empty: string }) {
  return (
    <Show when={props.nodes.length > 0} fallback={<span class="text-slate-500">{props.empty}</span>}>
      <ul class="list-inside list-disc">
        <For each={props.nodes}>
          {(n) => (
            <li>
              {n.name}{' '}
              <span class="text-slate-500">
                ({n.type.toUpperCase()}, {n.host})
              </span>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

function ImportCard() {
  const [fileName, setFileName] = createSignal('');
  const [data, setData] = createSignal('');
  const [pass, setPass] = createSignal('');
  const [preview, setPreview] = createSignal<Preview>();
  const [asking, setAsking] = createSignal(false);
  const [summary, setSummary] = createSignal<Summary>();

  const readFile = async (file: File | undefined) => {
    setPreview(undefined);
    setSummary(undefined);
    setFileName(file?.name ?? '');
    setData(file ? (await file.text()).trim() : '');
  };

  const check = createAction(async () => {
    setPreview(undefined);
    setSummary(undefined);
    if (!data()) throw new Error('Choose an export file first.');
    if (!pass()) throw new Error('Enter the passphrase the file was exported with.');
    const res = await api.post<ImportReply>('/api/config/import', {
      data: data(),
      passphrase: pass(),
      dryRun: true,
    });
    if (!res.preview) throw new Error('The server did not describe the file; nothing was imported.');
    setPreview(res.preview);
  });

  const apply = createAction(async () => {
    setAsking(false);
    const res = await api.post<ImportReply>('/api/config/import', { data: data(), passphrase: pass() });
    setSummary(res.summary);
    setPreview(undefined);
    setPass('');
  });

  return (
    <Card title="Import configuration">
      <form
        aria-label="Import configuration"
        class="grid gap-3 md:grid-cols-2"
        onSubmit={(e) => {
          e.preventDefault();
          void check.run();
        }}
      >
        <p class="text-sm text-slate-600 md:col-span-2 dark:text-slate-400">
          A file exported by this Pulse or by Pulse 4.24. You will see what it replaces before anything changes.
        </p>
        <label class="block text-sm">
          <span class="mb-1 block font-medium text-slate-700 dark:text-slate-300">Export file</span>
          <input
            type="file"
            accept=".enc,.txt,.json,text/plain,application/octet-stream"
            class={inputClass}
            onChange={(e) => void readFile(e.currentTarget.files?.[0])}
          />
        </label>
        <Field
          label="Import passphrase"
          type="password"
          autocomplete="off"
          value={pass()}
          onInput={(e) => {
            setPass(e.currentTarget.value);
            setPreview(undefined);
          }}
        />
        <div class="space-y-2 md:col-span-2">
          <ErrorText error={check.error() || apply.error()} />
          <Show when={check.busy()}>
            <Progress label={`Decrypting ${fileName() || 'the file'}…`} />
          </Show>
          <Show when={apply.busy()}>
            <Progress label="Importing and restarting the pollers…" />
          </Show>
          <Button type="submit" disabled={check.busy() || apply.busy() || readOnly()}>
            Check file
          </Button>
        </div>
      </form>

      <Show when={preview()}>
        {(p) => (
          <section aria-label="What the import replaces" class="mt-4 space-y-3 text-sm">
            <h3 class="font-semibold">What the import replaces</h3>
            <div class="grid gap-3 md:grid-cols-2">
              <div>
                <p class="font-medium">Nodes now ({p().current.nodes.length}) — all removed</p>
                <NodeList nodes={p().current.nodes} empty="none" />
              </div>
              <div>
                <p class="font-medium">Nodes from the file ({p().incoming.nodes.length})</p>
                <NodeList nodes={p().incoming.nodes} empty="none" />
              </div>
            </div>
            <ul class="space-y-0.5">
              <li>
                Webhooks: {p().current.webhooks} now →{' '}
                {count(p().incoming.webhooks, p().incoming.webhooks === 1 ? 'webhook' : 'webhooks')}
              </li>
              <li>
                Guest metadata: {p().current.guestMetadata} entries now → {count(p().incoming.guestMetadata, 'entries')}
              </li>
              <li>Alert settings: {yesNo(p().incoming.alerts)}</li>
              <li>Email settings: {yesNo(p().incoming.email)}</li>
              <li>System settings: {yesNo(p().incoming.system)}</li>
            </ul>
            <Button variant="danger" disabled={apply.busy() || readOnly()} onClick={() => setAsking(true)}>
              Import and replace
            </Button>
          </section>
        )}
      </Show>

      <ConfirmDialog
        open={asking()}
        title="Replace the configuration?"
        confirmLabel="Replace configuration"
        danger
        onConfirm={() => void apply.run()}
        onCancel={() => setAsking(false)}
      >
        <p>
          Every configured node is removed and replaced by the {preview()?.incoming.nodes.length ?? 0} in the file; the
          other sections listed are overwritten. Export the current configuration first if you may want it back.
        </p>
      </ConfirmDialog>

      <Show when={summary()}>
        {(s) => (
          <div class="mt-4">
            <Notice tone="ok">
              <p class="font-medium">Configuration imported.</p>
              <ul class="mt-1 list-inside list-disc" aria-label="Import summary">
                <li>
                  {s().nodes} {s().nodes === 1 ? 'node' : 'nodes'}
                </li>
                <Show when={s().webhooks !== undefined}>
                  <li>{s().webhooks} webhooks</li>
                </Show>
                <Show when={s().guestMetadata !== undefined}>
                  <li>{s().guestMetadata} guest metadata entries</li>
                </Show>
                <Show when={s().alerts}>
                  <li>alert settings</li>
                </Show>
                <Show when={s().email}>
                  <li>email settings</li>
                </Show>
                <Show when={s().system}>
                  <li>system settings</li>
                </Show>
              </ul>
            </Notice>
          </div>
        )}
      </Show>
    </Card>
  );
}

export function BackupSettings() {
  return (
    <div class="space-y-4">
      <ExportCard />
      <ImportCard />
    </div>
  );
}
