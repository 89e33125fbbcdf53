/**
 * Shapes shared by every route area: the error reply, the plain success reply, and helpers for
 * the conventions of the published API. Schemas under src/schemas/ import only typebox, so the
 * server's routes and the web UI (types only) can both depend on them.
 */
import { type Static, type TSchema, Type } from 'typebox';

/** Every 4xx/5xx: `{"error": "…"}`; validation failures add the field, some errors add context. */
export const ErrorReply = Type.Object(
  {
    error: Type.String({ description: 'What went wrong, in a sentence' }),
    field: Type.Optional(Type.String({ description: 'The offending field, when one is to blame' })),
  },
  { additionalProperties: true },
);

/** `{"status": "success"}` with an optional message, as the published API answers writes. */
export const SuccessReply = Type.Object(
  { status: Type.Literal('success'), message: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

/** An object whose documented fields are checked and whose other fields pass through untouched. */
export const Open = <T extends Record<string, TSchema>>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: true, ...(description ? { description } : {}) });

/** The error replies most routes can give, to spread into a route's `response`. */
export const CLIENT_ERRORS = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply } as const;

/**
 * `schema` or null, written as a type list (`["integer","null"]`) rather than anyOf: Fastify's
 * validator coerces types, and inside anyOf it would turn 0, "" or false into null.
 */
function orNull<T extends TSchema>(schema: T) {
  const s = schema as TSchema & { type?: unknown; enum?: unknown[] };
  const nullable =
    typeof s.type === 'string'
      ? { ...s, type: [s.type, 'null'] }
      : Array.isArray(s.enum)
        ? { ...s, enum: [...s.enum, null] }
        : { anyOf: [s, { type: 'null' }] };
  return Type.Unsafe<Static<T> | null>(nullable);
}

/** A body a client may leave out entirely (Fastify then validates it as null) or send as described. */
export const OptionalBody = <T extends TSchema>(body: T) =>
  Type.Unsafe<Static<T> | null>({ ...orNull(body), description: 'May be omitted' });

/** A field a client may leave out or send as null (meaning "keep" or "the default"). */
export const Maybe = <T extends TSchema>(schema: T) => Type.Optional(orNull(schema));

/** For writes that take no input: nothing, null or an empty object. */
export const NoBody = OptionalBody(Type.Object({}, { description: 'No input needed' }));
