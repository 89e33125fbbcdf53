/**
 * Serves the built single-page app (dist/web) for every path outside /api and /ws, with
 * index.html as the fallback for client-side routes. Unknown /api paths get a JSON 404.
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { PROJECT_ROOT } from '../version.js';

/** What the web UI's routes need: where the built UI is. */
type WebUiDeps = { settings: { frontendDir?: string } };

import type { RouteMethods } from './method-not-allowed.js';

const MISSING_UI_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pulse</title></head>
<body><h1>Pulse</h1><p>The web UI has not been built. Run <code>npm run build:web</code>, then reload.</p>
<p>The API is available under <a href="/api/health">/api</a>.</p></body></html>`;

export function frontendDir(deps: WebUiDeps): string {
  return deps.settings.frontendDir ?? path.join(PROJECT_ROOT, 'dist', 'web');
}

export async function registerWebUi(app: FastifyInstance, deps: WebUiDeps, known?: RouteMethods): Promise<void> {
  const root = frontendDir(deps);
  const hasUi = fs.existsSync(path.join(root, 'index.html'));
  if (hasUi) {
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      index: false,
      // Hashed asset names are immutable; index.html must always be revalidated.
      setHeaders(res, file) {
        if (file.endsWith('index.html')) res.header('Cache-Control', 'no-cache, no-store, must-revalidate');
        else if (file.includes(`${path.sep}assets${path.sep}`))
          res.header('Cache-Control', 'public, max-age=31536000, immutable');
      },
    });
  }

  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split('?')[0];
    // A known path asked with another method: 405 with the methods it does answer (an OPTIONS
    // request, e.g. a CORS preflight, just gets that list).
    const allow = known?.allowed(url) ?? [];
    if (allow.length > 0) {
      reply.header('Allow', allow.join(', '));
      if (req.method === 'OPTIONS') return reply.status(200).send();
      return reply.status(405).send({ error: `Method ${req.method} not allowed for ${url}`, allowed: allow });
    }
    if (url.startsWith('/api/') || url === '/api' || url.startsWith('/ws')) {
      return reply.status(404).send({ error: `Not found: ${req.method} ${url}` });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return reply.status(404).send({ error: `Not found: ${req.method} ${url}` });
    }
    // A path with a file extension that is not on disk is a real 404, not a client route.
    if (/\.[a-z0-9]{1,8}$/i.test(url) && !url.endsWith('.html')) {
      return reply.status(404).type('text/plain').send('Not found');
    }
    reply.header('Cache-Control', 'no-cache, no-store, must-revalidate');
    if (hasUi) return reply.type('text/html').sendFile('index.html');
    return reply.type('text/html').send(MISSING_UI_PAGE);
  });
}
