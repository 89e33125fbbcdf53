import { describe, expect, it } from 'vitest';
import { MetadataValidationError, parseMetadataBody, parseMetadataMap, validateCustomUrl } from './metadata.js';

describe('guest metadata validation', () => {
  it.each(['https://pve.example.com:8006/#v1:0:=qemu%2F100', 'http://10.0.0.5', 'http://[::1]:8080/x', ''])(
    'accepts %s',
    (url) => {
      expect(validateCustomUrl(url)).toBe(url);
    },
  );

  it.each([
    'javascript:alert(1)',
    'data:text/html,x',
    'ftp://h/x',
    '//example.com',
    'example.com',
    'http://',
    'file:///etc/passwd',
  ])('refuses %s', (url) => {
    expect(() => validateCustomUrl(url)).toThrow(MetadataValidationError);
  });

  it('accepts both spellings and replaces fields left out', () => {
    expect(parseMetadataBody('g', { consoleUrl: 'https://a.example', notes: 'n' })).toEqual({
      id: 'g',
      customUrl: 'https://a.example',
      description: 'n',
      tags: null,
    });
    expect(parseMetadataBody('g', { tags: ['a', ' a ', 'b', ''] }).tags).toEqual(['a', 'b']);
    expect(parseMetadataBody('g', { tags: [] }).tags).toEqual([]);
  });

  it('a map from an export is checked entry by entry', () => {
    expect(parseMetadataMap({ g1: { customUrl: 'https://x.example' } })).toHaveLength(1);
    expect(() => parseMetadataMap({ g1: { customUrl: 'javascript:x' } })).toThrow(/g1/);
    expect(() => parseMetadataMap([1])).toThrow(MetadataValidationError);
  });
});
