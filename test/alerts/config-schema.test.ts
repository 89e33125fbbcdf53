/**
 * The alert configuration's API schema against a real server: /api/openapi.json documents every
 * field the configuration has (so the schema and the defaults cannot drift apart), the PUT body is
 * checked by that schema with the field named, and the short and partial shapes Pulse 4.24
 * clients send still go through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configForWire, defaultAlertConfig } from '../../src/alerts/config.js';
import { startTestPulse } from '../helpers/pulse.js';

type Pulse = Awaited<ReturnType<typeof startTestPulse>>;
type JsonSchema = { properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[]; type?: unknown };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object schema in `s`, looking through `anyOf` (nullable and short forms). */
const objectSchema = (s: JsonSchema | undefined): JsonSchema | undefined =>
  s?.properties ? s : s?.anyOf?.map(objectSchema).find(Boolean);

/** Dotted paths of the value's keys (through nested objects) that the schema does not declare. */
function undeclared(value: Record<string, unknown>, schema: JsonSchema | undefined, at = ''): string[] {
  const props = objectSchema(schema)?.properties ?? {};
  return Object.entries(value).flatMap(([k, v]) => {
    const path = `${at}${k}`;
    if (!props[k]) return [path];
    // `overrides` and the like are keyed by id: their keys are data, not fields.
    const isRecord = !objectSchema(props[k]) && isPlainObject(v);
    return isPlainObject(v) && !isRecord ? undeclared(v, props[k], `${path}.`) : [];
  });
}

describe('alert config schema', () => {
  let pulse: Pulse;
  beforeAll(async () => {
    pulse = await startTestPulse();
  });
  afterAll(() => pulse.close());

  const put = async (body: unknown) => {
    const res = await fetch(`${pulse.url}/api/alerts/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error?: string; field?: string } };
  };
  const get = async () => (await (await fetch(`${pulse.url}/api/alerts/config`)).json()) as Record<string, unknown>;

  it('is documented in /api/openapi.json with every field of the configuration, for GET and PUT', async () => {
    const doc = await (await fetch(`${pulse.url}/api/openapi.json`)).json();
    const op = doc.paths['/api/alerts/config'];
    const reply = op.get.responses['200'].content['application/json'].schema as JsonSchema;
    const body = op.put.requestBody.content['application/json'].schema as JsonSchema;
    const wire = JSON.parse(JSON.stringify(configForWire(defaultAlertConfig())));
    expect(Object.keys(wire)).toContain('notifyOnResolve');
    expect(undeclared(wire, reply)).toEqual([]);
    expect(undeclared(wire, body)).toEqual([]);
    // What the server answers is the whole configuration, not just its documented part.
    expect(Object.keys(await get()).sort()).toEqual(Object.keys(wire).sort());
  });

  it.each([
    [{ dockerDefaults: { memoryWarnPct: 150 } }, 'dockerDefaults.memoryWarnPct'],
    [{ storageForecast: { minConfidence: 2 } }, 'storageForecast.minConfidence'],
    [{ nodeDefaults: { temperature: { trigger: 'hot' } } }, 'nodeDefaults.temperature.trigger'],
    [{ overrides: { 'pve1-100': { cpu: { trigger: 90, clear: 95 } } } }, 'overrides.pve1-100.cpu.clear'],
    [{ guestDefaults: { poweredOffSeverity: 'info' } }, 'guestDefaults.poweredOffSeverity'],
    [{ schedule: { quietHours: { start: '24:00' } } }, 'schedule.quietHours.start'],
    [{ schedule: { maxAlertsHour: 2.5 } }, 'schedule.maxAlertsHour'],
    [{ flapping: { threshold: 1 } }, 'flapping.threshold'],
  ])('refuses %j with a 400 naming %s', async (body, field) => {
    const before = await get();
    const res = await put(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(field);
    expect(await get()).toEqual(before);
  });

  it('takes the short, partial and null-laden shapes older clients send, and ignores unknown keys', async () => {
    const res = await put({
      hysteresisMargin: 4,
      guestDefaults: { cpuLegacy: 90, memory: { trigger: 70, clear: null }, disk: null },
      storageDefault: 88,
      dockerDefaults: { cpu: 60, restartCount: null },
      schedule: { quietHours: { timezone: '', days: { monday: null } }, cooldown: null },
      aggregation: null,
      somethingNewer: { x: 1 },
    });
    expect(res).toEqual({ status: 200, body: { status: 'success' } });
    const cfg = (await get()) as unknown as ReturnType<typeof defaultAlertConfig>;
    expect(cfg.guestDefaults.cpu).toEqual({ trigger: 90, clear: 86 });
    expect(cfg.guestDefaults.memory).toEqual({ trigger: 70, clear: 65 });
    expect(cfg.guestDefaults.disk).toEqual({ trigger: 90, clear: 85 });
    expect(cfg.storageDefault).toEqual({ trigger: 88, clear: 84 });
    expect(cfg.dockerDefaults).toMatchObject({ cpu: { trigger: 60, clear: 56 }, restartCount: 3 });
    expect(cfg.schedule.quietHours.timezone).toBe('America/New_York');
    expect(cfg).not.toHaveProperty('somethingNewer');
  });
});
