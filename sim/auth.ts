/**
 * Authentication and privileges as Proxmox does them: signed tickets (cookie `<P>AuthCookie`)
 * with a CSRF token for writes, and API tokens in the Authorization header
 * (`PVEAPIToken=user@realm!id=secret`, `PBSAPIToken=user@realm!id:secret`). PMG has no API
 * tokens: its API server reads only the ticket cookie. Privileges are ACL maps path → privileges; the
 * permission objects of the official schema decide which privileges a path needs.
 */
import crypto from 'node:crypto';
import type { Credential } from './estate/model.js';
import type { Product } from './schema/apidata.js';

export const TICKET_LIFETIME_SEC = 7200;

export interface Identity {
  userid: string;
  tokenid?: string;
  cred: Credential;
  viaTicket: boolean;
}

const PREFIX: Record<Product, string> = { pve: 'PVE', pbs: 'PBS', pmg: 'PMG' };
const TOKEN_SEPARATOR: Record<Product, string | undefined> = { pve: '=', pbs: ':', pmg: undefined };

export function cookieName(product: Product): string {
  return `${PREFIX[product]}AuthCookie`;
}

/** Signs and checks tickets and CSRF tokens for one server (product instance). */
export class TicketAuthority {
  private key = crypto.randomBytes(32);
  lifetimeSec = TICKET_LIFETIME_SEC;
  constructor(
    readonly product: Product,
    private readonly nowMs: () => number,
  ) {}

  private sign(data: string): string {
    return crypto.createHmac('sha256', this.key).update(data).digest('base64').replace(/=+$/, '');
  }

  issueTicket(userid: string): string {
    const plain = `${PREFIX[this.product]}:${userid}:${this.hexTime()}`;
    return `${plain}::${this.sign(plain)}`;
  }

  issueCsrf(userid: string): string {
    const t = this.hexTime();
    return `${t}:${this.sign(`${t}:${userid}`)}`;
  }

  /** The ticket's user if the signature is valid and it has not expired, else null. */
  verifyTicket(ticket: string): string | null {
    const m = /^([A-Z]{3}):([^:]+):([0-9A-F]{8})::(.+)$/.exec(ticket);
    if (!m || m[1] !== PREFIX[this.product]) return null;
    const plain = `${m[1]}:${m[2]}:${m[3]}`;
    if (!safeEqual(this.sign(plain), m[4])) return null;
    if (this.expired(m[3])) return null;
    return m[2];
  }

  verifyCsrf(token: string | undefined, userid: string): boolean {
    if (!token) return false;
    const m = /^([0-9A-F]{8}):(.+)$/.exec(token);
    if (!m) return false;
    return safeEqual(this.sign(`${m[1]}:${userid}`), m[2]) && !this.expired(m[1]);
  }

  /** Invalidates every ticket issued so far (the control API's "expire tickets"). */
  rotate(): void {
    this.key = crypto.randomBytes(32);
  }

  private hexTime(): string {
    return Math.floor(this.nowMs() / 1000)
      .toString(16)
      .toUpperCase()
      .padStart(8, '0');
  }

