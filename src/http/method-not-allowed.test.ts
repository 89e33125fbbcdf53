import { describe, expect, it } from 'vitest';
import { patternRegExp, RouteMethods, routePath } from './method-not-allowed.js';

describe('RouteMethods', () => {
  const known = new RouteMethods();
  known.add('GET', '/api/health');
  known.add('POST', '/api/alerts/:id/acknowledge');
  known.add('GET', '/api/guests/metadata/:node/:vmid');
  known.add('PUT', '/api/guests/metadata/:node/:vmid');
  known.add('GET', '/files/*');

  it('lists the methods of a path, HEAD with GET and OPTIONS with any', () => {
    expect(known.allowed('/api/health')).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(known.allowed('/api/guests/metadata/pve1/100?x=1')).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT']);
    expect(known.allowed('/api/alerts/a%2Fb/acknowledge')).toEqual(['OPTIONS', 'POST']);
    expect(known.allowed('/files/a/b/c.txt')).toEqual(['GET', 'HEAD', 'OPTIONS']);
  });

  it('ignores trailing and duplicate slashes like the router; unknown paths have none', () => {
    expect(known.allowed('//api//health/')).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(known.allowed('/api/alerts/x/acknowledge/extra')).toEqual([]);
    expect(known.allowed('/api/healthz')).toEqual([]);
  });

  it('matches parameters within one segment and escapes literal characters', () => {
    expect(patternRegExp('/api/a.b/:id').test('/api/a.b/7')).toBe(true);
    expect(patternRegExp('/api/a.b/:id').test('/api/axb/7')).toBe(false);
    expect(patternRegExp('/api/:id').test('/api/x/y')).toBe(false);
    expect(routePath('/')).toBe('/');
  });
});
