/**
 * Dependencies that only a rarely used feature needs are not loaded when Pulse starts
 * (docs/ARCHITECTURE.md, Conventions): each is recorded here when it is imported.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPulse, type TestPulse } from './helpers/pulse.js';

const TOKEN = 'c3'.repeat(32);
const loaded = vi.hoisted(() => new Set<string>());

vi.mock('nodemailer', async (real) => {
  loaded.add('nodemailer');
  return real();
});
vi.mock('ssh2', async (real) => {
  loaded.add('ssh2');
  return real();
});
vi.mock('openid-client', async (real) => {
  loaded.add('openid-client');
  return real();
});
vi.mock('prom-client', async (real) => {
  loaded.add('prom-client');
  return real();
});

describe('rarely used dependencies', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    // Not the metrics helpers: they bring the simulator, whose SSH server imports ssh2.
    pulse = await startTestPulse({ env: { API_TOKENS: TOKEN } });
  });
  afterAll(() => pulse?.close());

  it('are not loaded at start', () => {
    expect([...loaded]).toEqual([]);
  });

  it('prom-client is loaded by the first scrape, which answers in full', async () => {
    const res = await fetch(`${pulse.url}/metrics`, { headers: { 'x-api-token': TOKEN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('pulse_build_info{');
    expect(text).toContain('process_resident_memory_bytes');
    expect([...loaded]).toEqual(['prom-client']);
  });
});
