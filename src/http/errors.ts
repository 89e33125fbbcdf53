/**
 * HTTP errors as `{"error": "..."}` replies. Handlers throw HttpError (or return via reply);
 * the app's error handler maps Fastify's own client errors (bad JSON, body too large, wrong
 * content type, schema validation) to the same shape and never leaks a stack trace.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Extra fields merged into the JSON body next to `error`. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, extra?: Record<string, unknown>) => new HttpError(400, message, extra);
export const unauthorized = (message = 'Authentication required') => new HttpError(401, message);
export const forbidden = (message: string, extra?: Record<string, unknown>) => new HttpError(403, message, extra);
export const notFound = (message: string) => new HttpError(404, message);
export const conflict = (message: string) => new HttpError(409, message);

/** Fastify error codes mapped to user-facing messages. */
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'Malformed JSON in request body',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is empty but Content-Type is application/json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Invalid Content-Length',
};

export interface ErrorReply {
  statusCode: number;
  body: Record<string, unknown> & { error: string };
  /** True when the error is ours (a bug), to be logged at error level. */
  internal: boolean;
}

export function toErrorReply(err: unknown): ErrorReply {
  if (err instanceof HttpError) {
    return { statusCode: err.statusCode, body: { ...err.extra, error: err.message }, internal: false };
  }
  const e = err as { statusCode?: number; code?: string; message?: string; validation?: unknown; field?: unknown };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    if (e.code && FASTIFY_MESSAGES[e.code]) {
      return { statusCode: status, body: { error: FASTIFY_MESSAGES[e.code] }, internal: false };
    }
    // Schema validation messages name the field (src/http/validation.ts), e.g. "body.host is required".
    const field = e.validation && typeof e.field === 'string' && e.field ? { field: e.field } : {};
    return { statusCode: status, body: { error: e.message ?? 'Bad request', ...field }, internal: false };
  }
  return { statusCode: 500, body: { error: 'Internal server error' }, internal: true };
}
