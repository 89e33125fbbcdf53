/** Guest metadata (published API "Guest Metadata", wire-contract §7.3): both spellings in and out. */
import { type Static, Type } from 'typebox';

/**
 * Tag limits, for the list form here and for the comma-separated form, which the schema sees as
 * one string and src/guest-metadata/metadata.ts splits and holds to the same limits.
 */
export const GUEST_TAGS_MAX = 100;
export const GUEST_TAG_MAX_LENGTH = 100;
/** Guest ids are `<instance>-<node>-<vmid>`; also the limit for ids in a config import. */
export const GUEST_ID_MAX_LENGTH = 300;

const Text = (description: string, maxLength: number) =>
  Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()], { description }));

export const GuestMetadataBody = Type.Object({
  customUrl: Text('Console URL (http or https); empty clears it', 2048),
  consoleUrl: Text('The published API’s name for customUrl', 2048),
  description: Text('Free text', 10_000),
  notes: Text('The published API’s name for description', 10_000),
  tags: Type.Optional(
    Type.Union(
      [
        Type.Array(Type.String({ maxLength: GUEST_TAG_MAX_LENGTH }), { maxItems: GUEST_TAGS_MAX }),
        Type.String(),
        Type.Null(),
      ],
      { description: `A list, or one string split at , or ; (at most ${GUEST_TAGS_MAX} tags either way)` },
    ),
  ),
});

export const GuestMetadataReply = Type.Object({
  id: Type.String(),
  customUrl: Type.String(),
  consoleUrl: Type.String(),
  description: Type.String(),
  notes: Type.String(),
  tags: Type.Union([Type.Array(Type.String()), Type.Null()]),
});
export type GuestMetadataReply = Static<typeof GuestMetadataReply>;

export const GuestMetadataMap = Type.Record(Type.String(), GuestMetadataReply);
export const GuestIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: GUEST_ID_MAX_LENGTH }) });
export const GuestNodeParams = Type.Object({
  node: Type.String({ minLength: 1 }),
  vmid: Type.String({ minLength: 1 }),
});
