/** Self-signed certificates, one per simulated server (EC P-256: fast to generate). */
import crypto from 'node:crypto';
import selfsigned from 'selfsigned';

export interface ServerCert {
  key: string;
  cert: string;
  /** SHA-256 in uppercase colon hex, as `getPeerCertificate().fingerprint256` reports it. */
  fingerprint: string;
}

export async function makeCert(commonName: string, host: string): Promise<ServerCert> {
  const now = new Date();
  const pems = await selfsigned.generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 86400_000),
    notAfterDate: new Date(now.getTime() + 2 * 365 * 86400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: commonName },
          { type: 2, value: 'localhost' },
          { type: 7, ip: host },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert, fingerprint: new crypto.X509Certificate(pems.cert).fingerprint256 };
}
