import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST_TAGS_MAX } from '../../src/schemas/guest-metadata.js';
import { startTestPulse, tempDir } from '../helpers/pulse.js';

type Pulse = Awaited<ReturnType<typeof startTestPulse>>;

const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('guest metadata', () => {
  const dataDir = tempDir();
  let pulse: Pulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ dataDir });
  });
  afterAll(() => pulse.close());

  const api = (path: string, init?: RequestInit) => fetch(`${pulse.url}/api/guests/metadata${path}`, init);

  it('an unknown guest has empty metadata and tags null; the list starts empty', async () => {
    const res = await api('/pve1-node1-100');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: 'pve1-node1-100',
      customUrl: '',
      description: '',
      consoleUrl: '',
      notes: '',
      tags: null,
    });
    expect(await (await api('')).json()).toEqual({});
  });

  it('PUT stores and returns the object; GET one and GET all read it back', async () => {
    const put = await api('/pve1-node1-100', {
      method: 'PUT',
      ...json({ customUrl: 'https://console.example.com/vm/100', description: 'db server', tags: ['prod', 'db'] }),
    });
    expect(put.status).toBe(200);
    const stored = {
      id: 'pve1-node1-100',
      customUrl: 'https://console.example.com/vm/100',
      description: 'db server',
      consoleUrl: 'https://console.example.com/vm/100',
      notes: 'db server',
      tags: ['prod', 'db'],
    };
    expect(await put.json()).toEqual(stored);
    expect(await (await api('/pve1-node1-100')).json()).toEqual(stored);
    expect(await (await api('')).json()).toEqual({ 'pve1-node1-100': stored });
  });

  it('POST works too, and the published example spelling (consoleUrl, notes) by node/vmid reads back under both names', async () => {
    const res = await api('/pve-node/101', {
      method: 'POST',
      ...json({ consoleUrl: 'http://10.0.0.5:8080/', notes: 'Production database server' }),
    });
    expect(res.status).toBe(200);
    // No such guest in the state: the id falls back to <node>-<vmid>.
    expect(await res.json()).toEqual({
      id: 'pve-node-101',
      customUrl: 'http://10.0.0.5:8080/',
      description: 'Production database server',
      consoleUrl: 'http://10.0.0.5:8080/',
      notes: 'Production database server',
      tags: null,
    });
    expect((await (await api('/pve-node-101')).json()).description).toBe('Production database server');
    expect(await (await api('/pve-node/101')).json()).toMatchObject({
      customUrl: 'http://10.0.0.5:8080/',
      consoleUrl: 'http://10.0.0.5:8080/',
      notes: 'Production database server',
    });
    expect((await (await api('')).json())['pve-node-101'].notes).toBe('Production database server');
  });

  it.each([
    ['javascript:alert(1)', 'http or https'],
    ['ftp://files.example.com/x', 'http or https'],
    ['not a url', 'valid'],
    ['http://', 'valid'],
  ])('customUrl %s → 400 with an error message', async (customUrl, msg) => {
    const res = await api('/pve1-node1-102', { method: 'PUT', ...json({ customUrl }) });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toContain(msg);
    // Nothing was stored.
    expect((await (await api('/pve1-node1-102')).json()).customUrl).toBe('');
  });

  it('bad bodies → 400, never 500', async () => {
    for (const body of [[1, 2], 'text', { tags: 'a'.repeat(200) }, { tags: [1] }, { description: 5 }]) {
      const res = await api('/pve1-node1-103', { method: 'PUT', ...json(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(typeof (await res.json()).error).toBe('string');
    }
    expect((await api('/node/abc', { method: 'PUT', ...json({}) })).status).toBe(400);
  });

  it('at most GUEST_TAGS_MAX tags, as a list or as comma-separated text → 400 naming tags', async () => {
    const many = Array.from({ length: GUEST_TAGS_MAX + 1 }, (_, i) => `t${i}`);
    for (const tags of [many, many.join(',')]) {
      const res = await api('/pve1-node1-106', { method: 'PUT', ...json({ tags }) });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(/^(body\.)?tags /);
    }
    const ok = await api('/pve1-node1-106', { method: 'PUT', ...json({ tags: many.slice(1).join(',') }) });
    expect((await ok.json()).tags).toHaveLength(GUEST_TAGS_MAX);
  });

  it('an empty customUrl clears it', async () => {
    await api('/pve1-node1-104', { method: 'PUT', ...json({ customUrl: 'https://a.example.com' }) });
    const res = await api('/pve1-node1-104', { method: 'PUT', ...json({ customUrl: '', description: 'x' }) });
    expect(await res.json()).toMatchObject({ customUrl: '', description: 'x' });
  });

  it('DELETE → 204, then the guest reads as empty again', async () => {
    await api('/pve1-node1-105', { method: 'PUT', ...json({ description: 'gone soon' }) });
    const del = await api('/pve1-node1-105', { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    expect(await (await api('/pve1-node1-105')).json()).toEqual({
      id: 'pve1-node1-105',
      customUrl: '',
      description: '',
      consoleUrl: '',
      notes: '',
      tags: null,
    });
  });

  it('survives a restart', async () => {
    await pulse.close();
    pulse = await startTestPulse({ dataDir });
    expect(await (await api('/pve1-node1-100')).json()).toEqual({
      id: 'pve1-node1-100',
      customUrl: 'https://console.example.com/vm/100',
      description: 'db server',
      consoleUrl: 'https://console.example.com/vm/100',
      notes: 'db server',
      tags: ['prod', 'db'],
    });
  });
});

describe('guest metadata with authentication', () => {
  let pulse: Pulse;
  const token = 'a'.repeat(8) + 'b'.repeat(56);
  beforeAll(async () => {
    pulse = await startTestPulse({
      env: { PULSE_AUTH_USER: 'admin', PULSE_AUTH_PASS: 'correct-horse-1', API_TOKENS: token },
    });
  });
  afterAll(() => pulse.close());

  it('writes need credentials; a token works', async () => {
    const url = `${pulse.url}/api/guests/metadata/pve1-n1-100`;
    expect((await fetch(url, { method: 'PUT', ...json({ description: 'x' }) })).status).toBe(401);
    const ok = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-token': token },
      body: JSON.stringify({ description: 'x' }),
    });
    expect(ok.status).toBe(200);
  });
});
