import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/http.js';
import { startTestPulse } from '../helpers/pulse.js';

type Pulse = Awaited<ReturnType<typeof startTestPulse>>;

const TOKEN = 'transfer-test-token-0123456789';
const PASSPHRASE = 'correct horse battery staple';
const SECRETS = {
  pvePassword: 'pve-secret-pass-1',
  pbsToken: 'pbs-token-secret-2',
  smtpPassword: 'smtp-secret-3',
  webhookHeader: 'hdr-secret-4',
  webhookUrl: 'https://hooks.example.com/services/T000/B000/webhook-secret-5',
};

/** Independent implementation of the published format, to prove compatibility both ways. */
function decryptExport(data: string, passphrase: string): string {
  const raw = Buffer.from(data, 'base64');
  const salt = raw.subarray(0, 32);
  const nonce = raw.subarray(32, 44);
  const sealed = raw.subarray(44);
  const key = pbkdf2Sync(passphrase, salt, 100_000, 32, 'sha256');
  const d = createDecipheriv('aes-256-gcm', key, nonce);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]).toString('utf8');
}

function encryptExport(plaintext: string, passphrase: string): string {
  const salt = randomBytes(32);
  const nonce = randomBytes(12);
  const key = pbkdf2Sync(passphrase, salt, 100_000, 32, 'sha256');
  const c = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()]);
  return Buffer.concat([salt, nonce, body]).toString('base64');
}

const call = (pulse: Pulse, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) =>
  api(pulse.url, method, p, body, headers);

/** Every byte SQLite keeps for this data dir (db + WAL), to prove secrets are not stored in clear. */
function storedBytes(dataDir: string): string {
  return fs
    .readdirSync(dataDir)
    .filter((f) => f.startsWith('pulse.db'))
    .map((f) => fs.readFileSync(path.join(dataDir, f)).toString('latin1'))
    .join('');
}

