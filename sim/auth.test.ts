import { describe, expect, it } from 'vitest';
import {
  checkPermissions,
  hasPrivs,
  PermissionDenied,
  parseTokenHeader,
  privilegesOn,
  TicketAuthority,
} from './auth.js';
import type { Credential } from './estate/model.js';

const cred = (acl: Record<string, string[]>, role = 'admin', userid = 'mon@pve'): Credential => ({ userid, acl, role });

describe('token headers', () => {
  it('parses each product form and rejects the others', () => {
    expect(parseTokenHeader('pve', 'PVEAPIToken=root@pam!pulse=abc-123')).toEqual({
      tokenid: 'root@pam!pulse',
      secret: 'abc-123',
    });
    expect(parseTokenHeader('pbs', 'PBSAPIToken=root@pam!pulse:abc')).toEqual({
      tokenid: 'root@pam!pulse',
      secret: 'abc',
    });
    expect(parseTokenHeader('pbs', 'PBSAPIToken root@pam!pulse:abc')).toEqual({
      tokenid: 'root@pam!pulse',
      secret: 'abc',
    });
    // PMG has no API tokens: no form parses.
    expect(parseTokenHeader('pmg', 'PMGAPIToken=root@pam!pulse=abc')).toBeNull();
    expect(parseTokenHeader('pmg', 'PMGAPIToken=root@pam!pulse:abc')).toBeNull();
    expect(parseTokenHeader('pbs', 'PBSAPIToken=root@pam!pulse=abc')).toBeNull();
    expect(parseTokenHeader('pve', 'PBSAPIToken=root@pam!pulse:abc')).toBeNull();
    expect(parseTokenHeader('pve', 'PVEAPIToken=root@pam=abc')).toBeNull();
  });
});

describe('tickets', () => {
  it('verify, expire after the lifetime, and die on rotation', () => {
    let now = 1_700_000_000_000;
    const t = new TicketAuthority('pve', () => now);
    const ticket = t.issueTicket('root@pam');
    expect(ticket).toMatch(/^PVE:root@pam:[0-9A-F]{8}::/);
    expect(t.verifyTicket(ticket)).toBe('root@pam');
    expect(t.verifyTicket(ticket.replace('root@pam', 'evil@pam'))).toBeNull();
    const csrf = t.issueCsrf('root@pam');
    expect(t.verifyCsrf(csrf, 'root@pam')).toBe(true);
    expect(t.verifyCsrf(csrf, 'other@pam')).toBe(false);
    now += 7201_000;
    expect(t.verifyTicket(ticket)).toBeNull();
    const fresh = t.issueTicket('root@pam');
    t.rotate();
    expect(t.verifyTicket(fresh)).toBeNull();
    expect(new TicketAuthority('pbs', () => now).verifyTicket(fresh)).toBeNull();
  });
});

describe('privileges', () => {
  it('ACL entries propagate to sub-paths only', () => {
    const acl = { '/vms/100': ['VM.Audit'], '/': ['Sys.Audit'] };
    expect([...privilegesOn(acl, '/vms/100')].sort()).toEqual(['Sys.Audit', 'VM.Audit']);
    expect(privilegesOn(acl, '/vms/1000').has('VM.Audit')).toBe(false);
    expect(hasPrivs(cred({ '/': ['*'] }), '/anything', ['X'])).toBe(true);
    expect(hasPrivs(cred({ '/': ['A'] }), '/', ['A', 'B'], true)).toBe(true);
    expect(hasPrivs(cred({ '/': ['A'] }), '/', ['A', 'B'])).toBe(false);
  });

  it('evaluates PVE checks (perm, any, or, and), PBS privilege lists and PMG roles', () => {
    const c = cred({ '/': ['Sys.Audit'], '/storage/local': ['Datastore.Audit'] });
    expect(() =>
      checkPermissions('pve', { check: ['perm', '/nodes/{node}', ['Sys.Audit']] }, c, { node: 'a' }),
    ).not.toThrow();
    expect(() => checkPermissions('pve', { check: ['perm', '/vms/{vmid}', ['VM.Audit']] }, c, { vmid: '100' })).toThrow(
      'Permission check failed (/vms/100, VM.Audit)',
    );
    const anyOf = { check: ['perm', '/storage/{storage}', ['Datastore.Audit', 'Datastore.AllocateSpace'], 'any', 1] };
    expect(() => checkPermissions('pve', anyOf, c, { storage: 'local' })).not.toThrow();
    expect(() => checkPermissions('pve', anyOf, c, { storage: 'nfs' })).toThrow(PermissionDenied);
    const or = { check: ['or', ['perm', '/vms/{vmid}', ['VM.Audit']], ['perm', '/', ['Sys.Audit']]] };
    expect(() => checkPermissions('pve', or, c, { vmid: '1' })).not.toThrow();
    const and = { check: ['and', ['perm', '/', ['Sys.Audit']], ['perm', '/', ['Sys.Modify']]] };
    expect(() => checkPermissions('pve', and, c, {})).toThrow('Sys.Modify');
    expect(() => checkPermissions('pve', { user: 'all', check: ['perm', '/', ['Sys.Modify']] }, c, {})).not.toThrow();
    expect(() => checkPermissions('pve', undefined, c, {})).toThrow(PermissionDenied);
    const pbs = {
      check: { path: ['datastore', '{store}'], privs: ['Datastore.Audit', 'Datastore.Backup'], partial: false },
    };
    expect(() =>
      checkPermissions('pbs', pbs, cred({ '/datastore/main': ['Datastore.Backup'] }), { store: 'main' }),
    ).not.toThrow();
    expect(() =>
      checkPermissions('pbs', pbs, cred({ '/datastore/main': ['Datastore.Backup'] }), { store: 'other' }),
    ).toThrow(PermissionDenied);
    expect(() => checkPermissions('pmg', { check: ['admin', 'audit'] }, cred({}, 'audit'), {})).not.toThrow();
    expect(() => checkPermissions('pmg', { check: ['admin', 'audit'] }, cred({}, 'helpdesk'), {})).toThrow(
      PermissionDenied,
    );
  });
});
