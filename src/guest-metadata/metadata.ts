/**
 * Guest metadata (wire contract §7.3): the wire shape and validation of PUT/POST bodies, also
 * used by config import. Types and lengths are the route schema's (GuestMetadataBody); the URL,
 * guest ids and tags given as comma-separated text are checked here. Pure.
 *
 * The published API's example uses `consoleUrl` and `notes`; the contract's shape (and what
 * Pulse 4.24's UI sends) is `customUrl` and `description`. Both spellings are accepted on input
 * and both are emitted (`withAliases`), so a script reads back the names it wrote.
 */
import { conforming, type SchemaProblem } from '../http/schema-check.js';
import {
  GUEST_ID_MAX_LENGTH,
  GUEST_TAG_MAX_LENGTH,
  GUEST_TAGS_MAX,
  GuestMetadataBody,
} from '../schemas/guest-metadata.js';

export interface GuestMetadata {
  id: string;
  customUrl: string;
  description: string;
  /** `null` when tags were never given (as Pulse 4.24 answers for unknown guests). */
  tags: string[] | null;
}

export class MetadataValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataValidationError';
  }
}

/** Metadata as the API answers it: the contract's names plus the published API's. */
export type GuestMetadataWire = GuestMetadata & { consoleUrl: string; notes: string };

export function withAliases(m: GuestMetadata): GuestMetadataWire {
  return { ...m, consoleUrl: m.customUrl, notes: m.description };
}

/** What GET answers for a guest nothing was stored for. */
export function emptyMetadata(id: string): GuestMetadata {
  return { id, customUrl: '', description: '', tags: null };
}

/** Guest ids are opaque (`<instance>-<node>-<vmid>`), but must be short and printable. */
export function validateGuestId(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new MetadataValidationError('guest id is required');
  const id = raw.trim();
  if (id.length > GUEST_ID_MAX_LENGTH)
    throw new MetadataValidationError(`guest id is longer than ${GUEST_ID_MAX_LENGTH} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(id)) throw new MetadataValidationError('guest id contains control characters');
  return id;
}

/**
 * An empty string clears the URL; anything else must be an absolute http(s) URL with a host
 * (its length is the schema's).
 */
export function validateCustomUrl(raw: string): string {
  const url = raw.trim();
  if (url === '') return '';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MetadataValidationError('customUrl must be a valid http or https URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new MetadataValidationError('customUrl must use http or https');
  }
  if (!parsed.hostname) throw new MetadataValidationError('customUrl must include a host');
  return url;
}

const refuse = (p: SchemaProblem) => new MetadataValidationError(`${p.field} ${p.rule}`);

/**
 * Tags trimmed, without empties and repeats. A list's size and tag lengths are the schema's; text
 * like "prod, db" is one string to the schema, so its tags are held to the same limits here.
 */
function parseTags(raw: string[] | string | null | undefined): string[] | null {
  if (raw === undefined || raw === null) return null;
  const list = typeof raw === 'string' ? raw.split(/[,;]/) : raw;
  const out = new Set<string>();
  for (const t of list) {
    const tag = t.trim();
    if (tag === '') continue;
    if (tag.length > GUEST_TAG_MAX_LENGTH) {
      throw new MetadataValidationError(`tags has a tag longer than ${GUEST_TAG_MAX_LENGTH} characters`);
    }
    out.add(tag);
    // Stop at the first tag too many rather than split all of a long text.
    if (out.size > GUEST_TAGS_MAX) throw new MetadataValidationError(`tags has more than ${GUEST_TAGS_MAX} tags`);
  }
  return [...out];
}

/**
 * Parses a PUT/POST body into the metadata to store for `id`. Like Pulse 4.24 the body replaces
 * what was stored: fields left out become empty.
 */
export function parseMetadataBody(id: string, body: unknown): GuestMetadata {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MetadataValidationError('body must be a JSON object');
  }
  const b = conforming(GuestMetadataBody, body, refuse);
  return {
    id,
    customUrl: validateCustomUrl(b.customUrl ?? b.consoleUrl ?? ''),
    description: b.description ?? b.notes ?? '',
    tags: parseTags(b.tags),
  };
}

/**
 * Validates a whole map `{guestId: metadata}` as an export document carries it. Entries are
 * checked like API input, so an import cannot store what the API would refuse.
 */
export function parseMetadataMap(raw: unknown): GuestMetadata[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new MetadataValidationError('guestMetadata must be an object');
  const out: GuestMetadata[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const id = validateGuestId(key);
    try {
      out.push(parseMetadataBody(id, value));
    } catch (err) {
      if (err instanceof MetadataValidationError)
        throw new MetadataValidationError(`guestMetadata["${id}"]: ${err.message}`);
      throw err;
    }
  }
  return out;
}
