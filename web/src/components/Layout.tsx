/** The frame around every signed-in page: header, navigation, theme switch, connection badge. */
import { createSignal, For, type JSX, onCleanup, onMount, Show } from 'solid-js';
import { api } from '../api/client';
import { currentPath, linkClick } from '../router';
import { live } from '../stores/live';
import { logout, readOnly, session, useApiToken } from '../stores/session';
import { theme, toggleTheme } from '../stores/theme';
import { Button, ErrorText, inputClass } from './ui';

interface NavItem {
  href: string;
  label: string;
  show?: () => boolean;
  badge?: () => number;
}

const NAV: NavItem[] = [
  { href: '/', label: 'Dashboard' },
  { href: '/storage', label: 'Storage' },
  { href: '/backups', label: 'Backups' },
  { href: '/pbs', label: 'PBS', show: () => live.state.pbs.length > 0 },
  { href: '/mail', label: 'Mail', show: () => live.state.pmg.length > 0 },
  // Always listed: the empty Docker page explains how to add the first host.
  { href: '/docker', label: 'Docker' },
  { href: '/alerts', label: 'Alerts', badge: live.unacknowledgedAlerts },
  { href: '/settings', label: 'Settings' },
];

function isActive(href: string): boolean {
  const p = currentPath();
  return href === '/' ? p === '/' : p === href || p.startsWith(`${href}/`);
}

function ConnectionBadge() {
  const text = () =>
    ({ connected: 'Connected', connecting: 'Connecting…', offline: 'Disconnected' })[live.connection()];
  return (
    <span
      role="status"
      aria-label={`Live updates: ${text()}`}
      class="rounded-full px-2.5 py-0.5 text-xs font-medium"
      classList={{
        'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200':
          live.connection() === 'connected',
        'bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200': live.connection() === 'connecting',
        'bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200': live.connection() === 'offline',
      }}
    >
      {text()}
    </span>
  );
}

/** Shown while /api/health says the database cannot write: changes would not be saved. */
function HealthBanner() {
  const [reason, setReason] = createSignal('');
  const poll = () =>
    void api
      .get<{ status?: string; reason?: string }>('/api/health', { quiet401: true })
      .then((h) => setReason(h?.status === 'degraded' ? (h.reason ?? 'the database cannot write') : ''))
      .catch(() => undefined);
  onMount(() => {
    poll();
    const timer = setInterval(poll, 30_000);
    onCleanup(() => clearInterval(timer));
  });
  return (
    <Show when={reason()}>
      <div
        role="alert"
        class="border-b border-red-300 bg-red-50 px-4 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/60 dark:text-red-100"
      >
        <div class="mx-auto max-w-screen-2xl">
          <span class="font-medium">Pulse is degraded:</span> {reason()}. Changes may not be saved.
        </div>
      </div>
    </Show>
  );
}

function ReadOnlyBanner() {
  const [value, setValue] = createSignal('');
  return (
    <Show when={readOnly()}>
      <div class="border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/60 dark:text-amber-100">
        <form
          class="mx-auto flex max-w-screen-2xl flex-wrap items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (value().trim()) useApiToken(value().trim());
          }}
        >
          <span class="font-medium">Read-only view.</span>
          <span>This Pulse uses API tokens only; enter a token to make changes.</span>
          <input
            type="password"
            aria-label="API token"
            placeholder="API token"
            class={`${inputClass} max-w-xs`}
            value={value()}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
          <Button type="submit">Use token</Button>
        </form>
      </div>
    </Show>
  );
}

export function Layout(props: { children: JSX.Element }) {
  const [error, setError] = createSignal('');
  const canLogout = () => !!session.status().requiresAuth && !!session.status().hasAuthentication;
  return (
    <div class="min-h-screen">
      <HealthBanner />
      <ReadOnlyBanner />
      <header class="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div class="mx-auto flex max-w-screen-2xl items-center gap-3 px-3 pt-2 sm:px-4">
          <a href="/" onClick={linkClick} class="flex items-center gap-2 text-lg font-semibold" aria-label="Pulse home">
            <svg viewBox="0 0 24 24" class="h-6 w-6 text-sky-500" aria-hidden="true">
              <circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="2.5" />
              <circle cx="12" cy="12" r="3.5" fill="currentColor" />
            </svg>
            Pulse
          </a>
          <div class="ml-auto flex items-center gap-2">
            <ConnectionBadge />
            <button
              type="button"
              class="rounded-md p-1.5 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
              aria-label={theme() === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
              title={theme() === 'dark' ? 'Light theme' : 'Dark theme'}
              onClick={toggleTheme}
            >
              <Show
                when={theme() === 'dark'}
                fallback={
                  <svg
                    viewBox="0 0 24 24"
                    class="h-5 w-5"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="2"
                    aria-hidden="true"
                  >
                    <path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z" />
                  </svg>
                }
              >
                <svg
                  viewBox="0 0 24 24"
                  class="h-5 w-5"
                  fill="none"
                  stroke="currentColor"
                  stroke-width="2"
                  aria-hidden="true"
                >
                  <circle cx="12" cy="12" r="4" />
                  <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
                </svg>
              </Show>
            </button>
            <Show when={canLogout()}>
              <Button
                variant="ghost"
                aria-label="Log out"
                onClick={() => logout().catch((e: Error) => setError(e.message))}
              >
                Log out
              </Button>
            </Show>
          </div>
        </div>
        <nav
          aria-label="Main"
          class="relative mx-auto flex max-w-screen-2xl flex-wrap gap-x-1 px-2 sm:flex-nowrap sm:overflow-x-auto sm:px-3"
        >
          <For each={NAV}>
            {(item) => (
              <Show when={!item.show || item.show()}>
                <a
                  href={item.href}
                  onClick={linkClick}
                  aria-current={isActive(item.href) ? 'page' : undefined}
                  class="flex items-center gap-1.5 whitespace-nowrap border-b-2 px-3 py-2 text-sm"
                  classList={{
                    'border-sky-500 text-sky-600 dark:text-sky-400': isActive(item.href),
                    'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white':
                      !isActive(item.href),
                  }}
                >
                  {item.label}
                  <Show when={item.badge && item.badge() > 0}>
                    <span
                      class="rounded-full bg-red-500 px-1.5 text-[10px] font-semibold text-white"
                      title={`${item.badge?.()} unacknowledged`}
                    >
                      {item.badge?.()}
                      <span class="sr-only"> unacknowledged</span>
                    </span>
                  </Show>
                </a>
              </Show>
            )}
          </For>
        </nav>
      </header>
      <main class="mx-auto max-w-screen-2xl px-2 py-4 sm:px-4">
        <ErrorText error={error()} />
        {props.children}
      </main>
    </div>
  );
}
