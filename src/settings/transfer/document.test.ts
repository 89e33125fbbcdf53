import { describe, expect, it } from 'vitest';
import { NodeBody } from '../../schemas/config-nodes.js';
import { EmailConfigBody, WebhookBody } from '../../schemas/notifications.js';
import { LOG_LEVELS, SystemSettingsUpdate } from '../../schemas/system-settings.js';
import { TransferError } from './cipher.js';
import { parseDocument } from './document.js';

const opts = { webhookPolicy: { allowLoopback: false, now: 1_700_000_000_000, publicUrl: 'https://pulse.example' } };
const parse = (doc: Record<string, unknown>) =>
  parseDocument(JSON.stringify({ version: '4.0', nodes: {}, ...doc }), opts);

function refusal(doc: Record<string, unknown>): string {
  try {
    parse(doc);
  } catch (err) {
    expect(err).toBeInstanceOf(TransferError);
    return (err as Error).message;
  }
  throw new Error('the import was accepted');
}

type JsonSchema = { type?: unknown; minimum?: number; maximum?: number; maxLength?: number; anyOf?: JsonSchema[] };
/** A schema's properties as plain JSON Schema, to read the limits the API declares. */
const props = (schema: { properties: object }) => schema.properties as unknown as Record<string, JsonSchema>;

/** The integer settings and their bounds (`{anyOf: [{type: integer, minimum, maximum}, null]}`). */
const integerSettings = Object.entries(props(SystemSettingsUpdate)).flatMap(([field, p]) => {
  const int = p.anyOf?.find((s) => s.type === 'integer');
  return int ? [{ field, min: int.minimum as number, max: int.maximum as number }] : [];
});

const maxLength = (schema: { properties: object }, field: string) => props(schema)[field].maxLength as number;

describe('config import applies the API schema', () => {
  it('system settings: every integer bound of the API holds on import, and the refusal names the field', () => {
    expect(integerSettings.map((s) => s.field)).toContain('pvePollingInterval');
    expect(integerSettings.map((s) => s.field)).toContain('backendPort');
    for (const { field, min, max } of integerSettings) {
      expect(parse({ system: { [field]: min } }).system, field).toEqual({ [field]: min });
      expect(parse({ system: { [field]: max } }).system, field).toEqual({ [field]: max });
      expect(refusal({ system: { [field]: max + 1 } })).toBe(`system: ${field}: must be <= ${max}`);
      expect(refusal({ system: { [field]: min - 1 } })).toBe(`system: ${field}: must be >= ${min}`);
    }
  });

  it('system settings: types are the API types (a number as text is refused, as over HTTP)', () => {
    expect(refusal({ system: { pvePollingInterval: '30' } })).toBe('system: pvePollingInterval: must be integer');
    expect(refusal({ system: { updateChannel: 'beta' } })).toBe('system: updateChannel: must be one of: stable, rc');
    expect(refusal({ system: 'fast' })).toBe('system: body: must be object');
  });

  it('system settings: the checks a schema cannot express still run', () => {
    expect(refusal({ system: { autoUpdateTime: '25:00' } })).toBe('system: autoUpdateTime: must be HH:MM');
    expect(refusal({ system: { allowedOrigins: 'ftp://x.example' } })).toMatch(/^system: allowedOrigins: /);
    expect(parse({ system: { logLevel: 'DEBUG', theme: '' } }).system).toEqual({ logLevel: 'debug' });
    expect(refusal({ system: { logLevel: 'verbose' } })).toBe(
      `system: logLevel: must be one of ${LOG_LEVELS.join(', ')}`,
    );
  });

  it('nodes: lengths and types come from the node body schema', () => {
    const longest = maxLength(NodeBody, 'name');
    const node = (Name: unknown) => ({
      nodes: { pveInstances: [{ Name, Host: 'pve.lan', User: 'root@pam', Password: 'pw' }] },
    });
    expect(parse(node('n'.repeat(longest))).nodes[0].name).toHaveLength(longest);
    expect(refusal(node('n'.repeat(longest + 1)))).toBe(
      `nodes.pveInstances[0]: name: must NOT have more than ${longest} characters`,
    );
    expect(refusal(node(7))).toBe('nodes.pveInstances[0]: name: must be string or null');
  });

  it('email and webhooks: ranges and lengths come from the notification schemas', () => {
    expect(refusal({ email: { port: 70000 } })).toBe('email: port must be <= 65535');
    expect(refusal({ email: { to: [5] } })).toMatch(/^email: to/);
    const longest = maxLength(WebhookBody, 'name');
    expect(refusal({ webhooks: [{ name: 'w'.repeat(longest + 1), url: 'https://hooks.example/x' }] })).toBe(
      `webhooks[0]: name must NOT have more than ${longest} characters`,
    );
    expect(refusal({ email: { server: 's'.repeat(maxLength(EmailConfigBody, 'server') + 1) } })).toMatch(
      /^email: server must NOT have more than \d+ characters$/,
    );
  });
});
