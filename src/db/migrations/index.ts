/** Every migration, in order. Add new files here. */
import { migration001 } from './001_core.js';
import type { Migration } from './types.js';

export const migrations: readonly Migration[] = [migration001];
