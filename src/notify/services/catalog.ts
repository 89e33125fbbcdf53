/**
 * Built-in webhook services: the payload each service's public API accepts, written as Go
 * templates over the data of batch.ts `templateData` (so users can copy one as the start of a
 * custom template). String values go through `jsonString` (escaping without quotes), and every
 * field a service requires to be non-empty has a fallback.
 *
 * Formats, from each service's documentation:
 * - Discord: execute-webhook body `{username, embeds[{title, description, color, fields[{name, value,
 *   inline}], timestamp, footer{text}}]}`; field values 1–1024 chars, description ≤ 4096.
 * - Slack incoming webhook: `{text, blocks}` with header (plain_text), section (mrkdwn), section
 *   fields (≤ 10) and context blocks; `text` is the notification fallback.
 * - Mattermost incoming webhook: `{username, text, attachments[{fallback, color, title, text, fields[{short,
 *   title, value}], footer}]}` (Slack-compatible attachments).
 * - Teams connector: legacy MessageCard `{@type, @context, themeColor, summary, title, sections[{facts}]}`;
 *   Teams workflows / Power Automate: `{type:"message", attachments:[{contentType:
 *   "application/vnd.microsoft.card.adaptive", content: AdaptiveCard 1.4}]}`.
 * - Telegram Bot API sendMessage: `{chat_id, text, parse_mode, disable_web_page_preview}`.
 * - PagerDuty Events API v2 (`/v2/enqueue`): `{routing_key, event_action: trigger|resolve, dedup_key,
 *   payload{summary ≤ 1024, source, severity, timestamp, component, group, class, custom_details},
 *   client, client_url, links}`; resolve needs only routing_key, event_action and dedup_key.
 * - Pushover `/1/messages.json`: `{token, user, message, title, priority, sound, device, timestamp}`.
 * - Gotify `POST /message?token=`: `{title, message, priority, extras}`.
 * - ntfy: `POST /<topic>` with the message as a plain-text body and Title / Priority / Tags headers.
 */
import type { WebhookService, WebhookTemplateInfo } from '../../model/notifications.js';

export interface ServiceDef extends WebhookTemplateInfo {
  /** Whether the rendered payload must be JSON (all but ntfy). */
  json: boolean;
}

const LEVEL_TITLE = String.raw`{{if .Resolved}}Resolved: {{title .Level}}{{else}}Pulse Alert: {{title .Level}}{{end}}{{if gt .AlertCount 1}} ({{.AlertCount}} alerts){{end}}`;

const DISCORD = String.raw`{
  "username": "Pulse Monitoring",
  "embeds": [
    {
      "title": "${LEVEL_TITLE}",
      "description": "{{jsonString (trunc 4000 .Message)}}",
      "color": {{if .Resolved}}3066993{{else if eq .Level "critical"}}15158332{{else}}15105570{{end}},
      "fields": [
        {"name": "Resource", "value": "{{jsonString (or .ResourceName "n/a")}}", "inline": true},
        {"name": "Node", "value": "{{jsonString (or .Node "n/a")}}", "inline": true},
        {"name": "Type", "value": "{{jsonString (or .Type "n/a")}}", "inline": true},
        {"name": "Value", "value": "{{jsonString .ValueFormatted}}", "inline": true},
        {"name": "Threshold", "value": "{{jsonString .ThresholdFormatted}}", "inline": true},
        {"name": "Duration", "value": "{{jsonString .Duration}}", "inline": true}
      ],
      "timestamp": "{{.Timestamp}}",
      "footer": {"text": "Pulse Monitoring"}
    }
  ]
}`;

const SLACK = String.raw`{
  "text": "{{if .Resolved}}Resolved{{else}}Pulse Alert ({{.Level}}){{end}}: {{jsonString .Summary}}",
  "blocks": [
    {"type": "header", "text": {"type": "plain_text", "text": "{{if .Resolved}}✅{{else if eq .Level "critical"}}🔴{{else}}🟠{{end}} ${LEVEL_TITLE}", "emoji": true}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "{{jsonString (trunc 2900 .Message)}}"}},
    {"type": "section", "fields": [
      {"type": "mrkdwn", "text": "*Resource:*\n{{jsonString (or .ResourceName "n/a")}}"},
      {"type": "mrkdwn", "text": "*Node:*\n{{jsonString (or .Node "n/a")}}"},
      {"type": "mrkdwn", "text": "*Type:*\n{{jsonString (or .Type "n/a")}}"},
      {"type": "mrkdwn", "text": "*Value:*\n{{jsonString .ValueFormatted}}"},
      {"type": "mrkdwn", "text": "*Threshold:*\n{{jsonString .ThresholdFormatted}}"},
      {"type": "mrkdwn", "text": "*Duration:*\n{{jsonString .Duration}}"}
    ]},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Pulse Monitoring • {{.Timestamp}}"}]}
  ]
}`;