describe('configuration export → import', () => {
  let source: Pulse;
  let target: Pulse;
  const auth = { 'x-api-token': TOKEN };
  let exported: string;

  beforeAll(async () => {
    source = await startTestPulse({
      env: { PULSE_AUTH_USER: 'admin', PULSE_AUTH_PASS: 'source-admin-pass', API_TOKENS: TOKEN },
    });
    target = await startTestPulse();

    // Source configuration, all through the API.
    const setup: Array<[string, string, unknown]> = [
      [
        'POST',
        '/api/config/nodes',
        {
          type: 'pve',
          name: 'pve-a',
          host: 'https://127.0.0.1:1',
          user: 'root@pam',
          password: SECRETS.pvePassword,
          verifySSL: false,
          monitorVMs: false,
        },
      ],
      [
        'POST',
        '/api/config/nodes',
        {
          type: 'pbs',
          name: 'pbs-a',
          host: 'https://127.0.0.1:2',
          tokenName: 'backup@pbs!pulse',
          tokenValue: SECRETS.pbsToken,
        },
      ],
      [
        'PUT',
        '/api/alerts/config',
        { guestDefaults: { cpu: { trigger: 91, clear: 86 } }, storageDefault: { trigger: 77, clear: 70 } },
      ],
      [
        'POST',
        '/api/notifications/webhooks',
        { name: 'Ops', url: SECRETS.webhookUrl, service: 'generic', headers: { 'X-Secret': SECRETS.webhookHeader } },
      ],
      [
        'PUT',
        '/api/notifications/email',
        {
          enabled: true,
          server: 'smtp.example.com',
          port: 587,
          username: 'mailer',
          password: SECRETS.smtpPassword,
          from: 'pulse@example.com',
          to: ['ops@example.com'],
        },
      ],
      ['POST', '/api/system/settings/update', { pvePollingInterval: 30, theme: 'dark' }],
      ['PUT', '/api/guests/metadata/pve-a-n1-100', { customUrl: 'https://console.example.com/100', tags: ['prod'] }],
    ];
    for (const [method, p, body] of setup) {
      const r = await call(source, method, p, body, auth);
      expect(r.status, `${method} ${p}: ${r.text}`).toBeLessThan(300);
    }

    // Something already on the target that the import must replace.
    await call(target, 'POST', '/api/config/nodes', {
      type: 'pmg',
      name: 'old-pmg',
      host: 'https://127.0.0.1:3',
      user: 'root@pmg',
      password: 'old-pass',
    });
    await call(target, 'PUT', '/api/guests/metadata/old-guest', { description: 'old' });
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
  });

  it('export is refused without credentials when auth is configured', async () => {
    const r = await call(source, 'POST', '/api/config/export', { passphrase: PASSPHRASE });
    expect(r.status).toBe(401);
    expect(r.body.error).toBeTruthy();
  });

  it('a passphrase shorter than 12 characters → 400', async () => {
    const r = await call(source, 'POST', '/api/config/export', { passphrase: 'short-pass1' }, auth);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/12 characters/);
    const missing = await call(source, 'POST', '/api/config/export', {}, auth);
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'body.passphrase is required', field: 'passphrase' });
  });

  it('export with ?token= → {status, data} in the published format, without auth settings', async () => {
    const r = await call(source, 'POST', `/api/config/export?token=${TOKEN}`, { passphrase: PASSPHRASE });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('success');
    exported = r.body.data;
    expect(exported).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);

    const doc = JSON.parse(decryptExport(exported, PASSPHRASE));
    expect(doc.version).toBe('4.0');
    expect(Number.isFinite(Date.parse(doc.exportedAt))).toBe(true);
    expect(doc.nodes.pveInstances).toHaveLength(1);
    expect(doc.nodes.pveInstances[0]).toMatchObject({
      Name: 'pve-a',
      Host: 'https://127.0.0.1:1',
      User: 'root@pam',
      Password: SECRETS.pvePassword,
      VerifySSL: false,
      MonitorVMs: false,
      MonitorContainers: true,
      MonitorPhysicalDisks: null,
    });
    expect(doc.nodes.pbsInstances[0]).toMatchObject({
      Name: 'pbs-a',
      TokenName: 'backup@pbs!pulse',
      TokenValue: SECRETS.pbsToken,
    });
    expect(doc.nodes.pmgInstances).toEqual([]);
    expect(doc.alerts.guestDefaults.cpu).toMatchObject({ trigger: 91, clear: 86 });
    expect(doc.email).toMatchObject({ server: 'smtp.example.com', password: SECRETS.smtpPassword });
    expect(doc.webhooks[0]).toMatchObject({ name: 'Ops', url: SECRETS.webhookUrl });
    expect(doc.system.pvePollingInterval).toBe(30);
    expect(doc.guestMetadata['pve-a-n1-100'].customUrl).toBe('https://console.example.com/100');
    // Authentication is never exported.
    const plain = JSON.stringify(doc);
    expect(plain).not.toContain(TOKEN);
    expect(plain).not.toContain('source-admin-pass');
    expect(plain).not.toMatch(/\$2[aby]\$/);
  });

  it('a wrong passphrase → 400 and the target keeps its configuration', async () => {
    const before = await call(target, 'GET', '/api/config/nodes');
    const r = await call(target, 'POST', '/api/config/import', { data: exported, passphrase: 'not the right one' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/passphrase|decrypt/i);
    expect((await call(target, 'GET', '/api/config/nodes')).body).toEqual(before.body);
    expect((await call(target, 'GET', '/api/guests/metadata/old-guest')).body.description).toBe('old');
  });

  it('corrupt or tampered data → 400 and nothing changes', async () => {
    const raw = Buffer.from(exported, 'base64');
    raw[raw.length - 20] ^= 0x01;
    for (const data of ['%%% not base64 %%%', 'AAAA', raw.toString('base64'), 42]) {
      const r = await call(target, 'POST', '/api/config/import', { data, passphrase: PASSPHRASE });
      expect(r.status, String(data).slice(0, 20)).toBe(400);
    }
    // Decrypts fine, but a section is invalid: refused before anything is written.
    const doc = JSON.parse(decryptExport(exported, PASSPHRASE));
    doc.alerts.guestDefaults.cpu = { trigger: 'very high' };
    const r = await call(target, 'POST', '/api/config/import', {
      data: encryptExport(JSON.stringify(doc), PASSPHRASE),
      passphrase: PASSPHRASE,
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^alerts/);
    const nodes = (await call(target, 'GET', '/api/config/nodes')).body;
    expect(nodes.map((n: { name: string }) => n.name)).toEqual(['old-pmg']);
  });

  it('dryRun: says what would be replaced and writes nothing', async () => {
    const before = await call(target, 'GET', '/api/config/nodes');
    const r = await call(target, 'POST', '/api/config/import', {
      data: exported,
      passphrase: PASSPHRASE,
      dryRun: true,
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.preview.incoming.nodes.map((n: { name: string }) => n.name)).toEqual(['pve-a', 'pbs-a']);
    expect(r.body.preview.incoming).toMatchObject({ alerts: true, email: true, system: true });
    expect(r.body.preview.current.nodes.map((n: { name: string }) => n.name)).toEqual(['old-pmg']);
    expect(JSON.stringify(r.body)).not.toContain(SECRETS.pvePassword);
    expect((await call(target, 'GET', '/api/config/nodes')).body).toEqual(before.body);
    const wrong = await call(target, 'POST', '/api/config/import', {
      data: exported,
      passphrase: 'not the right one',
      dryRun: true,
    });
    expect(wrong.status).toBe(400);
  });

  it('import into a fresh Pulse restores nodes with secrets, alerts, webhooks, email, settings, guest metadata', async () => {
    const r = await call(target, 'POST', '/api/config/import', { data: exported, passphrase: PASSPHRASE });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      status: 'success',
      message: expect.any(String),
      summary: expect.objectContaining({ nodes: 2, alerts: true, email: true, system: true }),
    });

    const nodes = (await call(target, 'GET', '/api/config/nodes')).body;
    expect(nodes.map((n: { id: string; name: string }) => [n.id, n.name])).toEqual([
      ['pve-0', 'pve-a'],
      ['pbs-0', 'pbs-a'],
    ]);
    expect(nodes[0]).toMatchObject({ hasPassword: true, user: 'root@pam', monitorVMs: false });
    expect(nodes[1]).toMatchObject({ hasToken: true, tokenName: 'backup@pbs!pulse' });
    const nodesText = JSON.stringify(nodes);
    expect(nodesText).not.toContain(SECRETS.pvePassword);
    expect(nodesText).not.toContain(SECRETS.pbsToken);
    // The secrets really arrived (the pollers use them)…
    const stored = target.deps.monitoring.nodes.list();
    expect(stored.find((n) => n.name === 'pve-a')?.password).toBe(SECRETS.pvePassword);
    expect(stored.find((n) => n.name === 'pbs-a')?.tokenValue).toBe(SECRETS.pbsToken);

    const alerts = (await call(target, 'GET', '/api/alerts/config')).body;
    expect(alerts.guestDefaults.cpu).toMatchObject({ trigger: 91, clear: 86 });
    expect(alerts.storageDefault).toMatchObject({ trigger: 77, clear: 70 });

    const hooks = (await call(target, 'GET', '/api/notifications/webhooks')).body;
    expect(hooks).toHaveLength(1);
    expect(hooks[0].name).toBe('Ops');
    expect(JSON.stringify(hooks)).not.toContain('webhook-secret-5');
    expect(JSON.stringify(hooks)).not.toContain(SECRETS.webhookHeader);
    const hook = target.deps.notifications.store.listWebhooks()[0];
    expect(hook.url).toBe(SECRETS.webhookUrl);
    expect(hook.headers['X-Secret']).toBe(SECRETS.webhookHeader);

    const email = (await call(target, 'GET', '/api/notifications/email')).body;
    expect(email).toMatchObject({ enabled: true, server: 'smtp.example.com', password: '', passwordSet: true });

    expect((await call(target, 'GET', '/api/system/settings')).body).toMatchObject({
      pvePollingInterval: 30,
      theme: 'dark',
    });

    const meta = (await call(target, 'GET', '/api/guests/metadata')).body;
    expect(Object.keys(meta)).toEqual(['pve-a-n1-100']);
    expect(meta['pve-a-n1-100']).toEqual({
      id: 'pve-a-n1-100',
      customUrl: 'https://console.example.com/100',
      description: '',
      // The published API's names for the same two fields.
      consoleUrl: 'https://console.example.com/100',
      notes: '',
      tags: ['prod'],
    });

    // …and are encrypted at rest.
    target.deps.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = storedBytes(target.dataDir);
    for (const s of Object.values(SECRETS)) expect(bytes, s).not.toContain(s);
    const db = new Database(path.join(target.dataDir, 'pulse.db'), { readonly: true });
    try {
      const row = db.prepare("SELECT password_enc FROM monitored_nodes WHERE name = 'pve-a'").get() as {
        password_enc: string;
      };
      expect(row.password_enc.startsWith('enc:v1:')).toBe(true);
    } finally {
      db.close();
    }

    // The target's own authentication did not change: it still has none.
    expect((await call(target, 'GET', '/api/security/status')).body.requiresAuth).toBe(false);
  });

  it('imports a document in Pulse 4.24 shape (PascalCase nodes, no guestMetadata)', async () => {
    const doc = {
      version: '4.0',
      exportedAt: '2025-10-16T11:07:40.123456789+02:00',
      nodes: {
        pveInstances: [
          {
            Name: 'legacy',
            Host: '127.0.0.1:4',
            User: 'root@pam',
            Password: 'legacy-pass',
            TokenName: '',
            TokenValue: '',
            Fingerprint: '',
            VerifySSL: false,
            MonitorVMs: true,
            MonitorContainers: true,
            MonitorStorage: false,
            MonitorBackups: true,
            MonitorPhysicalDisks: null,
            IsCluster: true,
            ClusterName: 'homelab',
            ClusterEndpoints: [
              {
                NodeID: 'n1',
                NodeName: 'n1',
                Host: 'https://10.0.0.1:8006',
                IP: '10.0.0.1',
                Online: true,
                LastSeen: '2025-10-16T11:00:00Z',
              },
            ],
          },
        ],
        pbsInstances: null,
        pmgInstances: [],
      },
      webhooks: [],
      system: { pvePollingInterval: 15, pmgPollingInterval: 0, updateChannel: '', theme: '', logLevel: 'info' },
    };
    const r = await call(target, 'POST', '/api/config/import', {
      data: encryptExport(JSON.stringify(doc), PASSPHRASE),
      passphrase: PASSPHRASE,
    });
    expect(r.status, r.text).toBe(200);
    const nodes = (await call(target, 'GET', '/api/config/nodes')).body;
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({
      id: 'pve-0',
      name: 'legacy',
      host: 'https://127.0.0.1:4',
      hasPassword: true,
      monitorStorage: false,
      isCluster: true,
      clusterName: 'homelab',
    });
    expect((await call(target, 'GET', '/api/notifications/webhooks')).body).toEqual([]);
    const system = (await call(target, 'GET', '/api/system/settings')).body;
    expect(system).toMatchObject({ pvePollingInterval: 15, pmgPollingInterval: 60, logLevel: 'info' });
    expect(system).not.toHaveProperty('theme');
    // Sections the document does not carry are left alone.
    expect(Object.keys((await call(target, 'GET', '/api/guests/metadata')).body)).toEqual(['pve-a-n1-100']);
  });
});

describe('export without any authentication configured', () => {
  let pulse: Pulse;
  beforeAll(async () => {
    pulse = await startTestPulse();
  });
  afterAll(() => pulse.close());

  it('is allowed from a private address (loopback here)', async () => {
    const r = await call(pulse, 'POST', '/api/config/export', { passphrase: PASSPHRASE });
    expect(r.status).toBe(200);
    const doc = JSON.parse(decryptExport(r.body.data, PASSPHRASE));
    expect(doc.nodes).toEqual({ pveInstances: [], pbsInstances: [], pmgInstances: [] });
  });

  it('import body must carry data and passphrase', async () => {
    expect((await call(pulse, 'POST', '/api/config/import', { passphrase: PASSPHRASE })).status).toBe(400);
    expect((await call(pulse, 'POST', '/api/config/import', { data: 'AAAA' })).status).toBe(400);
    expect((await call(pulse, 'POST', '/api/config/import', [1])).status).toBe(400);
  });
});
