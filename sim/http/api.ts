/** Route-table types shared by the PVE, PBS and PMG modules, and the path matcher. */
import { gzipSync } from 'node:zlib';
import type { Identity } from '../auth.js';
import type { SimCore } from '../core.js';
import type { Product } from '../schema/apidata.js';
import type { Endpoint } from './endpoint.js';

export { ApiError } from './error.js';

/** A reply with fields beside `data` (e.g. `total` on task lists). */
export class Envelope {
  constructor(
    readonly data: unknown,
    readonly extra: Record<string, unknown>,
  ) {}
}

/** Already-serialised `data` (a cached JSON text), written into the envelope as is. */
export class RawJson {
  private envelope?: Buffer;
  private gzipped?: Buffer;
  constructor(readonly text: string) {}

  /** The `{"data": …}` body, built once. */
  body(): Buffer {
    this.envelope ??= Buffer.from(`{"data":${this.text}}`);
    return this.envelope;
  }

  /** The gzip-compressed body, built once (pveproxy compresses for clients that accept gzip). */
  gzip(): Buffer {
    this.gzipped ??= gzipSync(this.body(), { level: 4 });
    return this.gzipped;
  }
}

export interface RouteContext<I> {
  instance: I;
  /** The PVE node whose endpoint received the request (PBS/PMG: undefined). */
  localNode?: string;
  params: Record<string, string>;
  /** Path, query and body parameters merged, as Proxmox does. */
  args: Record<string, string>;
  identity?: Identity;
  now: number;
  method: string;
  sim: SimCore;
  endpoint: Endpoint;
}

export type Handler<I> = (ctx: RouteContext<I>) => unknown | Promise<unknown>;

export interface Route<I> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The schema path template, e.g. `/nodes/{node}/qemu/{vmid}/status/current`. */
  path: string;
  handler: Handler<I>;
  /**
   * Unused by the pipeline: a route whose path the published schema lacks is never served (the
   * strictness layer answers as real Proxmox does), so it has no permissions of its own to enforce.
   */
  permissions?: Record<string, unknown>;
}

export interface RouteTable<I> {
  product: Product;
  routes: Route<I>[];
}

interface Compiled<I> {
  route: Route<I>;
  segments: string[];
}

/** Matches concrete paths against templated routes; literal segments beat parameters. */
export class Router<I> {
  private bySize = new Map<number, Compiled<I>[]>();
  constructor(readonly table: RouteTable<I>) {
    for (const route of table.routes) {
      const segments = route.path.split('/').filter(Boolean);
      const list = this.bySize.get(segments.length) ?? [];
      list.push({ route, segments });
      this.bySize.set(segments.length, list);
    }
    for (const list of this.bySize.values()) {
      list.sort((a, b) => paramCount(a.segments) - paramCount(b.segments));
    }
  }

  match(method: string, path: string): { route: Route<I>; params: Record<string, string> } | null {
    const parts = path.split('/').filter(Boolean);
    for (const c of this.bySize.get(parts.length) ?? []) {
      if (c.route.method !== method) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const s = c.segments[i];
        if (s.startsWith('{')) {
          try {
            params[s.slice(1, -1)] = decodeURIComponent(parts[i]);
          } catch {
            ok = false;
            break;
          }
        } else if (s !== parts[i]) {
          ok = false;
          break;
        }
      }
      if (ok) return { route: c.route, params };
    }
    return null;
  }
}

function paramCount(segments: string[]): number {
  return segments.filter((s) => s.startsWith('{')).length;
}
