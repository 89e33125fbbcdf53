/**
 * Anonymous HTTPS probes of one address and port. No credentials are ever sent; certificates are
 * not verified (Proxmox hosts use self-signed ones) because nothing secret travels and the answer
 * only says what is there. Each request has a hard deadline and a small body cap.
 */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { HttpAnswer, ProbeEvidence } from './classify.js';
import { looksLikeProxmox } from './classify.js';

const MAX_BODY = 64 * 1024;

interface RawAnswer extends HttpAnswer {
  certText?: string;
  certCN?: string;
}

function nameText(n: Record<string, unknown> | undefined): string {
  if (!n) return '';
  return Object.entries(n)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

function request(ip: string, port: number, path: string, timeoutMs: number): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: ip,
        port,
        path,
        method: 'GET',
        agent: false,
        rejectUnauthorized: false,
        timeout: timeoutMs,
        headers: { accept: 'application/json', 'user-agent': 'Pulse discovery' },
      },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate?.();
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY) chunks.push(c);
          else res.destroy();
        });
        res.on('close', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          const out: RawAnswer = { status: res.statusCode ?? 0, json };
          const server = res.headers.server;
          if (server) out.server = Array.isArray(server) ? server.join(', ') : server;
          if (cert && Object.keys(cert).length) {
            out.certText = `${nameText(cert.subject as unknown as Record<string, unknown>)}; ${nameText(cert.issuer as unknown as Record<string, unknown>)}`;
            const cn = (cert.subject as unknown as Record<string, unknown> | undefined)?.CN;
            if (typeof cn === 'string') out.certCN = cn;
          }
          resolve(out);
        });
      },
    );
    const deadline = setTimeout(() => req.destroy(new Error('timeout')), timeoutMs);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    req.on('close', () => clearTimeout(deadline));
    req.end();
  });
}

/** The evidence for classify(), or undefined when nothing (or nothing Proxmox) answers. */
export async function probeAddress(ip: string, port: number, timeoutMs: number): Promise<ProbeEvidence | undefined> {
  let version: RawAnswer;
  try {
    version = await request(ip, port, '/api2/json/version', timeoutMs);
  } catch {
    return undefined; // closed, filtered, not TLS: nothing to report
  }
  if (!looksLikeProxmox(version)) return undefined;
  const ev: ProbeEvidence = {
    version: { status: version.status, server: version.server, json: version.json },
    certText: version.certText,
    certCN: version.certCN,
  };
  try {
    const d = await request(ip, port, '/api2/json/access/domains', timeoutMs);
    ev.domains = { status: d.status, server: d.server, json: d.json };
  } catch {
    // the first answer already says it is Proxmox; the realm list is extra evidence
  }
  return ev;
}