const MATTERMOST = String.raw`{
  "username": "Pulse Monitoring",
  "text": "#### {{if .Resolved}}:white_check_mark:{{else if eq .Level "critical"}}:red_circle:{{else}}:large_orange_diamond:{{end}} ${LEVEL_TITLE}",
  "attachments": [
    {
      "fallback": "{{jsonString .Summary}}",
      "color": "{{if .Resolved}}#2EB886{{else if eq .Level "critical"}}#FF0000{{else}}#FFA500{{end}}",
      "title": "{{jsonString (or .ResourceName "Pulse")}}",
      "text": "{{jsonString .Message}}",
      "fields": [
        {"short": true, "title": "Node", "value": "{{jsonString (or .Node "n/a")}}"},
        {"short": true, "title": "Type", "value": "{{jsonString (or .Type "n/a")}}"},
        {"short": true, "title": "Value", "value": "{{jsonString .ValueFormatted}}"},
        {"short": true, "title": "Threshold", "value": "{{jsonString .ThresholdFormatted}}"},
        {"short": true, "title": "Duration", "value": "{{jsonString .Duration}}"}
      ],
      "footer": "Pulse Monitoring"
    }
  ]
}`;

const TEAMS = String.raw`{
  "@type": "MessageCard",
  "@context": "https://schema.org/extensions",
  "themeColor": "{{if .Resolved}}2EB886{{else if eq .Level "critical"}}FF0000{{else}}FFA500{{end}}",
  "summary": "{{jsonString .Summary}}",
  "title": "${LEVEL_TITLE}",
  "sections": [
    {
      "activityTitle": "{{jsonString (or .ResourceName "Pulse")}}",
      "activitySubtitle": "{{jsonString .Timestamp}}",
      "text": "{{jsonString .Message}}",
      "facts": [
        {"name": "Resource", "value": "{{jsonString .ResourceName}}"},
        {"name": "Node", "value": "{{jsonString .Node}}"},
        {"name": "Type", "value": "{{jsonString .Type}}"},
        {"name": "Value", "value": "{{jsonString .ValueFormatted}}"},
        {"name": "Threshold", "value": "{{jsonString .ThresholdFormatted}}"},
        {"name": "Duration", "value": "{{jsonString .Duration}}"}
      ],
      "markdown": true
    }
  ]
}`;

const TEAMS_ADAPTIVE = String.raw`{
  "type": "message",
  "attachments": [
    {
      "contentType": "application/vnd.microsoft.card.adaptive",
      "contentUrl": null,
      "content": {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
          {"type": "TextBlock", "size": "Large", "weight": "Bolder", "wrap": true,
           "color": "{{if .Resolved}}Good{{else if eq .Level "critical"}}Attention{{else}}Warning{{end}}",
           "text": "${LEVEL_TITLE}"},
          {"type": "TextBlock", "wrap": true, "text": "{{jsonString .Message}}"},
          {"type": "FactSet", "facts": [
            {"title": "Resource", "value": "{{jsonString .ResourceName}}"},
            {"title": "Node", "value": "{{jsonString .Node}}"},
            {"title": "Type", "value": "{{jsonString .Type}}"},
            {"title": "Value", "value": "{{jsonString .ValueFormatted}}"},
            {"title": "Threshold", "value": "{{jsonString .ThresholdFormatted}}"},
            {"title": "Duration", "value": "{{jsonString .Duration}}"}
          ]},
          {"type": "TextBlock", "isSubtle": true, "size": "Small", "wrap": true, "text": "Pulse Monitoring • {{.Timestamp}}"}
        ]
      }
    }
  ]
}`;

const TELEGRAM = String.raw`{
  "chat_id": "{{jsonString .ChatID}}",
  "text": "{{if .Resolved}}✅ *Resolved*{{else if eq .Level "critical"}}🔴 *Pulse Alert: Critical*{{else}}🟠 *Pulse Alert: Warning*{{end}}\n\n{{jsonString (mdEscape (trunc 3500 .Message))}}\n\n*Resource:* {{jsonString (mdEscape .ResourceName)}}\n*Node:* {{jsonString (mdEscape .Node)}}\n*Value:* {{jsonString .ValueFormatted}} (threshold {{jsonString .ThresholdFormatted}})\n*Duration:* {{.Duration}}",
  "parse_mode": "Markdown",
  "disable_web_page_preview": true
}`;

