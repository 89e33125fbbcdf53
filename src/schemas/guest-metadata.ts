/** Guest metadata (published API "Guest Metadata", wire-contract §7.3): both spellings in and out. */
import { type Static, Type } from 'typebox';

const Text = (description: string, maxLength: number) =>
  Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()], { description }));

export const GuestMetadataBody = Type.Object({
  customUrl: Text('Console URL (http or https); empty clears it', 2048),
  consoleUrl: Text('The published API’s name for customUrl', 2048),
  description: Text('Free text', 10_000),
  notes: Text('The published API’s name for description', 10_000),
  tags: Type.Optional(
    Type.Union([Type.Array(Type.String({ maxLength: 100 }), { maxItems: 1000 }), Type.String(), Type.Null()], {
      description: 'A list, or one string split at , or ;',
    }),
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
export const GuestIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 300 }) });
export const GuestNodeParams = Type.Object({
  node: Type.String({ minLength: 1 }),
  vmid: Type.String({ minLength: 1 }),
});
