/**
 * Shapes shared by every route area: the error reply, the plain success reply, and helpers for
 * the conventions of the published API. Schemas under src/schemas/ import only typebox, so the
 * server's routes and the web UI (types only) can both depend on them.
 */
import { type TSchema, Type } from 'typebox';

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
