import { describe, expect, it } from 'vitest';
import { assertRouteSchema, schemaGaps } from './route-schema-rule.js';

const ok = { type: 'object' };

describe('route schema rule', () => {
  it('accepts a complete route', () => {
    expect(schemaGaps({ method: 'GET', url: '/api/x', schema: { response: { 200: ok } } })).toEqual([]);
    expect(
      schemaGaps({
        method: ['POST', 'PUT'],
        url: '/api/x/:id',
        schema: { params: ok, body: ok, response: { 204: ok } },
      }),
    ).toEqual([]);
  });

  it('names what is missing', () => {
    expect(schemaGaps({ method: 'GET', url: '/api/x' })).toEqual([
      'a response schema for its success status (2xx, or 3xx for a redirect)',
    ]);
    expect(schemaGaps({ method: 'GET', url: '/api/x', schema: { response: { 400: ok } } })).toEqual([
      'a response schema for its success status (2xx, or 3xx for a redirect)',
    ]);
    expect(schemaGaps({ method: 'DELETE', url: '/api/x/*', schema: { response: { 200: ok } } })).toEqual([
      'a schema for its path parameters',
    ]);
    expect(schemaGaps({ method: 'PUT', url: '/api/x', schema: { response: { 200: ok } } })).toEqual([
      'a schema for its request body',
    ]);
  });

  it('refuses registration with a message naming the route', () => {
    expect(() => assertRouteSchema({ method: 'POST', url: '/api/y', schema: { response: { 200: ok } } })).toThrow(
      'route POST /api/y lacks a schema for its request body',
    );
  });
});
