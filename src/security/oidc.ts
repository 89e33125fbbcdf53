/**
 * OIDC single sign-on (wire contract §4.10): the stored configuration (client secret encrypted
 * with the data directory's key, never returned) and the authorization-code flow with PKCE,
 * state and nonce, done by `openid-client` (which validates the ID token's signature, issuer,
 * audience, expiry and nonce). A successful sign-in becomes an ordinary pulse_session.
 */
import type { Database } from 'better-sqlite3';
import type * as OpenId from 'openid-client';
import type { SecretBox } from '../crypto/secret-box.js';
import { SecretRepo } from '../crypto/secret-repo.js';
import { MetaRepo } from '../db/meta-repo.js';
import { safeEqual } from './secrets.js';

export const OIDC_CALLBACK_PATH = '/api/oidc/callback';
/** The browser-bound half of a pending sign-in: its state, in an HttpOnly cookie. */
export const OIDC_STATE_COOKIE = 'pulse_oidc_state';
const META_KEY = 'oidc.config';
const SECRET_NAME = 'oidc.clientSecret';
/** How long a user may take at the provider before the sign-in must be started again. */
const PENDING_MS = 10 * 60_000;

export interface OidcSettings {
  enabled: boolean;
  issuerUrl: string;
  clientId: string;
  redirectUrl: string;
  logoutUrl: string;
  scopes: string[];
  usernameClaim: string;
  emailClaim: string;
  groupsClaim: string;
  allowedGroups: string[];
  allowedDomains: string[];
  allowedEmails: string[];
  defaultRedirect: string;
  /** Beyond the contract: refuse password sign-in (form and Basic) while OIDC is enabled. */
  disablePasswordLogin: boolean;
}

export type OidcConfigView = OidcSettings & { clientSecretSet: boolean };

export function defaultOidcSettings(publicUrl?: string): OidcSettings {
  return {
    enabled: false,
    issuerUrl: '',
    clientId: '',
    // Known only when the public URL is: the provider needs an absolute address.
    redirectUrl: publicUrl ? `${publicUrl.replace(/\/+$/, '')}${OIDC_CALLBACK_PATH}` : '',
    logoutUrl: '',
    scopes: ['openid', 'profile', 'email'],
    usernameClaim: 'preferred_username',
    emailClaim: 'email',
    groupsClaim: 'groups',
    allowedGroups: [],
    allowedDomains: [],
    allowedEmails: [],
    defaultRedirect: '/',
    disablePasswordLogin: false,
  };
}

export class OidcError extends Error {
  constructor(
    /** Short machine-readable reason, sent to the browser as `?oidc_error=`. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** openid-client, loaded on the first sign-in: most installs never configure OIDC. */
let openIdModule: Promise<typeof OpenId> | undefined;

function openIdClient(): Promise<typeof OpenId> {
  openIdModule ??= import('openid-client');
  return openIdModule;
}

interface Pending {
  nonce: string;
  verifier: string;
  returnTo: string;
  expiresAt: number;
}

export interface OidcIdentity {
  username: string;
  email?: string;
  groups: string[];
}

function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return v.split(/[\s,]+/).filter(Boolean);
  return [];
}

/** Only same-origin paths are accepted as return addresses, so the flow cannot redirect elsewhere. */
export function safeReturnTo(value: unknown, fallback: string): string {
  if (typeof value === 'string' && /^\/(?![/\\])/.test(value)) return value;
  return fallback;
}

export class OidcService {
  readonly #meta: MetaRepo;
  readonly #secrets: SecretRepo;
  readonly #pending = new Map<string, Pending>();
  #discovered?: { key: string; config: OpenId.Configuration };

  constructor(
    db: Database,
    box: SecretBox,
    private readonly now: () => number,
    private readonly publicUrl?: string,
  ) {
    this.#meta = new MetaRepo(db);
    this.#secrets = new SecretRepo(db, box, now);
  }

  settings(): OidcSettings {
    const raw = this.#meta.get(META_KEY);
    const base = defaultOidcSettings(this.publicUrl);
    return raw ? { ...base, ...(JSON.parse(raw) as Partial<OidcSettings>) } : base;
  }

