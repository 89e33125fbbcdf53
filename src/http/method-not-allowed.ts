/**
 * Which methods a path answers to, so a request with the wrong method gets 405 with an `Allow`
 * header (wire contract §0: "wrong method → 405") instead of Fastify's 404 for "no such route".
 *
 * Fastify's router only answers "route for this method and URL, or none"; this keeps its own list
 * of every registered route pattern (fed by the app's onRoute hook) and matches paths against it.
 */

interface Pattern {
  url: string;
  test: RegExp;
  methods: Set<string>;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A Fastify route URL (`/api/alerts/:id/acknowledge`, `/socket.io/*`) as an anchored RegExp. */
export function patternRegExp(url: string): RegExp {
  const parts = url.split('/').map((seg) => {
    if (seg === '*') return '.*';
    // `:name` and `:name(regex)` both match one segment; a literal segment matches itself.
    if (seg.startsWith(':')) return '[^/]+';
    return escapeRegExp(seg);
  });
  return new RegExp(`^${parts.join('/')}$`);
}

/** The path part of a request URL with duplicate and trailing slashes dropped (the router ignores both). */
export function routePath(url: string): string {
  const p = url.split('?')[0].replace(/\/{2,}/g, '/');
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

export class RouteMethods {
  readonly #patterns = new Map<string, Pattern>();

  add(method: string, url: string): void {
    let p = this.#patterns.get(url);
    if (!p) {
      p = { url, test: patternRegExp(routePath(url) || '/'), methods: new Set() };
      this.#patterns.set(url, p);
    }
    p.methods.add(method.toUpperCase());
    // Fastify answers HEAD for every GET route.
    if (method.toUpperCase() === 'GET') p.methods.add('HEAD');
  }

  /** Methods registered for `url` (sorted), or [] when no route has this path at all. */
  allowed(url: string): string[] {
    const path = routePath(url);
    const out = new Set<string>();
    for (const p of this.#patterns.values()) if (p.test.test(path)) for (const m of p.methods) out.add(m);
    if (out.size > 0) out.add('OPTIONS');
    return [...out].sort();
  }
}