const PAGERDUTY = String.raw`{
  "routing_key": "{{jsonString .CustomFields.routing_key}}",
  "event_action": "{{if .Resolved}}resolve{{else}}trigger{{end}}",
  "dedup_key": "{{jsonString .ID}}"
  {{- if not .Resolved}},
  "payload": {
    "summary": "{{jsonString .Summary}}",
    "timestamp": "{{jsonString .StartTime}}",
    "severity": "{{if eq .Level "critical"}}critical{{else}}warning{{end}}",
    "source": "{{jsonString (or .Node .ResourceName "pulse")}}",
    "component": "{{jsonString .ResourceName}}",
    "group": "{{jsonString .Node}}",
    "class": "{{jsonString .Type}}",
    "custom_details": {
      "message": "{{jsonString .Message}}",
      "value": "{{jsonString .ValueFormatted}}",
      "threshold": "{{jsonString .ThresholdFormatted}}",
      "resource_id": "{{jsonString .ResourceID}}",
      "resource_type": "{{jsonString .ResourceType}}",
      "duration": "{{jsonString .Duration}}",
      "alert_count": {{.AlertCount}}
    }
  },
  "client": "Pulse Monitoring"
  {{- if .Instance}},
  "client_url": "{{jsonString .Instance}}",
  "links": [{"href": "{{jsonString .Instance}}", "text": "Open Pulse"}]
  {{- end}}
  {{- end}}
}`;

const PUSHOVER = String.raw`{
  "token": "{{jsonString .CustomFields.app_token}}",
  "user": "{{jsonString .CustomFields.user_token}}",
  "title": "${LEVEL_TITLE}",
  "message": "{{jsonString (trunc 1000 .Message)}}",
  "priority": {{if .Resolved}}-1{{else if eq .Level "critical"}}1{{else}}0{{end}},
  "sound": "{{with .CustomFields.sound}}{{jsonString .}}{{else}}{{if .Resolved}}magic{{else if eq .Level "critical"}}siren{{else}}pushover{{end}}{{end}}",
  {{- with .CustomFields.device}}
  "device": "{{jsonString .}}",
  {{- end}}
  "timestamp": {{.StartUnix}}
}`;

const GOTIFY = String.raw`{
  "title": "${LEVEL_TITLE}",
  "message": "{{jsonString .Message}}\n\nResource: {{jsonString .ResourceName}} · Node: {{jsonString .Node}} · Value: {{jsonString .ValueFormatted}} (threshold {{jsonString .ThresholdFormatted}})",
  "priority": {{if .Resolved}}2{{else if eq .Level "critical"}}10{{else}}5{{end}},
  "extras": {
    "client::display": {"contentType": "text/plain"},
    "pulse::alert": {"id": "{{jsonString .ID}}", "level": "{{jsonString .Level}}", "type": "{{jsonString .Type}}", "event": "{{.Event}}"}
  }
}`;

const NTFY = String.raw`{{.Message}}

Resource: {{.ResourceName}} · Node: {{.Node}} · Value: {{.ValueFormatted}} (threshold {{.ThresholdFormatted}}) · Duration: {{.Duration}}`;

