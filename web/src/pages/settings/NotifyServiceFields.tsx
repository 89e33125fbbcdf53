/**
 * The fields a webhook service needs beyond its URL, entered by name instead of hand-written
 * JSON: Pushover's application and user tokens, Telegram's bot token and chat id, PagerDuty's
 * routing key. They land where the server's service templates read them (custom fields, URL).
 */
import { For, Show } from 'solid-js';
import type { Webhook } from '../../api/types';
import { Field } from '../../components/ui';

interface FieldDef {
  key: string;
  label: string;
  hint?: string;
  secret?: boolean;
  required?: boolean;
}

const CUSTOM_FIELDS: Record<string, FieldDef[]> = {
  pushover: [
    {
      key: 'app_token',
      label: 'Pushover application token',
      hint: 'From the application you registered at pushover.net/apps.',
      secret: true,
      required: true,
    },
    {
      key: 'user_token',
      label: 'Pushover user key',
      hint: 'Your user key (or a group key) from the Pushover dashboard.',
      secret: true,
      required: true,
    },
    { key: 'device', label: 'Pushover device (optional)', hint: 'Empty sends to all of your devices.' },
    { key: 'sound', label: 'Pushover sound (optional)', hint: 'Empty picks a sound by alert level.' },
  ],
  telegram: [
    {
      key: 'chat_id',
      label: 'Telegram chat ID',
      hint: 'A number (negative for groups) or a public channel as @channelname; the bot must be a member.',
      required: true,
    },
  ],
  pagerduty: [
    {
      key: 'routing_key',
      label: 'PagerDuty integration key',
      hint: 'The routing key of an "Events API v2" integration.',
      secret: true,
      required: true,
    },
  ],
};

const TELEGRAM_API = 'https://api.telegram.org/bot';

/** The bot token inside a Telegram sendMessage URL, or "" when the URL has another shape. */
function telegramToken(url: string): string {
  if (!url.startsWith(TELEGRAM_API)) return '';
  return url.slice(TELEGRAM_API.length).split('/')[0] ?? '';
}

export function ServiceFields(props: { hook: Webhook; onChange: (next: Webhook) => void }) {
  const fields = () => CUSTOM_FIELDS[props.hook.service] ?? [];
  const setCustom = (key: string, value: string) => {
    const next = { ...(props.hook.customFields ?? {}) };
    if (value) next[key] = value;
    else delete next[key];
    props.onChange({ ...props.hook, customFields: next });
  };
  return (
    <>
      <Show when={props.hook.service === 'telegram'}>
        <Field
          label="Telegram bot token"
          hint="From @BotFather, e.g. 123456:ABC-DEF…; it becomes part of the URL."
          autocomplete="off"
          value={telegramToken(props.hook.url)}
          onInput={(e) =>
            props.onChange({ ...props.hook, url: `${TELEGRAM_API}${e.currentTarget.value.trim()}/sendMessage` })
          }
        />
      </Show>
      <For each={fields()}>
        {(f) => (
          <Field
            label={f.label}
            hint={f.hint}
            type={f.secret ? 'password' : 'text'}
            autocomplete="off"
            required={f.required}
            value={props.hook.customFields?.[f.key] ?? ''}
            onInput={(e) => setCustom(f.key, e.currentTarget.value.trim())}
          />
        )}
      </For>
    </>
  );
}