  view(): OidcConfigView {
    return { ...this.settings(), clientSecretSet: this.#secrets.get(SECRET_NAME) !== undefined };
  }

  enabled(): boolean {
    const s = this.settings();
    return s.enabled && s.issuerUrl !== '' && s.clientId !== '' && s.redirectUrl !== '';
  }

  passwordLoginDisabled(): boolean {
    return this.enabled() && this.settings().disablePasswordLogin;
  }

  /** Saves a PUT body: validated, secret kept unless replaced or cleared. Throws OidcError on bad input. */
  update(body: Record<string, unknown>): OidcConfigView {
    const cur = this.settings();
    const next: OidcSettings = { ...cur };
    const str = (k: keyof OidcSettings) => {
      const v = body[k];
      if (v === undefined) return;
      if (typeof v !== 'string') throw new OidcError('invalid', `${k} must be a string`);
      (next as unknown as Record<string, unknown>)[k] = v.trim();
    };
    const list = (k: keyof OidcSettings) => {
      const v = body[k];
      if (v === undefined) return;
      (next as unknown as Record<string, unknown>)[k] = strings(v).map((s) => s.trim());
    };
    const bool = (k: keyof OidcSettings) => {
      const v = body[k];
      if (v === undefined) return;
      if (typeof v !== 'boolean') throw new OidcError('invalid', `${k} must be true or false`);
      (next as unknown as Record<string, unknown>)[k] = v;
    };
    for (const k of [
      'issuerUrl',
      'clientId',
      'redirectUrl',
      'logoutUrl',
      'usernameClaim',
      'emailClaim',
      'groupsClaim',
      'defaultRedirect',
    ] as const)
      str(k);
    for (const k of ['scopes', 'allowedGroups', 'allowedDomains', 'allowedEmails'] as const) list(k);
    bool('enabled');
    bool('disablePasswordLogin');
    for (const k of ['issuerUrl', 'redirectUrl', 'logoutUrl'] as const) {
      if (next[k] !== '' && !/^https?:\/\/[^\s/]+/.test(next[k])) {
        throw new OidcError('invalid', `${k} must be an http(s) URL`);
      }
    }
    if (next.redirectUrl !== '' && new URL(next.redirectUrl).pathname !== OIDC_CALLBACK_PATH) {
      throw new OidcError('invalid', `redirectUrl must end in ${OIDC_CALLBACK_PATH}`);
    }
    if (!next.scopes.includes('openid')) next.scopes = ['openid', ...next.scopes];
    next.defaultRedirect = safeReturnTo(next.defaultRedirect, '/');
    if (next.enabled && (next.issuerUrl === '' || next.clientId === '' || next.redirectUrl === '')) {
      throw new OidcError('invalid', 'issuerUrl, clientId and redirectUrl are required to enable OIDC');
    }
    if (body.clearClientSecret === true) this.#secrets.delete(SECRET_NAME);
    else if (typeof body.clientSecret === 'string' && body.clientSecret !== '') {
      this.#secrets.set(SECRET_NAME, body.clientSecret);
    }
    this.#meta.set(META_KEY, JSON.stringify(next));
    this.#discovered = undefined;
    return this.view();
  }

  async #configuration(s: OidcSettings): Promise<OpenId.Configuration> {
    const client = await openIdClient();
    const secret = this.#secrets.get(SECRET_NAME);
    const key = `${s.issuerUrl}\0${s.clientId}\0${secret ?? ''}`;
    if (this.#discovered?.key === key) return this.#discovered.config;
    const issuer = new URL(s.issuerUrl);
    try {
      const config = await client.discovery(
        issuer,
        s.clientId,
        secret,
        secret === undefined ? client.None() : client.ClientSecretPost(secret),
        // A plain-http issuer is the admin's choice (a provider on the same host or LAN).
        issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
      );
      this.#discovered = { key, config };
      return config;
    } catch (err) {
      throw new OidcError('provider_unreachable', `OIDC discovery at ${s.issuerUrl} failed: ${(err as Error).message}`);
    }
  }

  /** Starts a sign-in: returns the provider's authorization URL and the state for the browser cookie. */
  async begin(returnTo: unknown): Promise<{ authorizationUrl: string; state: string }> {
    if (!this.enabled()) throw new OidcError('oidc_disabled', 'OIDC sign-in is not enabled');
    const s = this.settings();
    const config = await this.#configuration(s);
    const client = await openIdClient();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const now = this.now();
    for (const [k, p] of this.#pending) if (p.expiresAt <= now) this.#pending.delete(k);
    if (this.#pending.size > 10_000) this.#pending.clear();
    this.#pending.set(state, {
      nonce,
      verifier,
      returnTo: safeReturnTo(returnTo, s.defaultRedirect),
      expiresAt: now + PENDING_MS,
    });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: s.redirectUrl,
      scope: s.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { authorizationUrl: url.href, state };
  }

  /**
   * Finishes a sign-in from the callback's query string. `cookieState` is the state this browser
   * started with; a callback carrying any other state is refused (login CSRF).
   */
  async finish(query: string, cookieState: string | undefined): Promise<OidcIdentity & { returnTo: string }> {
    const s = this.settings();
    if (!this.enabled()) throw new OidcError('oidc_disabled', 'OIDC sign-in is not enabled');
    const params = new URLSearchParams(query);
    const state = params.get('state') ?? '';
    if (params.get('error')) {
      if (cookieState) this.#pending.delete(cookieState);
      throw new OidcError('provider_error', `The identity provider refused: ${params.get('error')}`);
    }
    if (!cookieState || !state || !safeEqual(state, cookieState)) {
      throw new OidcError('invalid_state', 'The sign-in state does not match this browser; start again');
    }
    const pending = this.#pending.get(cookieState);
    this.#pending.delete(cookieState);
    if (!pending || pending.expiresAt <= this.now()) {
      throw new OidcError('invalid_state', 'The sign-in expired or was already used; start again');
    }
    const config = await this.#configuration(s);
    const client = await openIdClient();
    const current = new URL(s.redirectUrl);
    current.search = params.toString();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: cookieState,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      const e = err as Error & { code?: string; error?: string; cause?: unknown };
      // openid-client wraps the check that failed; its message names the claim.
      const detail = `${e.message} ${e.cause instanceof Error ? e.cause.message : ''}`;
      if (/"nonce"/.test(detail)) throw new OidcError('invalid_nonce', 'The ID token nonce does not match');
      if (e.error === 'invalid_grant') {
        throw new OidcError('invalid_grant', 'The authorization code is invalid, expired or already used');
      }
      throw new OidcError('token_exchange_failed', `Token exchange failed: ${e.message}`);
    }
    const claims = { ...(tokens.claims() ?? {}) } as Record<string, unknown>;
    // Providers that keep ID tokens small put profile claims only in UserInfo.
    if (claims[s.usernameClaim] === undefined || claims[s.groupsClaim] === undefined) {
      try {
        Object.assign(claims, await client.fetchUserInfo(config, tokens.access_token, String(claims.sub)), claims);
      } catch {
        // The ID token's claims are then all there is.
      }
    }
    return { ...this.#authorise(s, claims), returnTo: pending.returnTo };
  }

  #authorise(s: OidcSettings, claims: Record<string, unknown>): OidcIdentity {
    const email = typeof claims[s.emailClaim] === 'string' ? (claims[s.emailClaim] as string) : undefined;
    const groups = strings(claims[s.groupsClaim]);
    const nameClaim = claims[s.usernameClaim];
    const username = typeof nameClaim === 'string' && nameClaim !== '' ? nameClaim : (email ?? String(claims.sub));
    if (s.allowedGroups.length > 0 && !groups.some((g) => s.allowedGroups.includes(g))) {
      throw new OidcError('group_not_allowed', `${username} is not in an allowed group`);
    }
    const lowerEmail = email?.toLowerCase();
    if (s.allowedEmails.length > 0 && !s.allowedEmails.some((e) => e.toLowerCase() === lowerEmail)) {
      throw new OidcError('email_not_allowed', `${username}'s email address is not allowed`);
    }
    if (s.allowedDomains.length > 0) {
      const domain = lowerEmail?.split('@')[1];
      if (!domain || !s.allowedDomains.some((d) => d.toLowerCase().replace(/^@/, '') === domain)) {
        throw new OidcError('domain_not_allowed', `${username}'s email domain is not allowed`);
      }
    }
    return { username, email, groups };
  }
}
