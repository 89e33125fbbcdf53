/**
 * /api/openapi.json is a valid OpenAPI 3.1 document (checked by a real validator) that lists every
 * registered /api route, and /api/docs renders it; both are public.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPulse } from '../../src/server.js';
import { startTestPulse } from '../helpers/pulse.js';

/** Fastify's `/a/:id/*` as OpenAPI's `/a/{id}/{*}`, the way @fastify/swagger writes it. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{*}');

describe('OpenAPI document', () => {
  let pulse: RunningPulse;
  beforeAll(async () => {
    pulse = await startTestPulse();
  });
  afterAll(() => pulse.close());

  it('is served without credentials and validates as OpenAPI 3.1', async () => {
    const res = await fetch(`${pulse.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every registered /api route with its method', async () => {
    const doc = (await (await fetch(`${pulse.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const missing = pulse.routes
      .filter((r) => r.url.startsWith('/api') && r.method !== 'HEAD')
      .filter((r) => !doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()])
      .map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    // Nothing outside /api (web UI files, /ws) leaks into the document.
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith('/api'))).toEqual([]);
  });

  it('marks public routes as needing no credentials and others as signed in', async () => {
    const doc = await (await fetch(`${pulse.url}/api/openapi.json`)).json();
    expect(doc.paths['/api/health'].get.security).toEqual([]);
    expect(doc.paths['/api/state'].get.security.length).toBeGreaterThan(0);
    expect(
      doc.paths['/api/health'].get.responses['200'].content['application/json'].schema.properties.status,
    ).toBeTruthy();
  });

  it('describes the permission doctor of each diagnosed instance, not an open object', async () => {
    const doc = await (await fetch(`${pulse.url}/api/openapi.json`)).json();
    const reply = doc.paths['/api/diagnostics'].get.responses['200'].content['application/json'].schema;
    const permissions = reply.properties.nodes.items.properties.permissions;
    expect(permissions.required).toEqual(['features', 'missing']);
    expect(Object.keys(permissions.properties.features.items.properties)).toContain('evidence');
  });

  it('renders a readable page at /api/docs', async () => {
    const res = await fetch(`${pulse.url}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('<code>/api/health</code>');
    expect(html).toContain('href="/api/openapi.json"');
    // The page carries no script, so the Content-Security-Policy never blocks it.
    expect(html).not.toMatch(/<script/i);
  });
});
