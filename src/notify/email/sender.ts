/**
 * SMTP delivery through nodemailer: implicit TLS (`tls`, port 465), required STARTTLS
 * (`startTLS`), or neither (then nodemailer is told not to upgrade at all), with or without auth.
 */
import type { EmailContent } from './message.js';

/** nodemailer, loaded on the first send: most installs never send mail, and it is a few MB resident. */
let mailer: Promise<typeof import('nodemailer')> | undefined;

export interface SmtpSettings {
  server: string;
  port: number;
  username: string;
  password: string;
  from: string;
  to: string[];
  tls: boolean;
  startTLS: boolean;
  /** Accept self-signed server certificates (internal relays). */
  skipTlsVerify?: boolean;
}

export interface SmtpResult {
  messageId: string;
  response: string;
}

/** An SMTP failure; `permanent` for 5xx replies (bad credentials, rejected recipient). */
export class SmtpError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode?: number,
  ) {
    super(message);
    this.name = 'SmtpError';
  }
}

export async function sendEmail(smtp: SmtpSettings, content: EmailContent, timeoutMs = 30_000): Promise<SmtpResult> {
  const recipients = smtp.to.length > 0 ? smtp.to : [smtp.from];
  mailer ??= import('nodemailer');
  const nodemailer = (await mailer).default;
  const transport = nodemailer.createTransport({
    host: smtp.server,
    port: smtp.port,
    secure: smtp.tls,
    requireTLS: !smtp.tls && smtp.startTLS,
    ignoreTLS: !smtp.tls && !smtp.startTLS,
    auth: smtp.username ? { user: smtp.username, pass: smtp.password } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    tls: { rejectUnauthorized: !smtp.skipTlsVerify },
  });
  try {
    const info = await transport.sendMail({
      from: smtp.from,
      to: recipients,
      subject: content.subject,
      text: content.text,
      html: content.html,
      headers: { 'X-Mailer': 'Pulse Monitoring' },
    });
    return { messageId: String(info.messageId ?? ''), response: String(info.response ?? '') };
  } catch (err) {
    const e = err as { message?: string; responseCode?: number; code?: string };
    const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
    throw new SmtpError(e.message ?? 'SMTP error', code !== undefined && code >= 500 && code < 600, code);
  } finally {
    transport.close();
  }
}
