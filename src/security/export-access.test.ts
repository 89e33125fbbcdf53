import { describe, expect, it } from 'vitest';
import { canExport } from './export-access.js';

const configured = { requiresAuth: () => true };
const open = { requiresAuth: () => false };

describe('canExport', () => {
  it('needs credentials once auth is configured, wherever the caller is', () => {
    expect(canExport(configured, { auth: null, clientIp: '192.168.1.5' })).toBe(false);
    expect(canExport(configured, { auth: { method: 'readonly', admin: false }, clientIp: '10.0.0.1' })).toBe(false);
    expect(canExport(configured, { auth: { method: 'token', admin: true }, clientIp: '8.8.8.8' })).toBe(true);
    expect(canExport(configured, { auth: { method: 'session', admin: true }, clientIp: '8.8.8.8' })).toBe(true);
  });

  it('without auth: private networks, or anyone with ALLOW_UNPROTECTED_EXPORT', () => {
    expect(canExport(open, { auth: { method: 'open', admin: true }, clientIp: '192.168.1.5' })).toBe(true);
    expect(canExport(open, { auth: { method: 'open', admin: true }, clientIp: '203.0.113.9' })).toBe(false);
    expect(canExport(open, { auth: { method: 'open', admin: true }, clientIp: '203.0.113.9' }, true)).toBe(true);
  });
});
