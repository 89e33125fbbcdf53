/**
 * The permission doctor's answer for one instance: every feature with whether its credentials serve
 * it, what a missing one needs (privilege and ACL path) and how that is known, plus a command that
 * grants exactly what is missing. Used on the settings row, in the test result and in diagnostics.
 */
import { createSignal, For, Show } from 'solid-js';
import type { FeatureStatus, PermissionReport } from '../api/types';
import { Button } from './ui';

const EVIDENCE: Record<FeatureStatus['evidence'], string> = {
  permissions: 'from /access/permissions',
  denied: 'a 403 was met',
  probe: 'probed',
  poller: 'no denial met while polling',
  unknown: 'not checked yet',
};

/** A shell command to run on the Proxmox host, with a copy button. */
export function GrantCommand(props: { name: string; command: string }) {
  const [copied, setCopied] = createSignal(false);
  return (
    <section aria-label={`Missing privileges of ${props.name}`} class="mt-1 text-xs">
      <p>Run on the host to grant exactly what is missing:</p>
      <pre data-testid="grant-command" class="overflow-x-auto rounded bg-slate-100 p-2 dark:bg-slate-900">
        {props.command}
      </pre>
      <Button
        variant="ghost"
        aria-label={`Copy the grant command for ${props.name}`}
        onClick={() => {
          void navigator.clipboard
            ?.writeText(props.command)
            .then(() => setCopied(true))
            .catch(() => undefined);
        }}
      >
        {copied() ? 'Copied' : 'Copy'}
      </Button>
    </section>
  );
}

/** Every feature of one instance, missing ones first and open when something is missing. */
export function PermissionDoctor(props: { name: string; report: PermissionReport; showGrant?: boolean }) {
  const missing = () => props.report.features.filter((f) => f.works === false).length;
  const sorted = () => [...props.report.features].sort((a, b) => Number(a.works !== false) - Number(b.works !== false));
  return (
    <div class="mt-1 text-xs" data-testid="permission-doctor">
      <details open={missing() > 0}>
        <summary class="cursor-pointer">
          Permissions of {props.name}:{' '}
          {missing() === 0
            ? `all ${props.report.features.length} features readable`
            : `${missing()} of ${props.report.features.length} features lack a privilege`}
        </summary>
        <table class="mt-1 w-full" aria-label={`Permission check of ${props.name}`}>
          <thead>
            <tr class="text-left text-slate-500">
              <th class="pr-2 font-normal">Feature</th>
              <th class="pr-2 font-normal">Works</th>
              <th class="pr-2 font-normal">Needs</th>
              <th class="font-normal">Known by</th>
            </tr>
          </thead>
          <tbody>
            <For each={sorted()}>
              {(f) => (
                <tr data-testid="permission-feature" data-works={String(f.works)}>
                  <td class="pr-2">{f.feature}</td>
                  <td
                    class={`pr-2 ${f.works === false ? 'text-red-600 dark:text-red-400' : f.works ? 'text-emerald-600 dark:text-emerald-400' : 'text-slate-500'}`}
                  >
                    {f.works === false ? '✗ no' : f.works ? '✓ yes' : '? unknown'}
                  </td>
                  <td class="pr-2">
                    <code>{f.privilege}</code>
                    {f.path ? (
                      <>
                        {' on '}
                        <code>{f.path}</code>
                      </>
                    ) : (
                      ''
                    )}
                  </td>
                  <td class="text-slate-500">{EVIDENCE[f.evidence]}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </details>
      <Show when={props.showGrant !== false && props.report.grantCommand}>
        {(cmd) => <GrantCommand name={props.name} command={cmd()} />}
      </Show>
    </div>
  );
}
