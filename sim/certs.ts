/**
 * Self-signed certificates, one per simulated server. Built directly in DER with node:crypto
 * (EC P-256, ecdsa-with-SHA256): about a millisecond each, so the 200-node estate starts fast.
 */
import crypto from 'node:crypto';

export interface ServerCert {
  key: string;
  cert: string;
  /** SHA-256 in uppercase colon hex, as `getPeerCertificate().fingerprint256` reports it. */
  fingerprint: string;
}

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let x = n; x > 0; x >>= 8) bytes.unshift(x & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

const seq = (...p: Buffer[]) => tlv(0x30, ...p);

function oid(dotted: string): Buffer {
  const nums = dotted.split('.').map(Number);
  const out = [40 * nums[0] + nums[1]];
  for (const n of nums.slice(2)) {
    const chunk: number[] = [n & 0x7f];
    for (let x = n >> 7; x > 0; x >>= 7) chunk.unshift((x & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

function name(cn: string): Buffer {
  return seq(
    tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))),
    tlv(0x31, seq(oid('2.5.4.10'), tlv(0x0c, Buffer.from('Pulse simulator', 'utf8')))),
  );
}

function ipBytes(ip: string): Buffer | null {
  const parts = ip.split('.').map(Number);
  return parts.length === 4 && parts.every((n) => Number.isInteger(n) && n >= 0 && n < 256) ? Buffer.from(parts) : null;
}

export async function makeCert(commonName: string, host: string): Promise<ServerCert> {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const serial = crypto.randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive and minimally encoded
  const sigAlg = seq(oid('1.2.840.10045.4.3.2'));
  const now = Date.now();
  const altNames = [tlv(0x82, Buffer.from(commonName, 'ascii')), tlv(0x82, Buffer.from('localhost', 'ascii'))];
  const ip = ipBytes(host);
  if (ip) altNames.push(tlv(0x87, ip));
  const extensions = tlv(
    0xa3,
    seq(
      seq(oid('2.5.29.19'), tlv(0x04, seq())),
      seq(oid('2.5.29.37'), tlv(0x04, seq(oid('1.3.6.1.5.5.7.3.1')))),
      seq(oid('2.5.29.17'), tlv(0x04, seq(...altNames))),
    ),
  );
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    sigAlg,
    name(commonName),
    seq(utcTime(new Date(now - 86400_000)), utcTime(new Date(now + 2 * 365 * 86400_000))),
    name(commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = crypto.sign('sha256', tbs, privateKey);
  const der = seq(tbs, sigAlg, tlv(0x03, Buffer.from([0]), signature));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  const cert = `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { key, cert, fingerprint: new crypto.X509Certificate(cert).fingerprint256 };
}
