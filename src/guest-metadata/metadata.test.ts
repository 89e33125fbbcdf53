import { describe, expect, it } from 'vitest';
import { GuestIdParams, GuestMetadataBody } from '../schemas/guest-metadata.js';
import { MetadataValidationError, parseMetadataBody, parseMetadataMap, validateCustomUrl } from './metadata.js';

type JsonSchema = { maxItems?: number; maxLength?: number; items?: JsonSchema; anyOf?: JsonSchema[] };
const schemaOf = (s: unknown) => s as JsonSchema;
/** The tag list as the route schema declares it (`tags: list | text | null`). */
const tagList = schemaOf(GuestMetadataBody.properties.tags).anyOf?.find((s) => s.items) as JsonSchema;
const maxTags = tagList.maxItems as number;
const maxTagLength = tagList.items?.maxLength as number;
const tags = (n: number, prefix = 't') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MetadataValidationError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

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

  it('tags as a list or as comma-separated text are held to the limits the route schema declares', () => {
    expect(maxTags).toBe(100);
    expect(parseMetadataBody('g', { tags: tags(maxTags) }).tags).toHaveLength(maxTags);
    expect(parseMetadataBody('g', { tags: tags(maxTags).join(', ') }).tags).toHaveLength(maxTags);
    expect(refusal(() => parseMetadataBody('g', { tags: tags(maxTags + 1) }))).toBe(
      `tags must NOT have more than ${maxTags} items`,
    );
    expect(refusal(() => parseMetadataBody('g', { tags: tags(maxTags + 1).join(',') }))).toBe(
      `tags has more than ${maxTags} tags`,
    );
    // Repeats count once, in text as in a list.
    expect(parseMetadataBody('g', { tags: [...tags(maxTags), ...tags(maxTags)].join(';') }).tags).toHaveLength(maxTags);
    const long = 'x'.repeat(maxTagLength + 1);
    expect(refusal(() => parseMetadataBody('g', { tags: [long] }))).toBe(
      `tags[0] must NOT have more than ${maxTagLength} characters`,
    );
    expect(refusal(() => parseMetadataBody('g', { tags: `ok,${long}` }))).toBe(
      `tags has a tag longer than ${maxTagLength} characters`,
    );
  });

  it('a config import is held to the route schema: lengths, types and guest ids', () => {
    const props = GuestMetadataBody.properties;
    const longest = (field: keyof typeof props) =>
      schemaOf(props[field]).anyOf?.find((s) => s.maxLength)?.maxLength as number;
    const description = 'd'.repeat(longest('description'));
    expect(parseMetadataMap({ g: { description } })[0].description).toBe(description);
    expect(refusal(() => parseMetadataMap({ g: { notes: `${description}d` } }))).toBe(
      `guestMetadata["g"]: notes must NOT have more than ${longest('notes')} characters`,
    );
    expect(refusal(() => parseMetadataMap({ g: { tags: tags(maxTags + 1) } }))).toBe(
      `guestMetadata["g"]: tags must NOT have more than ${maxTags} items`,
    );
    expect(refusal(() => parseMetadataMap({ g: { description: 5 } }))).toBe(
      'guestMetadata["g"]: description must be string',
    );
    const idLength = schemaOf(GuestIdParams.properties.id).maxLength as number;
    expect(parseMetadataMap({ ['i'.repeat(idLength)]: {} })).toHaveLength(1);
    expect(refusal(() => parseMetadataMap({ ['i'.repeat(idLength + 1)]: {} }))).toBe(
      `guest id is longer than ${idLength} characters`,
    );
  });
});
