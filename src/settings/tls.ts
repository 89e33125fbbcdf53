/**
 * Built-in HTTPS (HTTPS_ENABLED, TLS_CERT_FILE, TLS_KEY_FILE): the certificate and key are read
 * and checked at start — an unreadable file, a file that is not PEM, or a key that does not belong
 * to the certificate is a SettingsError naming the file (main.ts: exit code 2) — and watched
 * afterwards, so a renewed certificate (certbot, acme.sh) is served without a restart. A renewal
 * that cannot be used is logged and the previous certificate stays in service.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type tls from 'node:tls';
import type { Logger } from '../logging.js';
import { type Settings, SettingsError } from './env.js';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  x509: crypto.X509Certificate;
}

export interface TlsStatus {
  enabled: boolean;
  certFile?: string;
  keyFile?: string;
  subject?: string;
  issuer?: string;
  subjectAltName?: string;
  /** RFC 2822 dates as OpenSSL prints them, plus ISO copies for scripts. */
  validFrom?: string;
  validTo?: string;
  expiresAt?: string;
  fingerprint256?: string;
  /** When the certificate in service was read (ISO). */
  loadedAt?: string;
  /** Why the last change of the files could not be used (the old certificate is still served). */
  reloadError?: string;
}

function readFile(variable: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new SettingsError(variable, `cannot read ${file} (${code})`);
  }
}

/** Reads and checks the certificate and key; errors name the variable and the file. */
export function loadTlsMaterial(certFile: string, keyFile: string): TlsMaterial {
  const cert = readFile('TLS_CERT_FILE', certFile);
  const key = readFile('TLS_KEY_FILE', keyFile);
  let x509: crypto.X509Certificate;
  try {
    x509 = new crypto.X509Certificate(cert);
  } catch {
    throw new SettingsError('TLS_CERT_FILE', `${certFile} does not hold a PEM certificate`);
  }
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(key);
  } catch {
    throw new SettingsError('TLS_KEY_FILE', `${keyFile} does not hold a PEM private key (or it is encrypted)`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new SettingsError('TLS_KEY_FILE', `${keyFile} is not the key of the certificate in ${certFile}`);
  }
  return { cert, key, x509 };
}

/** How often the files are checked for changes (stat polling survives rename-into-place). */
const WATCH_INTERVAL_MS = 1000;

export class TlsService {
  readonly enabled: boolean;
  readonly #certFile?: string;
  readonly #keyFile?: string;
  readonly #logger: Logger;
  #material?: TlsMaterial;
  #loadedAt?: Date;
  #reloadError?: string;
  #server?: tls.Server;
  #watching = false;
  /** Reloads so far (tests wait on it rather than on time). */
  reloads = 0;

  readonly #now: () => number;

  constructor(settings: Settings, logger: Logger, now: () => number = Date.now) {
    this.#now = now;
    this.enabled = settings.httpsEnabled;
    this.#certFile = settings.tlsCertFile;
    this.#keyFile = settings.tlsKeyFile;
    this.#logger = logger;
  }

  /** Reads the files at start; throws SettingsError naming the file when they are unusable. */
  load(): TlsMaterial | undefined {
    if (!this.enabled || !this.#certFile || !this.#keyFile) return undefined;
    this.#material = loadTlsMaterial(this.#certFile, this.#keyFile);
    this.#loadedAt = new Date(this.#now());
    this.#warnIfExpired(this.#material.x509);
    return this.#material;
  }

  /** Starts watching the files; changes are put into `server` with setSecureContext. */
  watch(server: tls.Server): void {
    if (!this.enabled || !this.#certFile || !this.#keyFile || this.#watching) return;
    this.#server = server;
    this.#watching = true;
    const onChange = (curr: fs.Stats, prev: fs.Stats) => {
      if (curr.mtimeMs !== prev.mtimeMs || curr.ino !== prev.ino || curr.size !== prev.size) this.reload();
    };
    fs.watchFile(this.#certFile, { interval: WATCH_INTERVAL_MS, persistent: false }, onChange);
    fs.watchFile(this.#keyFile, { interval: WATCH_INTERVAL_MS, persistent: false }, onChange);
  }

  /** Reads the files again; on success the server hands out the new certificate to new connections. */
  reload(): boolean {
    if (!this.#certFile || !this.#keyFile) return false;
    try {
      const m = loadTlsMaterial(this.#certFile, this.#keyFile);
      if (
        this.#material &&
        m.x509.fingerprint256 === this.#material.x509.fingerprint256 &&
        m.key.equals(this.#material.key)
      ) {
        this.#reloadError = undefined;
        return false;
      }
      this.#server?.setSecureContext({ cert: m.cert, key: m.key });
      this.#material = m;
      this.#loadedAt = new Date(this.#now());
      this.#reloadError = undefined;
      this.reloads++;
      this.#logger.info(
        { certFile: this.#certFile, fingerprint256: m.x509.fingerprint256 },
        'TLS certificate reloaded',
      );
      this.#warnIfExpired(m.x509);
      return true;
    } catch (err) {
      // Between the writes of a renewal the pair may not match yet; the next change retries.
      this.#reloadError = err instanceof Error ? err.message : String(err);
      this.#logger.warn(
        { err: this.#reloadError },
        'TLS certificate change not applied; still serving the previous one',
      );
      return false;
    }
  }

  stop(): void {
    if (!this.#watching) return;
    this.#watching = false;
    if (this.#certFile) fs.unwatchFile(this.#certFile);
    if (this.#keyFile) fs.unwatchFile(this.#keyFile);
  }

  status(): TlsStatus {
    if (!this.enabled) return { enabled: false };
    const x = this.#material?.x509;
    return {
      enabled: true,
      certFile: this.#certFile,
      keyFile: this.#keyFile,
      ...(x
        ? {
            subject: x.subject,
            issuer: x.issuer,
            subjectAltName: x.subjectAltName,
            validFrom: x.validFrom,
            validTo: x.validTo,
            expiresAt: new Date(x.validTo).toISOString(),
            fingerprint256: x.fingerprint256,
          }
        : {}),
      loadedAt: this.#loadedAt?.toISOString(),
      ...(this.#reloadError ? { reloadError: this.#reloadError } : {}),
    };
  }

  #warnIfExpired(x: crypto.X509Certificate): void {
    if (Date.parse(x.validTo) < this.#now()) {
      this.#logger.warn({ certFile: this.#certFile, validTo: x.validTo }, 'the TLS certificate has expired');
    }
  }
}
