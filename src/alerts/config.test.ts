import { describe, expect, it } from 'vitest';
import { schemaProblem } from '../http/schema-check.js';
import { AlertConfig } from '../schemas/alerts.js';
import { ConfigError, configForWire, defaultAlertConfig, normaliseAlertConfig } from './config.js';
import { parseHistoryQuery, QueryError } from './history-query.js';
import { inQuietHours, wallTime } from './quiet-hours.js';

const fieldOf = (input: unknown): string => {
  try {
    normaliseAlertConfig(input);
  } catch (err) {
    if (err instanceof ConfigError) return err.field;
    throw err;
  }
  throw new Error('no error');
};

describe('alert config normalisation', () => {
  it('has the contract defaults', () => {
    const d = defaultAlertConfig();
    expect(d.guestDefaults.cpu).toEqual({ trigger: 80, clear: 75 });
    expect(d.nodeDefaults.temperature).toEqual({ trigger: 80, clear: 75 });
    expect(d.storageDefault).toEqual({ trigger: 85, clear: 80 });
    expect(d.schedule).toMatchObject({ cooldown: 5, groupingWindow: 30, maxAlertsHour: 10 });
    expect(d.schedule.quietHours).toMatchObject({
      enabled: false,
      start: '22:00',
      end: '08:00',
      timezone: 'America/New_York',
    });
    expect(d.pmgDefaults.queueTotalWarning).toBe(500);
    expect(d.dockerDefaults).toMatchObject({
      restartCount: 3,
      restartWindow: 300,
      memoryWarnPct: 90,
      memoryCriticalPct: 95,
    });
  });

  it('keeps fractional thresholds, derives a missing clear, reads legacy numbers', () => {
    const c = normaliseAlertConfig({
      hysteresisMargin: 4,
      guestDefaults: { cpu: { trigger: 12.5, clear: 10.25 }, memory: { trigger: 70 }, diskLegacy: 95 },
    });
    expect(c.guestDefaults.cpu).toEqual({ trigger: 12.5, clear: 10.25 });
    expect(c.guestDefaults.memory).toEqual({ trigger: 70, clear: 65 });
    expect(c.guestDefaults.disk).toEqual({ trigger: 95, clear: 91 });
  });

  it('resets zero values to the defaults; -1 in overrides disables', () => {
    const c = normaliseAlertConfig({
      guestDefaults: { cpu: { trigger: 0, clear: 0 } },
      schedule: { cooldown: 0, maxAlertsHour: 0, grouping: { window: 0 } },
      minimumDelta: 0,
      overrides: { 'pve1-100': { cpu: { trigger: -1 } } },
    });
    expect(c.guestDefaults.cpu).toEqual({ trigger: 80, clear: 75 });
    expect(c.schedule.cooldown).toBe(5);
    expect(c.schedule.maxAlertsHour).toBe(10);
    expect(c.schedule.grouping.window).toBe(30);
    expect(c.minimumDelta).toBe(2);
    expect(c.overrides['pve1-100'].cpu?.trigger).toBe(-1);
  });

  it('takes back what GET returns unchanged (UI round trip)', () => {
    const edited = normaliseAlertConfig({
      overrides: { 'pve1-100': { cpu: { trigger: 95, clear: 90 }, diskRead: { trigger: 0, clear: 0 } } },
      schedule: { quietHours: { enabled: true, timezone: 'Europe/Berlin' } },
    });
    const wire = JSON.parse(JSON.stringify(configForWire(edited)));
    expect(normaliseAlertConfig(wire)).toEqual(edited);
    expect(normaliseAlertConfig(JSON.parse(JSON.stringify(configForWire(defaultAlertConfig()))))).toEqual(
      defaultAlertConfig(),
    );
  });

  it('treats null anywhere in the input as absent, down to a per-type delay', () => {
    const c = normaliseAlertConfig({
      metricTimeThresholds: { guest: null, node: { cpu: 30, memory: null } },
      schedule: { quietHours: { days: { monday: null }, suppress: null }, escalation: { levels: null } },
      overrides: { a: null, b: { cpu: { trigger: 50, clear: null } } },
    });
    expect(c.metricTimeThresholds).toEqual({ node: { cpu: 30 } });
    expect(c.schedule).toEqual(defaultAlertConfig().schedule);
    expect(c.overrides).toEqual({ b: { cpu: { trigger: 50, clear: 45 } } });
  });

  it('lays partial input over the current config', () => {
    const base = normaliseAlertConfig({ overrides: { a: { disabled: true } } });
    const next = normaliseAlertConfig({ enabled: false }, base);
    expect(next.enabled).toBe(false);
    expect(next.overrides).toEqual({ a: { disabled: true } });
  });

  it('names the offending field', () => {
    expect(fieldOf({ guestDefaults: { cpu: { trigger: 'x' } } })).toBe('guestDefaults.cpu.trigger');
    expect(fieldOf({ guestDefaults: { cpu: { trigger: 80, clear: 85 } } })).toBe('guestDefaults.cpu.clear');
    expect(fieldOf({ schedule: { quietHours: { start: '25:00' } } })).toBe('schedule.quietHours.start');
    expect(fieldOf({ schedule: { quietHours: { timezone: 'Mars/Base' } } })).toBe('schedule.quietHours.timezone');
    expect(fieldOf({ schedule: { escalation: { levels: [{ after: 5, notify: 'sms' }] } } })).toBe(
      'schedule.escalation.levels[0].notify',
    );
    expect(fieldOf({ schedule: { cooldown: -3 } })).toBe('schedule.cooldown');
    expect(fieldOf({ enabled: 'yes' })).toBe('enabled');
    expect(fieldOf({ overrides: [] })).toBe('overrides');
    expect(fieldOf({ backupAge: { warningDays: 10, criticalDays: 5 } })).toBe('backupAge.criticalDays');
    expect(fieldOf([])).toBe('config');
  });

  it('reads and checks every disableAll… switch the API schema declares, and answers what the schema says', () => {
    const props = AlertConfig.properties as unknown as Record<string, { type?: unknown }>;
    const switches = Object.keys(props).filter((k) => props[k].type === 'boolean' && k.startsWith('disableAll'));
    expect(switches).toHaveLength(12);
    for (const key of switches) {
      const read = normaliseAlertConfig({ [key]: true }) as unknown as Record<string, unknown>;
      expect(read[key], key).toBe(true);
      expect(fieldOf({ [key]: 'yes' })).toBe(key);
    }
    expect(schemaProblem(AlertConfig, JSON.parse(JSON.stringify(configForWire(defaultAlertConfig()))))).toBeUndefined();
  });

  it('accepts the published pmgThresholds name as well as pmgDefaults', () => {
    const c = normaliseAlertConfig({ pmgThresholds: { queueTotalWarning: 42 } });
    expect(c.pmgDefaults.queueTotalWarning).toBe(42);
  });
});

