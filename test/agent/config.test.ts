import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, nextDelaySeconds, parseInterval } from '../../agent/config.js';

describe('agent settings', () => {
  it('takes the flags of Pulse’s own agent, over the environment', () => {
    const cfg = loadConfig(
      [
        '--url',
        'https://pulse.lan:7655/',
        '--token=abc',
        '--interval',
        '15s',
        '--hostname',
        'h1',
        '--agent-id',
        'a1',
        '--insecure',
      ],
      { PULSE_URL: 'http://other', PULSE_TOKEN: 'zzz', PULSE_INTERVAL: '60' },
    );
    expect(cfg).toEqual({
      url: 'https://pulse.lan:7655',
      token: 'abc',
      intervalSeconds: 15,
      hostname: 'h1',
      agentId: 'a1',
      insecure: true,
      dockerHost: 'unix:///var/run/docker.sock',
      once: false,
    });
  });

  it('reads PULSE_* and DOCKER_HOST from the environment', () => {
    const cfg = loadConfig([], {
      PULSE_URL: 'http://pulse:7655',
      PULSE_TOKEN: 't',
      PULSE_INTERVAL: '2m',
      PULSE_HOSTNAME: 'dock',
      PULSE_AGENT_ID: 'id-1',
      PULSE_INSECURE_SKIP_VERIFY: 'true',
      DOCKER_HOST: 'unix:///run/podman/podman.sock',
    });
    expect(cfg).toMatchObject({
      intervalSeconds: 120,
      hostname: 'dock',
      agentId: 'id-1',
      insecure: true,
      dockerHost: 'unix:///run/podman/podman.sock',
    });
  });

  it('refuses a missing URL or token and bad intervals', () => {
    expect(() => loadConfig(['--token', 't'], {})).toThrow(ConfigError);
    expect(() => loadConfig(['--url', 'http://x'], {})).toThrow(/--token/);
    expect(() => loadConfig(['--url', 'ftp://x', '--token', 't'], {})).toThrow(/http/);
    expect(() => loadConfig(['--bogus'], {})).toThrow(/unknown option/);
    expect(() => parseInterval('0s')).toThrow(/between/);
    expect(() => parseInterval('soon')).toThrow(/invalid interval/);
    expect(parseInterval('1500ms')).toBe(1.5);
  });

  it('backs off while Pulse is unreachable, up to 8 intervals and never past 5 minutes', () => {
    expect([0, 1, 2, 3, 4, 10, 100].map((f) => nextDelaySeconds(30, f))).toEqual([30, 60, 120, 240, 240, 240, 240]);
    expect(nextDelaySeconds(1, 50)).toBe(8);
    expect(nextDelaySeconds(60, 5)).toBe(300);
    expect(nextDelaySeconds(600, 3)).toBe(600);
  });
});
