/**
 * Every route declares who may call it, in `config.guard`:
 * - public:        anyone (health, version, login, security status, the web UI's files)
 * - authenticated: any valid credential (session, API token, Basic) when auth is configured
 * - admin:         as authenticated, and additionally an admin (proxy-auth users may not be)
 *
 * `app.ts` refuses to register an /api route without one, and records every route so a test
 * can walk them all and prove the gate holds.
 */
export type Guard = 'public' | 'authenticated' | 'admin';

export interface RouteRecord {
  method: string;
  url: string;
  guard: Guard;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    guard?: Guard;
    /** When it returns true, an `authenticated` route is served as public (/metrics, by a system setting). */
    publicWhen?: () => boolean;
  }
}
