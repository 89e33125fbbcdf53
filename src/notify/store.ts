/**
 * Persistence of notification configuration: webhooks, email settings, pipeline settings.
 * Everything secret (webhook URLs, which often embed tokens; header values; custom fields; the
 * SMTP password) is encrypted with the SecretBox before it reaches SQLite.
 */
import type { Database } from 'better-sqlite3';
import type { SecretBox } from '../crypto/secret-box.js';
import type { EmailConfig, NotificationSettings, WebhookConfig, WebhookService } from '../model/notifications.js';

export interface StoredEmail extends EmailConfig {
  skipTlsVerify: boolean;
}

export const DEFAULT_EMAIL: StoredEmail = {
  enabled: false,
  provider: '',
  server: '',
  port: 587,
  username: '',
  password: '',
  from: '',
  to: [],
  tls: false,
  startTLS: true,
  skipTlsVerify: false,
};

export const DEFAULT_SETTINGS: NotificationSettings = {
  enabled: true,
  notifyOnResolve: true,
  maxAttempts: 8,
  retryBaseSeconds: 5,
  webhookRateLimitPerMinute: 10,
};

interface WebhookRow {
  id: string;
  position: number;
  name: string;
  service: string;
  method: string;
  enabled: number;
  template: string;
  url_enc: string;
  headers_enc: string | null;
  custom_fields_enc: string | null;
}

export class NotificationStore {
  constructor(
    private readonly db: Database,
    private readonly secrets: SecretBox,
  ) {}

  private decryptJson(value: string | null): Record<string, string> {
    const plain = this.secrets.decryptOptional(value);
    return plain ? (JSON.parse(plain) as Record<string, string>) : {};
  }

  private fromRow(r: WebhookRow): WebhookConfig {
    const customFields = this.decryptJson(r.custom_fields_enc);
    return {
      id: r.id,
      name: r.name,
      url: this.secrets.decrypt(r.url_enc),
      method: r.method,
      headers: this.decryptJson(r.headers_enc),
      enabled: r.enabled === 1,
      service: r.service as WebhookService,
      template: r.template,
      ...(Object.keys(customFields).length > 0 ? { customFields } : {}),
    };
  }

  listWebhooks(): WebhookConfig[] {
    const rows = this.db.prepare('SELECT * FROM notify_webhooks ORDER BY position, created_at').all() as WebhookRow[];
    return rows.map((r) => this.fromRow(r));
  }

  getWebhook(id: string): WebhookConfig | undefined {
    const r = this.db.prepare('SELECT * FROM notify_webhooks WHERE id = ?').get(id) as WebhookRow | undefined;
    return r ? this.fromRow(r) : undefined;
  }

  private encryptMap(m: Record<string, string> | undefined): string | null {
    return m && Object.keys(m).length > 0 ? this.secrets.encrypt(JSON.stringify(m)) : null;
  }

  /** Inserts or replaces a webhook, keeping its list position when it exists. */
  saveWebhook(w: WebhookConfig, now: number): void {
    const existing = this.db.prepare('SELECT position FROM notify_webhooks WHERE id = ?').get(w.id) as
      | { position: number }
      | undefined;
    const position =
      existing?.position ??
      (this.db.prepare('SELECT COALESCE(MAX(position), -1) + 1 AS p FROM notify_webhooks').get() as { p: number }).p;
    this.db
      .prepare(
        `INSERT INTO notify_webhooks (id, position, name, service, method, enabled, template, url_enc, headers_enc,
           custom_fields_enc, created_at, updated_at)
         VALUES (@id, @position, @name, @service, @method, @enabled, @template, @url, @headers, @custom, @now, @now)
         ON CONFLICT (id) DO UPDATE SET name = @name, service = @service, method = @method, enabled = @enabled,
           template = @template, url_enc = @url, headers_enc = @headers, custom_fields_enc = @custom, updated_at = @now`,
      )
      .run({
        id: w.id,
        position,
        name: w.name,
        service: w.service,
        method: w.method,
        enabled: w.enabled ? 1 : 0,
        template: w.template,
        url: this.secrets.encrypt(w.url),
        headers: this.encryptMap(w.headers),
        custom: this.encryptMap(w.customFields),
        now,
      });
  }

  deleteWebhook(id: string): boolean {
    return this.db.prepare('DELETE FROM notify_webhooks WHERE id = ?').run(id).changes > 0;
  }

  private getJson<T>(key: string): Partial<T> | undefined {
    const r = this.db.prepare('SELECT value FROM notify_config WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return r ? (JSON.parse(r.value) as Partial<T>) : undefined;
  }

  private setJson(key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO notify_config (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, JSON.stringify(value));
  }

  /** The email settings with the password decrypted (never hand this to a reply as is). */
  getEmail(): StoredEmail {
    const stored = this.getJson<StoredEmail & { passwordEnc?: string }>('email');
    if (!stored) return { ...DEFAULT_EMAIL, to: [] };
    const { passwordEnc, ...rest } = stored;
    return {
      ...DEFAULT_EMAIL,
      ...rest,
      to: Array.isArray(rest.to) ? rest.to : [],
      password: this.secrets.decryptOptional(passwordEnc) ?? '',
    };
  }

  saveEmail(cfg: StoredEmail): void {
    const { password, ...rest } = cfg;
    this.setJson('email', { ...rest, passwordEnc: this.secrets.encryptOptional(password) });
  }

  getSettings(): NotificationSettings {
    return { ...DEFAULT_SETTINGS, ...this.getJson<NotificationSettings>('settings') };
  }

  saveSettings(s: NotificationSettings): void {
    this.setJson('settings', s);
  }
}
