import { describe, expect, it } from 'vitest';
import { isHttps, isPrivateIp, peerInfo } from './client-ip.js';

describe('peerInfo', () => {
  it('believes forwarding headers only from a loopback peer', () => {
    expect(peerInfo('127.0.0.1', { 'x-forwarded-for': '203.0.113.1, 10.0.0.1' })).toEqual({
      peer: '127.0.0.1',
      client: '203.0.113.1',
      directLocal: false,
      proxied: true,
    });
    expect(peerInfo('198.51.100.2', { 'x-forwarded-for': '127.0.0.1' }).client).toBe('198.51.100.2');
    expect(peerInfo('::ffff:127.0.0.1', {})).toMatchObject({ peer: '127.0.0.1', directLocal: true });
    expect(peerInfo('127.0.0.1', { 'x-forwarded-for': 'not-an-ip' }).client).toBe('127.0.0.1');
  });

  it('a forged X-Forwarded-For from a remote peer does not make it local', () => {
    expect(peerInfo('198.51.100.2', { 'x-forwarded-for': '127.0.0.1' }).directLocal).toBe(false);
  });
});

describe('isPrivateIp / isHttps', () => {
  it.each([
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.0.1', true],
    ['8.8.8.8', false],
    ['fd00::1', true],
    ['2001:db8::1', false],
  ])('%s private=%s', (ip, expected) => {
    expect(isPrivateIp(ip)).toBe(expected);
  });

  it('trusts X-Forwarded-Proto only from loopback', () => {
    expect(isHttps('http', '127.0.0.1', { 'x-forwarded-proto': 'https' })).toBe(true);
    expect(isHttps('http', '203.0.113.1', { 'x-forwarded-proto': 'https' })).toBe(false);
    expect(isHttps('https', '203.0.113.1', {})).toBe(true);
    expect(isHttps('http', '127.0.0.1', { forwarded: 'for=1.2.3.4;proto=https' })).toBe(true);
  });
});