  private expired(hex: string): boolean {
    const age = this.nowMs() / 1000 - Number.parseInt(hex, 16);
    return age > this.lifetimeSec || age < -300;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}

/** Parses `<P>APIToken=user@realm!name<sep>secret` (PBS also accepts a space after the prefix). */
export function parseTokenHeader(product: Product, header: string): { tokenid: string; secret: string } | null {
  const sepChar = TOKEN_SEPARATOR[product];
  if (!sepChar) return null;
  const prefix = `${PREFIX[product]}APIToken`;
  if (!header.startsWith(prefix)) return null;
  const rest = header.slice(prefix.length);
  if (!(rest.startsWith('=') || (product === 'pbs' && rest.startsWith(' ')))) return null;
  const value = rest.slice(1).trim();
  const bang = value.indexOf('!');
  if (bang < 0) return null;
  const sep = value.indexOf(sepChar, bang);
  if (sep < 0) return null;
  return { tokenid: value.slice(0, sep), secret: value.slice(sep + 1) };
}

export type AuthResult = { ok: true; identity: Identity } | { ok: false; reason: string };

export function authenticate(
  product: Product,
  headers: Record<string, string | string[] | undefined>,
  creds: Credential[],
  tickets: TicketAuthority,
): AuthResult {
  const authz = headers.authorization;
  // PMG's API server is configured without an API-token header name, so it never looks at
  // Authorization: a `PMGAPIToken=…` header leaves the request without a ticket (401 "No ticket").
  if (product !== 'pmg' && typeof authz === 'string' && authz.length > 0) {
    const parsed = parseTokenHeader(product, authz);
    if (!parsed) return { ok: false, reason: 'invalid authorization header' };
    const cred = creds.find((c) => c.tokenid === parsed.tokenid);
    if (!cred || cred.revoked || !cred.secret || !safeEqual(cred.secret, parsed.secret)) {
      return { ok: false, reason: 'invalid token value!' };
    }
    return { ok: true, identity: { userid: cred.userid, tokenid: cred.tokenid, cred, viaTicket: false } };
  }
  const cookies = parseCookies(typeof headers.cookie === 'string' ? headers.cookie : undefined);
  const ticket = cookies[cookieName(product)];
  if (!ticket) return { ok: false, reason: 'No ticket' };
  const userid = tickets.verifyTicket(ticket);
  if (!userid) return { ok: false, reason: 'invalid ticket' };
  const cred = creds.find((c) => !c.tokenid && c.userid === userid);
  if (!cred || cred.revoked) return { ok: false, reason: 'invalid ticket' };
  return { ok: true, identity: { userid, cred, viaTicket: true } };
}

/** Checks a password login (`password` may also be a still-valid ticket, as Proxmox allows). */
export function login(
  creds: Credential[],
  tickets: TicketAuthority,
  username: string,
  password: string,
  realm?: string,
): Credential | null {
  const userid = username.includes('@') ? username : `${username}@${realm ?? 'pam'}`;
  const cred = creds.find((c) => !c.tokenid && c.userid === userid);
  if (!cred || cred.revoked) return null;
  if (cred.password !== undefined && safeEqual(cred.password, password)) return cred;
  if (tickets.verifyTicket(password) === userid) return cred;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Privileges

/** The privileges granted on `path` (ACL entries on the path or any parent propagate down). */
export function privilegesOn(acl: Record<string, string[]>, path: string): Set<string> {
  const out = new Set<string>();
  for (const [p, privs] of Object.entries(acl)) {
    const prefix = p === '/' ? '/' : p.replace(/\/+$/, '');
    if (prefix === '/' || path === prefix || path.startsWith(`${prefix}/`)) for (const x of privs) out.add(x);
  }
  return out;
}

export function hasPrivs(cred: Credential, path: string, privs: string[], any = false): boolean {
  const granted = privilegesOn(cred.acl, path);
  if (granted.has('*')) return true;
  return any ? privs.some((p) => granted.has(p)) : privs.every((p) => granted.has(p));
}

export class PermissionDenied extends Error {
  constructor(
    readonly path: string,
    readonly privs: string[],
  ) {
    super(`Permission check failed (${path}, ${privs.join('|')})`);
  }
}

function substitute(template: string, params: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, k) => params[k] ?? '');
}

/**
 * Evaluates PVE's check expressions: ['perm', path, [privs], 'any', 1], ['and'|'or', …],
 * ['userid-param', 'self'], ['userid-group', …]. Throws PermissionDenied naming the first failure.
 */
function evalPveCheck(expr: any[], cred: Credential, params: Record<string, string>): void {
  const op = expr[0];
  if (op === 'perm') {
    const path = substitute(String(expr[1]), params);
    const privs = expr[2] as string[];
    const any = expr.slice(3).includes('any');
    if (!hasPrivs(cred, path, privs, any)) throw new PermissionDenied(path, privs);
    return;
  }
  if (op === 'and') {
    for (const sub of expr.slice(1)) evalPveCheck(sub, cred, params);
    return;
  }
  if (op === 'or') {
    let first: PermissionDenied | undefined;
    for (const sub of expr.slice(1)) {
      try {
        evalPveCheck(sub, cred, params);
        return;
      } catch (e) {
        first ??= e as PermissionDenied;
      }
    }
    throw first ?? new PermissionDenied('/', []);
  }
  if (op === 'userid-param' || op === 'userid-group') return;
  throw new PermissionDenied('/', [String(op)]);
}

/**
 * Enforces a schema `permissions` object for an authenticated caller. `user: all` and `world`
 * pass here (such handlers filter their own results); no permissions object means root only.
 */
export function checkPermissions(
  product: Product,
  permissions: Record<string, any> | undefined,
  cred: Credential,
  params: Record<string, string>,
): void {
  if (!permissions) {
    // PVE/PBS: no permissions object means root only; PMG: the admin role.
    if (product === 'pmg' ? cred.role !== 'admin' : cred.userid !== 'root@pam') {
      throw new PermissionDenied('/', [product === 'pmg' ? 'admin' : 'root@pam']);
    }
    return;
  }
  if (permissions.user === 'all' || permissions.user === 'world') return;
  if (permissions.user === 'root') {
    if (cred.userid !== 'root@pam') throw new PermissionDenied('/', ['root@pam']);
    return;
  }
  const check = permissions.check;
  if (!check) return;
  if (product === 'pmg') {
    // PMG: a list of roles allowed, e.g. ['admin', 'qmanager', 'audit'].
    const roles = Array.isArray(check) ? check : [check];
    if (!roles.includes(cred.role)) throw new PermissionDenied('/', roles);
    return;
  }
  if (product === 'pbs') {
    // PBS: {path: ['datastore', '{store}'], privs: [...], partial}; any listed privilege suffices.
    const path = `/${(check.path as string[]).map((s) => substitute(s, params)).join('/')}`.replace(/\/+$/, '') || '/';
    const privs = check.privs as string[];
    if (!hasPrivs(cred, path, privs, true)) throw new PermissionDenied(path, privs);
    return;
  }
  if (Array.isArray(check)) evalPveCheck(check, cred, params);
}
