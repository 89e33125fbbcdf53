/** POST /api/login and /api/logout (wire-contract §4.3). */
import { Type } from 'typebox';
import { Open } from './common.js';

export const LoginBody = Open({
  username: Type.String({ minLength: 1, maxLength: 256 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});

export const LoginOk = Type.Object({ success: Type.Literal(true), message: Type.String() });

/** invalid_credentials (401, with attempts left or the lock), account_locked (403), rate_limit (429), … */
export const LoginRefused = Open({
  error: Type.String(),
  message: Type.Optional(Type.String()),
  attempts: Type.Optional(Type.Integer()),
  remaining: Type.Optional(Type.Integer()),
  maxAttempts: Type.Optional(Type.Integer()),
  locked: Type.Optional(Type.Boolean()),
  lockoutDuration: Type.Optional(Type.String()),
  lockedUntil: Type.Optional(Type.String({ description: 'RFC3339' })),
  remainingMinutes: Type.Optional(Type.Integer()),
});
