/**
 * The published API's own curl and Python examples (../shared/spec/pulse-api.md), taken from the
 * document as they are printed and run with only the address and the token replaced, against a
 * real Pulse in API-token mode. Each example that writes is followed by reading back what it wrote.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitSynthetic } from '../../bench/state-fixture.js';
import { PROJECT_ROOT } from '../../src/version.js';
import { startTestPulse } from '../helpers/pulse.js';
import { settle } from '../ws/client.js';

const DOC = process.env.PULSE_API_DOC ?? path.resolve(PROJECT_ROOT, '..', 'shared', 'spec', 'pulse-api.md');
const TOKEN = 'script-token-7f3a9c2e5b1d';

/** The document's fenced code blocks of one language, in order. */
function blocks(lang: 'bash' | 'python'): string[] {
  const text = fs.readFileSync(DOC, 'utf8');
  const out: string[] = [];
  const re = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]);
  return out;
}

/** The one block containing `marker` (the test fails if the document no longer has it). */
function example(lang: 'bash' | 'python', marker: string): string {
  const found = blocks(lang).filter((b) => b.includes(marker));
  expect(found, `${lang} example with ${marker}`).toHaveLength(1);
  return found[0];
}

/**
 * The stored copy of the document lost the leading whitespace of every code line, which Python
 * needs: the body of a `for …:` is put back under it (4 spaces, up to the next blank line).
 * Nothing else of the example changes.
 */
function restoreIndent(script: string): string {
  let inBlock = false;
  return script
    .split('\n')
    .map((line) => {
      if (line.trim() === '') inBlock = false;
      const out = inBlock && !/^\s/.test(line) ? `    ${line}` : line;
      if (/^\s*(for|if|while|with|def)\b.*:\s*$/.test(line)) inBlock = true;
      return out;
    })
    .join('\n');
}

function run(cmd: string, args: string[], input?: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, out: String(stdout), err: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

// The published document lives beside the project, not in it: a clone on its own cannot run these.
if (!fs.existsSync(DOC)) console.warn(`client-script tests not run: ${DOC} is missing (set PULSE_API_DOC)`);

describe.skipIf(!fs.existsSync(DOC))('published client examples, run verbatim', { timeout: 120_000 }, () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  /** The example text with our address and token in place of the document's placeholders. */
  let localise: (script: string) => string;
  const get = async (p: string) =>
    (await fetch(`${pulse.url}${p}`, { headers: { 'X-API-Token': TOKEN } })).json() as Promise<any>;

  beforeAll(async () => {
    pulse = await startTestPulse({ env: { API_TOKENS: TOKEN } });
    await settle();
    localise = (script) =>
      script
        .replaceAll('http://localhost:7655', pulse.url)
        .replace(/your-secure-token|your-api-token|your-token/g, TOKEN);
  });
  afterAll(() => pulse?.close());

  it('the Python example prints the health status and every node of /api/state', async () => {
    commitSynthetic(pulse.deps.state, { nodes: 2, guestsPerNode: 1, now: Date.now() });
    const script = restoreIndent(localise(example('python', 'import requests')));
    expect(script).toContain(pulse.url);
    const r = await run('python3', ['-'], script);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('Status: healthy');
    const nodes = pulse.deps.state.get().nodes;
    expect(nodes.length).toBe(2);
    expect(lines.slice(1)).toEqual(nodes.map((n) => `Node: ${n.name} - ${n.status}`));
  });

  it('"Using Authentication": the token header reaches /api/health', async () => {
    const script = localise(example('bash', 'curl -H "X-API-Token: your-secure-token"'));
    const r = await run('bash', ['-c', script]);
    // The first command is the health check; the next replies follow it on the same stream.
    expect(JSON.parse(firstJsonValue(r.out))).toMatchObject({ status: 'healthy' });
  });

  it('"Add Node Example" adds the node, and GET /api/config/nodes lists it', async () => {
    const r = await run('bash', ['-c', localise(example('bash', '"name": "My PVE Node"'))]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ status: 'success' });
    const nodes = await get('/api/config/nodes');
    expect(nodes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'pve',
          name: 'My PVE Node',
          host: 'https://192.168.1.100:8006',
          user: 'monitor@pve',
          hasPassword: true,
          verifySSL: false,
        }),
      ]),
    );
  });

  it('"Create Webhook Example" and "Custom Payload Template Example" are stored and listed', async () => {
    for (const [marker, name] of [
      ['"name": "Discord Alert"', 'Discord Alert'],
      ['"name": "Custom Webhook"', 'Custom Webhook'],
    ] as const) {
      const r = await run('bash', ['-c', localise(example('bash', marker))]);
      expect(r.code, name).toBe(0);
      expect(JSON.parse(r.out), name).toMatchObject({ name });
    }
    const hooks: Array<Record<string, unknown>> = await get('/api/notifications/webhooks');
    expect(hooks.find((h) => h.name === 'Discord Alert')).toMatchObject({
      // Replies mask every secret part of a webhook URL (the id and token of Discord's format).
      url: 'https://discord.com/api/webhooks/********/********',
      service: 'discord',
      enabled: true,
    });
    expect(hooks.find((h) => h.name === 'Custom Webhook')).toMatchObject({
      service: 'generic',
      template: '{"alert": "{{.Level}}: {{.Message}}", "value": {{.Value}}}',
    });
  });

  it('the guest metadata example writes consoleUrl/notes, which read back under those names', async () => {
    const r = await run('bash', ['-c', localise(example('bash', 'api/guests/metadata/pve-node/100'))]);
    expect(r.code).toBe(0);
    const expected = {
      consoleUrl: 'https://custom-console.example.com/vm/100',
      notes: 'Production database server',
    };
    expect(JSON.parse(r.out)).toMatchObject(expected);
    expect(await get('/api/guests/metadata/pve-node/100')).toMatchObject(expected);
  });

  it('the examples need the token: without it the same write is refused', async () => {
    const script = localise(example('bash', '"name": "Discord Alert"')).replace(/-H "X-API-Token: [^"]+"/, '');
    const r = await run('bash', ['-c', `${script.trim()} -o /dev/null -w '%{http_code}'`]);
    expect(r.out.trim()).toBe('401');
  });
});

/** The first JSON object of a stream of replies (curl prints them back to back). */
function firstJsonValue(out: string): string {
  let depth = 0;
  let inString = false;
  for (let i = out.indexOf('{'); i >= 0 && i < out.length; i++) {
    const ch = out[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return out.slice(out.indexOf('{'), i + 1);
  }
  return out;
}
