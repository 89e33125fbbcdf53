/**
 * The Proxmox client with `verifySSL` against a certificate the system trusts: accepted under the
 * name it was issued for, refused under another name with the presented fingerprint. Node reads
 * its trusted certificates once, at start-up, so the client runs in a child process started with
 * NODE_EXTRA_CA_CERTS naming the test's certificate.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/version.js';
import { tempDir } from '../helpers/pulse.js';

interface Outcome {
  ok: boolean;
  version?: string;
  kind?: string;
  message?: string;
  presented?: string;
}

let server: https.Server;
let port: number;
let certFile: string;
let fingerprint: string;

beforeAll(async () => {
  // Issued for the name `localhost` only (no IP address among its names).
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] },
    ],
  });
  fingerprint = new crypto.X509Certificate(pems.cert).fingerprint256;
  certFile = path.join(tempDir('trusted-ca-'), 'server.pem');
  fs.writeFileSync(certFile, pems.cert);
  server = https.createServer({ key: pems.private, cert: pems.cert }, (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"data":{"version":"9.0.10","release":"9.0"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(path.dirname(certFile), { recursive: true, force: true });
});

/** Runs the client in a fresh Node that trusts the test's certificate; one outcome per host. */
function clientOutcomes(hosts: string[]): Promise<Record<string, Outcome>> {
  const clientUrl = pathToFileURL(path.join(PROJECT_ROOT, 'src/proxmox/client.ts')).href;
  const script = `
    const { ProxmoxClient } = await import(${JSON.stringify(clientUrl)});
    const out = {};
    for (const host of ${JSON.stringify(hosts)}) {
      const c = new ProxmoxClient({ product: 'pve', baseUrl: 'https://' + host + ':${port}', verifySSL: true,
        timeoutMs: 5000, tokenId: 'mon@pve!t', tokenSecret: 'secret' });
      try {
        out[host] = { ok: true, version: (await c.get('/version')).version };
      } catch (err) {
        out[host] = { ok: false, kind: err.kind, message: err.message, presented: err.presentedFingerprint };
      }
      await c.close();
    }
    process.stdout.write(JSON.stringify(out));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`client process exited with ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

describe('verifySSL with a trusted certificate', () => {
  it('is accepted under its own name and refused under another, with the presented fingerprint', async () => {
    const out = await clientOutcomes(['localhost', '127.0.0.1']);
    expect(out.localhost).toEqual({ ok: true, version: '9.0.10' });
    expect(out['127.0.0.1']).toMatchObject({ ok: false, kind: 'tls', presented: fingerprint });
    // Node's own check of the name (the socket's authorizationError) or the client's.
    expect(out['127.0.0.1'].message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|does not match its name/);
  }, 30_000);
});
