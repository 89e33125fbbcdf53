/** Setting and clearing the login cookies on a reply, with Secure/SameSite chosen per request. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isHttps, peerInfo } from './client-ip.js';
import {
  type CookieOptions,
  CSRF_COOKIE,
  clearedCookie,
  csrfCookie,
  SESSION_COOKIE,
  sessionCookie,
} from './cookies.js';

export function cookieOptions(req: FastifyRequest): CookieOptions {
  const peer = peerInfo(req.socket.remoteAddress, req.headers);
  // SameSite=None only serves embedding in another site; a proxy header alone is no reason to
  // let every cross-site request carry the session.
  return { secure: isHttps(req.protocol, peer.peer, req.headers), sameSiteNone: req.cookieSameSiteNone === true };
}

function appendCookies(reply: FastifyReply, cookies: string[]): void {
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  reply.header('set-cookie', [...list, ...cookies]);
}

export function setLoginCookies(
  reply: FastifyReply,
  req: FastifyRequest,
  values: { sessionId: string; csrfToken: string },
): void {
  const o = cookieOptions(req);
  appendCookies(reply, [sessionCookie(values.sessionId, o), csrfCookie(values.csrfToken, o)]);
}

export function setCsrfCookie(reply: FastifyReply, req: FastifyRequest, token: string): void {
  appendCookies(reply, [csrfCookie(token, cookieOptions(req))]);
}

export function clearLoginCookies(reply: FastifyReply, req: FastifyRequest): void {
  const o = cookieOptions(req);
  appendCookies(reply, [clearedCookie(SESSION_COOKIE, o), clearedCookie(CSRF_COOKIE, o)]);
}
