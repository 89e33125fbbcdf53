/**
 * Configuration files read at start, before the settings are parsed:
 *
 *   1. the process environment (always wins);
 *   2. `<data dir>/.env`;
 *   3. `/etc/pulse/pulse.env` (the service install's file; PULSE_ENV_FILE names another one).
 *
 * The files use the dotenv format Node itself reads (`util.parseEnv`: KEY=value, `#` comments,
 * single/double/back quotes, `\n` in double quotes, an optional `export ` prefix). The data
 * directory comes from the environment, else from the system file, else ./data; a `.env` inside
 * the data directory cannot move it. A missing file is skipped; one that exists but cannot be
 * read is a SettingsError naming it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { loadSettings, type Settings, SettingsError } from './env.js';

export const SYSTEM_ENV_FILE = '/etc/pulse/pulse.env';

type Env = Record<string, string | undefined>;

export interface EnvFiles {
  /** The values of the files, the later file's value kept where both set one (data dir over system). */
  values: Record<string, string>;
  /** Files that were read, in the order applied. */
  files: string[];
}

function readEnvFile(file: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new SettingsError('PULSE_ENV_FILE', `cannot read ${file} (${code ?? String(err)})`);
  }
  // parseEnv drops a leading `export ` itself only on newer Node versions; strip it here.
  const cleaned = text.replace(/^[ \t]*export[ \t]+(?=[A-Za-z_][A-Za-z0-9_]*[ \t]*=)/gm, '');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseEnv(cleaned))) if (v !== undefined) out[k] = v;
  return out;
}

/** Reads the system file and the data directory's `.env` (see the module comment). */
export function readEnvFiles(env: Env, cwd: string = process.cwd()): EnvFiles {
  const systemFile = env.PULSE_ENV_FILE?.trim() || SYSTEM_ENV_FILE;
  const files: string[] = [];
  const values: Record<string, string> = {};
  const system = readEnvFile(systemFile);
  if (system) {
    files.push(systemFile);
    Object.assign(values, system);
  }
  const dataDir = path.resolve(cwd, env.PULSE_DATA_DIR?.trim() || system?.PULSE_DATA_DIR?.trim() || './data');
  const dataFile = path.join(dataDir, '.env');
  const local = readEnvFile(dataFile);
  if (local) {
    files.push(dataFile);
    const { PULSE_DATA_DIR: _ignored, ...rest } = local;
    Object.assign(values, rest);
  }
  return { values, files };
}

/**
 * Puts the files' values into `env` (process.env by default) where the environment does not set
 * them (or sets them empty), so everything that reads the environment later sees one picture. Returns the files read.
 */
export function applyEnvFiles(env: Env = process.env, cwd: string = process.cwd()): string[] {
  const { values, files } = readEnvFiles(env, cwd);
  // An empty variable counts as unset, as loadSettings reads it.
  for (const [k, v] of Object.entries(values)) if (env[k] === undefined || env[k] === '') env[k] = v;
  return files;
}

/**
 * What main.ts starts with: the configuration files applied under the process environment, then
 * the settings parsed from it. Throws SettingsError; `files` names the files read (never their values).
 */
export function loadProcessSettings(): { settings: Settings; files: string[] } {
  const files = applyEnvFiles(process.env);
  return { settings: loadSettings(process.env), files };
}
