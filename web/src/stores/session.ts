/**
 * Who is using the UI and what they may do: decides between first-run setup, login, the app,
 * and read-only mode (API-token-only servers answer GETs without credentials but refuse writes).
 */
import { createSignal } from 'solid-js';
import { api, forgetCsrfCookie, onUnauthorized, readCookie, setStoredApiToken, storedApiToken } from '../api/client';
import type { QuickSetupReply, SecurityStatus } from '../api/types';
import { onSocketRefused, startLive, stopLive } from './live';

export type Phase = 'loading' | 'setup' | 'login' | 'token' | 'ready' | 'error';

const [phase, setPhase] = createSignal<Phase>('loading');
const [status, setStatus] = createSignal<SecurityStatus>({});
const [startError, setStartError] = createSignal('');
const [token, setToken] = createSignal(storedApiToken());

const SKIP_SETUP_KEY = 'pulse_setup_skipped';

function isApiTokenOnly(s: SecurityStatus): boolean {
  return !!s.apiTokenConfigured && !s.hasAuthentication && !s.hasProxyAuth && !s.oidcEnabled && !s.disabled;
}

/** True when writes would be refused: API-token-only mode without a token entered. */
export const readOnly = () => phase() === 'ready' && isApiTokenOnly(status()) && !token();

async function loadStatus(): Promise<SecurityStatus> {
  const s = await api.get<SecurityStatus>('/api/security/status', { quiet401: true });
  setStatus(s);
  return s;
}

function enter(): void {
  setPhase('ready');
  startLive();
}

/** Decides the first screen. Avoids a 401 probe when there is clearly no session (no CSRF cookie). */
export async function initSession(): Promise<void> {
  let s: SecurityStatus;
  try {
    s = await loadStatus();
  } catch (err) {
    setStartError((err as Error).message);
    setPhase('error');
    return;
  }
  if (s.disabled) return enter();
  // API-token-only servers answer nothing without a token: ask for one first.
  if (isApiTokenOnly(s)) {
    if (!storedApiToken()) {
      setPhase('token');
      return;
    }
    try {
      await api.get('/api/config/system', { quiet401: true });
      return enter();
    } catch {
      useApiToken(undefined);
      setPhase('token');
      return;
    }
  }
  const nothingConfigured = !s.requiresAuth && !s.hasAuthentication && !s.apiTokenConfigured;
  if (nothingConfigured) {
    if (sessionStorage.getItem(SKIP_SETUP_KEY) === '1') return enter();
    setPhase('setup');
    return;
  }
  if (!s.requiresAuth) return enter();
  // This server says whether the request was signed in; older ones need a probe.
  if (s.authenticated === true) return enter();
  if (s.authenticated === false) {
    setPhase('login');
    return;
  }
  if (!readCookie('pulse_csrf') && !storedApiToken()) {
    setPhase('login');
    return;
  }
  try {
    await api.get('/api/config', { quiet401: true });
    enter();
  } catch {
    setPhase('login');
  }
}

export async function login(username: string, password: string): Promise<void> {
  await api.post('/api/login', { username, password }, { quiet401: true });
  await loadStatus().catch(() => undefined);
  enter();
}

export async function logout(): Promise<void> {
  const before = status();
  // Signed in at an identity provider or proxy: ending only Pulse's session would sign straight back in.
  const providerLogout = before.oidcUsername
    ? before.oidcLogoutURL
    : before.proxyAuthUsername
      ? before.proxyAuthLogoutURL
      : undefined;
  try {
    await api.post('/api/logout', {}, { quiet401: true });
  } finally {
    forgetCsrfCookie();
    setStoredApiToken(undefined);
    setToken(undefined);
    stopLive();
    await loadStatus().catch(() => undefined);
    setPhase(isApiTokenOnly(status()) ? 'token' : status().requiresAuth ? 'login' : 'setup');
    if (providerLogout) window.location.assign(providerLogout);
  }
}

/** What the setup page shows: the token only when it asked for one (the reply itself is QuickSetupReply). */
export interface QuickSetupResult {
  token?: string;
  message?: string;
}

/** Creates the admin (and optionally an API token, shown once) and signs in with it. */
export async function quickSetup(username: string, password: string, withToken: boolean): Promise<QuickSetupResult> {
  // The server generates the token when asked (and returns it once); it also signs us in.
  const body = { username, password, generateApiToken: withToken };
  // An empty body parses to undefined (api/client), hence `| undefined`.
  const res = await api.post<QuickSetupReply | undefined>('/api/security/quick-setup', body, { quiet401: true });
  if (res?.skipped) throw new Error(res.message || 'Authentication is already configured');
  const s = await loadStatus().catch(() => status());
  if (s.authenticated === false) await api.post('/api/login', { username, password }, { quiet401: true });
  return { token: withToken ? res?.apiToken : undefined, message: res?.message };
}

export function finishSetup(): void {
  enter();
}

export function skipSetup(): void {
  sessionStorage.setItem(SKIP_SETUP_KEY, '1');
  enter();
}

/** API-token-only mode: remember a token for this tab; every request then sends it. */
export function useApiToken(value: string | undefined): void {
  setStoredApiToken(value);
  setToken(value);
}

/** The token prompt: keeps the token only if the server accepts it. */
export async function signInWithToken(value: string): Promise<void> {
  useApiToken(value);
  try {
    await api.get('/api/config/system', { quiet401: true });
  } catch (err) {
    useApiToken(undefined);
    throw err;
  }
  enter();
}

// A 401 can mean "wrong current password" as well as "session gone": ask before signing out.
function recheckSession(): void {
  if (phase() !== 'ready' || !status().requiresAuth) return;
  if (isApiTokenOnly(status())) {
    // The token was revoked or replaced: ask for a new one.
    stopLive();
    useApiToken(undefined);
    setPhase('token');
    return;
  }
  void loadStatus()
    .then((s) => {
      if (s.authenticated === false) {
        stopLive();
        setPhase('login');
      }
    })
    .catch(() => undefined);
}
onUnauthorized(recheckSession);
// A refused WebSocket upgrade is how an expired session shows while the app sits idle.
onSocketRefused(recheckSession);

export const session = { phase, status, startError, token, refreshStatus: loadStatus };
