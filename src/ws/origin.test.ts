import { describe, expect, it } from 'vitest';
import { isLocalHostname, isOriginAllowed, selfOrigin } from './origin.js';

const base = { host: 'pulse.example.com:7655', encrypted: false };

describe('websocket origin check', () => {
  it('allows no origin and the server itself', () => {
    expect(isOriginAllowed({ ...base }, [])).toBe(true);
    expect(isOriginAllowed({ ...base, origin: 'http://pulse.example.com:7655' }, [])).toBe(true);
  });
  it('derives the scheme from proxies and TLS', () => {
    expect(selfOrigin({ ...base, forwardedProto: 'wss, http' })).toBe('https://pulse.example.com:7655');
    expect(selfOrigin({ ...base, forwardedScheme: 'https' })).toBe('https://pulse.example.com:7655');
    expect(selfOrigin({ ...base, encrypted: true, forwardedHost: 'mon.example.org' })).toBe('https://mon.example.org');
    expect(isOriginAllowed({ ...base, origin: 'http://pulse.example.com:7655', forwardedProto: 'https' }, [])).toBe(
      false,
    );
  });
  it('rejects foreign public origins unless allowed', () => {
    expect(isOriginAllowed({ ...base, origin: 'https://evil.example.net' }, [])).toBe(false);
    expect(isOriginAllowed({ ...base, origin: 'https://evil.example.net' }, ['https://other.example'])).toBe(false);
    expect(isOriginAllowed({ ...base, origin: 'https://evil.example.net' }, ['https://evil.example.net'])).toBe(true);
    expect(isOriginAllowed({ ...base, origin: 'https://evil.example.net' }, ['*'])).toBe(true);
    expect(isOriginAllowed({ ...base, origin: 'not a url' }, [])).toBe(false);
  });
  it('with an allow-list, private origins need to be listed too', () => {
    expect(isOriginAllowed({ ...base, origin: 'http://192.168.1.5:3000' }, ['https://a.example'])).toBe(false);
  });
  it('allows local and private origins when no list is configured', () => {
    for (const o of [
      'http://localhost:5173',
      'http://127.0.0.1:7655',
      'http://10.1.2.3',
      'http://172.20.0.1',
      'http://192.168.1.5:3000',
      'http://[::1]:7655',
      'http://[fd00::1]',
      'http://pulse.local',
      'http://nas.lan:8080',
    ]) {
      expect(isOriginAllowed({ ...base, origin: o }, []), o).toBe(true);
    }
    for (const h of ['172.32.0.1', '8.8.8.8', 'example.com', '2001:db8::1', 'local.example.com']) {
      expect(isLocalHostname(h), h).toBe(false);
    }
  });
});
