/** The running build's identity, read once from package.json. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, whether running from src/ (tsx) or dist/src/ (built). */
export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}

const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };

export const PACKAGE_VERSION: string = pkg.version;

const here = fileURLToPath(import.meta.url);

/**
 * True when this process runs the compiled server (dist/, what `npm start` and the release
 * tarball run), false under tsx from src/ (development).
 */
export const RUNNING_COMPILED: boolean = here.split(path.sep).includes('dist') && here.endsWith('.js');

/** When the running server was built: the compiled module's modification time (RFC3339, UTC). */
export const BUILD_TIME: string = new Date(fs.statSync(here).mtimeMs).toISOString();

/**
 * `release` for the compiled server or NODE_ENV=production, `development` otherwise;
 * PULSE_BUILD overrides both (packagers can name their build).
 */
export function buildKind(settings: { buildLabel?: string; isDevelopment: boolean }): string {
  if (settings.buildLabel) return settings.buildLabel;
  return RUNNING_COMPILED || !settings.isDevelopment ? 'release' : 'development';
}
