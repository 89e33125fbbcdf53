/**
 * Guest metadata (wire contract §7.3): the wire shape and validation of PUT/POST bodies. Pure.
 *
 * The published API's example uses `consoleUrl` and `notes`; the contract's shape (and what
 * Pulse 4.24's UI sends) is `customUrl` and `description`. Both spellings are accepted on input
 * and both are emitted (`withAliases`), so a script reads back the names it wrote.
 */

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

export const MAX_ID_LENGTH = 300;
const MAX_URL_LENGTH = 2048;
const MAX_DESCRIPTION_LENGTH = 10_000;
const MAX_TAGS = 100;
const MAX_TAG_LENGTH = 100;

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
  if (id.length > MAX_ID_LENGTH)
    throw new MetadataValidationError(`guest id is longer than ${MAX_ID_LENGTH} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(id)) throw new MetadataValidationError('guest id contains control characters');
  return id;
}

/** An empty string clears the URL; anything else must be an absolute http(s) URL with a host. */
export function validateCustomUrl(raw: string): string {
  const url = raw.trim();
  if (url === '') return '';
  if (url.length > MAX_URL_LENGTH)
    throw new MetadataValidationError(`customUrl is longer than ${MAX_URL_LENGTH} characters`);
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

function pickString(body: Record<string, unknown>, names: string[], field: string): string {
  for (const n of names) {
    const v = body[n];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new MetadataValidationError(`${field} must be a string`);
    return v;
  }
  return '';
}

function parseTags(raw: unknown): string[] | null {
  if (raw === undefined || raw === null) return null;
  const list = typeof raw === 'string' ? raw.split(/[,;]/) : raw;
  if (!Array.isArray(list)) throw new MetadataValidationError('tags must be a list of strings');
  const out: string[] = [];
  for (const t of list) {
    if (typeof t !== 'string') throw new MetadataValidationError('tags must be a list of strings');
    const tag = t.trim();
    if (tag === '') continue;
    if (tag.length > MAX_TAG_LENGTH)
      throw new MetadataValidationError(`a tag is longer than ${MAX_TAG_LENGTH} characters`);
    if (!out.includes(tag)) out.push(tag);
  }
  if (out.length > MAX_TAGS) throw new MetadataValidationError(`at most ${MAX_TAGS} tags`);
  return out;
}

/**
 * Parses a PUT/POST body into the metadata to store for `id`. Like Pulse 4.24 the body replaces
 * what was stored: fields left out become empty.
 */
export function parseMetadataBody(id: string, body: unknown): GuestMetadata {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MetadataValidationError('body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  const customUrl = validateCustomUrl(pickString(b, ['customUrl', 'consoleUrl'], 'customUrl'));
  const description = pickString(b, ['description', 'notes'], 'description');
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw new MetadataValidationError(`description is longer than ${MAX_DESCRIPTION_LENGTH} characters`);
  }
  return { id, customUrl, description, tags: parseTags(b.tags) };
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
