/**
 * Request validators are compiled on a route's first request (src/http/validation.ts), so a schema
 * ajv cannot compile would only show when that route is first called: this compiles every route's
 * request schemas up front, as start-up used to.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';

const seen = vi.hoisted(() => [] as Array<{ schema: unknown; httpPart?: string; url: string; method: string }>);

vi.mock('../../src/http/validation.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/http/validation.js')>();
  return {
    ...real,
    validatorCompiler: () => {
      const compile = real.validatorCompiler();
      return (route: Parameters<typeof compile>[0] & { url: string; method: string }) => {
        seen.push(route);
        return compile(route);
      };
    },
  };
});

describe('route request schemas', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse();
  });
  afterAll(() => pulse?.close());

  it('every one compiles with the settings requests are validated with', async () => {
    const { makeAjv } = await import('../../src/http/validation.js');
    const text = makeAjv('array');
    const json = makeAjv(false);
    expect(seen.length).toBeGreaterThan(50);
    const broken: string[] = [];
    for (const r of seen) {
      try {
        (r.httpPart === 'body' ? json : text).compile(r.schema as object);
      } catch (err) {
        broken.push(`${r.method} ${r.url} ${r.httpPart}: ${(err as Error).message}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
