/** SMTP presets for GET /api/notifications/email-providers (the contract's list, all 587 + STARTTLS + auth). */
import type { EmailProvider } from '../../model/notifications.js';

const p = (name: string, smtpHost: string, instructions: string): EmailProvider => ({
  name,
  smtpHost,
  smtpPort: 587,
  tls: false,
  startTLS: true,
  authRequired: true,
  instructions,
});

export const EMAIL_PROVIDERS: readonly EmailProvider[] = [
  p(
    'Gmail / Google Workspace',
    'smtp.gmail.com',
    'Use an App Password (Google Account → Security → 2-Step Verification → App passwords).',
  ),
  p(
    'SendGrid',
    'smtp.sendgrid.net',
    'Username is "apikey"; the password is a SendGrid API key with Mail Send permission.',
  ),
  p(
    'Mailgun',
    'smtp.mailgun.org',
    'Use the SMTP credentials of your sending domain (Sending → Domain settings → SMTP credentials).',
  ),
  p(
    'Amazon SES (US East)',
    'email-smtp.us-east-1.amazonaws.com',
    'Create SMTP credentials in the SES console; the sender address must be verified.',
  ),
  p(
    'Microsoft 365 / Outlook',
    'smtp.office365.com',
    'SMTP AUTH must be enabled for the mailbox; use the mailbox address and password (or app password).',
  ),
  p('Brevo (formerly Sendinblue)', 'smtp-relay.brevo.com', 'Use your Brevo login and an SMTP key (SMTP & API → SMTP).'),
  p('Postmark', 'smtp.postmarkapp.com', 'Username and password are both your Postmark Server API token.'),
  p(
    'SparkPost',
    'smtp.sparkpostmail.com',
    'Username is "SMTP_Injection"; the password is an API key with Send via SMTP permission.',
  ),
  p('Resend', 'smtp.resend.com', 'Username is "resend"; the password is a Resend API key.'),
  p('SMTP2GO', 'mail.smtp2go.com', 'Use an SMTP user created under Sending → SMTP Users.'),
  p('Custom SMTP Server', '', 'Enter your server, port and security: 465 = implicit TLS, 587 = STARTTLS, 25 = none.'),
];