describe('quiet hours wall time', () => {
  const q = {
    enabled: true,
    start: '22:00',
    end: '08:00',
    timezone: 'America/New_York',
    days: {
      monday: true,
      tuesday: true,
      wednesday: true,
      thursday: true,
      friday: true,
      saturday: false,
      sunday: false,
    },
    suppress: { performance: false, storage: false, offline: false },
  };

  it('reads local time through DST changes', () => {
    expect(wallTime(Date.UTC(2026, 2, 8, 6, 59), 'America/New_York')).toEqual({ weekday: 'sunday', minutes: 119 }); // 01:59 EST
    expect(wallTime(Date.UTC(2026, 2, 8, 7, 0), 'America/New_York')).toEqual({ weekday: 'sunday', minutes: 180 }); // 03:00 EDT
    expect(wallTime(Date.UTC(2026, 10, 1, 6, 30), 'America/New_York')).toEqual({ weekday: 'sunday', minutes: 30 + 60 }); // 01:30 (second time, EST)
  });

  it('an overnight window belongs to the day it starts', () => {
    // Friday 2026-01-09 23:00 EST = Sat 04:00 UTC → quiet (Friday enabled)
    expect(inQuietHours(q, Date.UTC(2026, 0, 10, 4, 0))).toBe(true);
    // Saturday 03:00 EST: still Friday's window
    expect(inQuietHours(q, Date.UTC(2026, 0, 10, 8, 0))).toBe(true);
    // Saturday 23:00 EST: Saturday is off
    expect(inQuietHours(q, Date.UTC(2026, 0, 11, 4, 0))).toBe(false);
    // Monday 03:00 EST: Sunday's window, off
    expect(inQuietHours(q, Date.UTC(2026, 0, 12, 8, 0))).toBe(false);
    // Monday 08:00 EST: end is exclusive
    expect(inQuietHours({ ...q, days: { ...q.days, sunday: true } }, Date.UTC(2026, 0, 12, 13, 0))).toBe(false);
    expect(inQuietHours({ ...q, days: { ...q.days, sunday: true } }, Date.UTC(2026, 0, 12, 12, 59))).toBe(true);
  });
});

describe('history query parameters', () => {
  it('parses and defaults', () => {
    expect(parseHistoryQuery({})).toEqual({ limit: 100, offset: 0 });
    expect(
      parseHistoryQuery({
        limit: '0',
        offset: '5',
        startTime: '2026-01-01T00:00:00Z',
        endTime: '2026-01-02T00:00:00+02:00',
        severity: 'critical',
        resourceId: 'pve1-100',
      }),
    ).toEqual({
      limit: 0,
      offset: 5,
      startTime: Date.UTC(2026, 0, 1),
      endTime: Date.UTC(2026, 0, 1, 22),
      severity: 'critical',
      resourceId: 'pve1-100',
    });
    expect(parseHistoryQuery({ severity: 'all' }).severity).toBeUndefined();
  });

  it.each([
    [{ limit: '-1' }],
    [{ limit: 'abc' }],
    [{ limit: '10001' }],
    [{ offset: '1.5' }],
    [{ startTime: 'yesterday' }],
    [{ endTime: '2026-13-01T00:00:00Z' }],
    [{ severity: 'info' }],
    [{ startTime: '2026-01-02T00:00:00Z', endTime: '2026-01-01T00:00:00Z' }],
    [{ limit: ['1', '2'] }],
  ])('rejects %o', (q) => {
    expect(() => parseHistoryQuery(q)).toThrow(QueryError);
  });
});
