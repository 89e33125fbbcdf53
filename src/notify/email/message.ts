/**
 * The email for a batch (pure): the contract's subject, a plain-text body and an HTML body that
 * reads well in mail clients (inline styles, one table row per alert, no external resources).
 */
import type { FullAlert } from '../../model/state.js';
import {
  batchMessage,
  formatAlertFigure,
  formatDuration,
  levelCounts,
  type NotificationBatch,
  subjectFor,
} from '../batch.js';

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const LEVEL_COLOUR: Record<string, string> = { critical: '#c62828', warning: '#ef6c00' };

function heading(batch: NotificationBatch): string {
  const n = batch.alerts.length;
  if (batch.event === 'test') return 'Test notification from Pulse';
  if (batch.event === 'resolved') return n === 1 ? 'Alert resolved' : `${n} alerts resolved`;
  const { critical, warning } = levelCounts(batch.alerts);
  const parts = [critical ? `${critical} critical` : '', warning ? `${warning} warning` : ''].filter(Boolean);
  return `${batch.event === 'escalated' ? 'Escalated: ' : ''}${parts.join(', ')} alert${n === 1 ? '' : 's'}`;
}

function rows(a: FullAlert, now: number): Array<[string, string]> {
  return [
    ['Resource', a.resourceName],
    ['Type', a.type],
    ['Level', a.level],
    ['Value', formatAlertFigure(a, 'value')],
    ['Threshold', formatAlertFigure(a, 'threshold')],
    ['Node', a.node || '—'],
    ['Instance', a.instance || '—'],
    ['Started', a.startTime],
    ['Duration', formatDuration(now - Date.parse(a.startTime))],
  ];
}

export function buildEmail(batch: NotificationBatch, opts: { now: number; publicUrl: string }): EmailContent {
  const subject = subjectFor(batch);
  const title = heading(batch);

  const textParts = [title, '', batchMessage(batch), ''];
  for (const a of batch.alerts) {
    textParts.push(`— ${a.resourceName} (${a.id})`);
    for (const [k, v] of rows(a, opts.now)) textParts.push(`  ${k.padEnd(10)} ${v}`);
    textParts.push('');
  }
  if (opts.publicUrl) textParts.push(`Open Pulse: ${opts.publicUrl}`);
  textParts.push('', 'Sent by Pulse Monitoring');

  const cards = batch.alerts
    .map((a) => {
      const colour = batch.event === 'resolved' ? '#2e7d32' : (LEVEL_COLOUR[a.level] ?? '#555');
      const cells = rows(a, opts.now)
        .map(
          ([k, v]) =>
            `<tr><td style="padding:2px 12px 2px 0;color:#666;white-space:nowrap">${esc(k)}</td><td style="padding:2px 0">${esc(v)}</td></tr>`,
        )
        .join('');
      return `<div style="border-left:4px solid ${colour};padding:8px 12px;margin:12px 0;background:#fafafa">
<div style="font-weight:600;margin-bottom:4px">${esc(a.message)}</div>
<table style="border-collapse:collapse;font-size:14px">${cells}</table></div>`;
    })
    .join('\n');
  const link = opts.publicUrl ? `<p><a href="${esc(opts.publicUrl)}" style="color:#1565c0">Open Pulse</a></p>` : '';
  const html = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${esc(subject)}</title></head>
<body style="font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#222;max-width:680px;margin:0 auto;padding:16px">
<h2 style="margin:0 0 8px">${esc(title)}</h2>
${cards}
${link}
<p style="color:#888;font-size:12px">Sent by Pulse Monitoring</p>
</body></html>`;
  return { subject, text: textParts.join('\n'), html };
}
