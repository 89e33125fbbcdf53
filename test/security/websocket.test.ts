/**
 * The gate on the WebSocket upgrade: `/ws` with guard 'authenticated' accepts a session cookie,
 * X-API-Token or `?token=`, and refuses an upgrade without credentials with a 401 before any
 * socket is attached. Runs on a minimal Fastify with only the gate and a /ws echo route (so it
 * does not depend on the hub), and also against Pulse's own /ws when that route exists.
 */
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { systemClock } from '../../src/clock.js';
import { openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/logging.js';
import { registerSecurityGate } from '../../src/security/gate.js';
import { SecurityService } from '../../src/security/security-service.js';
import { loadSettings } from '../../src/settings/env.js';
import { startTestPulse, type TestPulse, tempDir } from '../helpers/pulse.js';
import { ADMIN, ADMIN_PASS, Client, passwordEnv } from '../helpers/session.js';

const TOKEN = 'c0ffee'.repeat(10) + 'beef';

/** Resolves with 'open' or the HTTP status of a refused upgrade. */
function tryUpgrade(url: string, headers: Record<string, string> = {}): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (!String(err.message).includes('Unexpected server response')) reject(err);
    });
  });
}

describe('WebSocket upgrade through the gate (minimal app)', () => {
  let app: FastifyInstance;
  let base: string;
  let security: SecurityService;
  beforeAll(async () => {
    const dataDir = tempDir('pulse-ws-');
    const settings = loadSettings({
      PULSE_DATA_DIR: dataDir,
      PULSE_BCRYPT_COST: '4',
      ...passwordEnv,
      API_TOKENS: TOKEN,
    });
    const db = openDatabase(dataDir);
    const logger = createLogger({ level: 'silent' });
    security = await SecurityService.create({ db, settings, clock: systemClock, logger });
    app = Fastify();
    registerSecurityGate(app, security);
    await app.register(fastifyWebsocket);
    app.get('/ws', { websocket: true, config: { guard: 'authenticated' } }, (socket) => {
      socket.send('hello');
    });
    app.addHook('onClose', async () => {
      db.close();
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    base = `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(() => app.close());

  it('refuses an upgrade without credentials (401)', async () => {
    expect(await tryUpgrade(`ws://${base}/ws`)).toBe(401);
    expect(await tryUpgrade(`ws://${base}/ws?token=${'0'.repeat(64)}`)).toBe(401);
  });

  it('accepts ?token=, X-API-Token and a session cookie', async () => {
    expect(await tryUpgrade(`ws://${base}/ws?token=${TOKEN}`)).toBe('open');
    expect(await tryUpgrade(`ws://${base}/ws`, { 'x-api-token': TOKEN })).toBe('open');
    const login = await security.login(ADMIN, ADMIN_PASS, '127.0.0.1');
    if (login.kind !== 'ok') throw new Error(`login failed: ${login.kind}`);
    const { sessionId } = login.session;
    expect(sessionId).toMatch(/^[0-9a-f]{64}$/);
    expect(await tryUpgrade(`ws://${base}/ws`, { cookie: `pulse_session=${sessionId}` })).toBe('open');
  });
});

describe("Pulse's own /ws (when the WebSocket area is registered)", () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { ...passwordEnv, API_TOKENS: TOKEN } });
  });
  afterAll(() => pulse.close());

  it('is guarded and honours ?token= and the session cookie', async (ctx) => {
    if (!pulse.routes.some((r) => r.method === 'GET' && r.url === '/ws')) ctx.skip();
    const wsBase = pulse.url.replace('http://', 'ws://');
    expect(await tryUpgrade(`${wsBase}/ws`)).toBe(401);
    expect(await tryUpgrade(`${wsBase}/ws?token=${TOKEN}`)).toBe('open');
    const c = new Client(pulse.url);
    await c.login();
    expect(await tryUpgrade(`${wsBase}/ws`, { cookie: `pulse_session=${c.cookie('pulse_session')}` })).toBe('open');
  });
});