const GENERIC = String.raw`{
  "alert": {
    "id": "{{jsonString .ID}}",
    "level": "{{jsonString .Level}}",
    "type": "{{jsonString .Type}}",
    "resource_name": "{{jsonString .ResourceName}}",
    "node": "{{jsonString .Node}}",
    "message": "{{jsonString .Message}}",
    "value": {{.Value}},
    "threshold": {{.Threshold}},
    "start_time": "{{jsonString .StartTime}}",
    "duration": "{{jsonString .Duration}}"
  },
  "event": "{{.Event}}",
  "timestamp": "{{.Timestamp}}",
  "source": "pulse-monitoring"
}`;

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export const SERVICES: readonly ServiceDef[] = [
  {
    service: 'discord',
    name: 'Discord',
    urlPattern: 'https://discord.com/api/webhooks/{webhook_id}/{webhook_token}',
    method: 'POST',
    headers: JSON_HEADERS,
    payloadTemplate: DISCORD,
    instructions: 'Server Settings → Integrations → Webhooks → New Webhook, then copy the webhook URL.',
    json: true,
  },
  {
    service: 'slack',
    name: 'Slack',
    urlPattern: 'https://hooks.slack.com/services/{T…}/{B…}/{secret}',
    method: 'POST',
    headers: JSON_HEADERS,
    payloadTemplate: SLACK,
    instructions: 'Create a Slack app with Incoming Webhooks enabled, add a webhook to a channel and copy its URL.',
    json: true,
  },
  {
    service: 'telegram',
    name: 'Telegram',
    urlPattern: 'https://api.telegram.org/bot{bot_token}/sendMessage?chat_id={chat_id}',
    method: 'POST',
    headers: JSON_HEADERS,
    payloadTemplate: TELEGRAM,
    instructions:
      'Create a bot with @BotFather for the token; get the chat id (a number, negative for groups, or a public channel as @channelname) and add it as ?chat_id= to the URL. Pulse strips it from the URL before sending.',
    json: true,
  },
  {
    service: 'teams',
    name: 'Microsoft Teams',
    urlPattern: 'https://{tenant}.webhook.office.com/webhookb2/{…}',
    method: 'POST',
    headers: JSON_HEADERS,
    payloadTemplate: TEAMS,
    instructions: 'Channel → Connectors → Incoming Webhook, then copy the URL (legacy MessageCard format).',
    json: true,
  },
  {
    service: 'teams-adaptive',
    name: 'Microsoft Teams (Adaptive Card)',
    urlPattern: 'https://{region}.logic.azure.com/workflows/{…}',
    method: 'POST',
    headers: JSON_HEADERS,
    payloadTemplate: TEAMS_ADAPTIVE,
    instructions: 'Teams → Workflows → "Post to a channel when a webhook request is received", then copy the URL.',
    json: true,
  },
  {
    service: 'pagerduty',
    name: 'PagerDuty',
    urlPattern: 'https://events.pagerduty.com/v2/enqueue',
    method: 'POST',
    headers: { ...JSON_HEADERS, routing_key: '{integration_key}' },
    payloadTemplate: PAGERDUTY,
    instructions:
      'Add an "Events API v2" integration to a service and put its integration key in the routing_key header (or custom field). Alerts trigger incidents and resolve them with the same dedup_key.',
    json: true,
  },
  {
    service: 'pushover',
    name: 'Pushover',
    urlPattern: 'https://api.pushover.net/1/messages.json',
    method: 'POST',
    headers: JSON_HEADERS,
    payloadTemplate: PUSHOVER,
    instructions:
      'Register an application for its API token; set custom fields app_token and user_token (optional device, sound).',
    json: true,
  },
  {
    service: 'gotify',
    name: 'Gotify',
    urlPattern: 'https://gotify.example.com/message?token={app_token}',
    method: 'POST',
    headers: JSON_HEADERS,
    payloadTemplate: GOTIFY,
    instructions: 'Create an application in Gotify and use its token in the URL (or an X-Gotify-Key header).',
    json: true,
  },
  {
    service: 'ntfy',
    name: 'ntfy',
    urlPattern: 'https://ntfy.sh/{topic}',
    method: 'POST',
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    payloadTemplate: NTFY,
    instructions:
      'Publish to a topic URL. The message is sent as plain text with Title, Priority and Tags headers; add an Authorization header for protected topics.',
    json: false,
  },
  {
    service: 'mattermost',
    name: 'Mattermost',
    urlPattern: 'https://mattermost.example.com/hooks/{hook_id}',
    method: 'POST',
    headers: JSON_HEADERS,
    payloadTemplate: MATTERMOST,
    instructions: 'Integrations → Incoming Webhooks → Add, then copy the URL.',
    json: true,
  },
  {
    service: 'generic',
    name: 'Generic JSON',
    urlPattern: 'https://example.com/webhook',
    method: 'POST',
    headers: JSON_HEADERS,
    payloadTemplate: GENERIC,
    instructions:
      'Without a custom template, alerts are sent as {"alerts": [...], "count", "timestamp", "source", "grouped", "event"}. Set a template for any other JSON shape.',
    json: true,
  },
];

export const SERVICE_NAMES: ReadonlySet<string> = new Set(SERVICES.map((s) => s.service));

export function serviceDef(service: WebhookService): ServiceDef {
  return SERVICES.find((s) => s.service === service) ?? (SERVICES.at(-1) as ServiceDef);
}
