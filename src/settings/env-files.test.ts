/** Configuration files: precedence, where the data directory's .env is looked for, the format. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsError } from './env.js';
import { applyEnvFiles, readEnvFiles } from './env-files.js';

function dirs() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-envfiles-'));
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir);
  return { root, dataDir, systemFile: path.join(root, 'pulse.env') };
}

describe('configuration files', () => {
  it('environment over <data dir>/.env over the system file', () => {
    const { root, dataDir, systemFile } = dirs();
    fs.writeFileSync(systemFile, 'LOG_LEVEL=debug\nFRONTEND_PORT=7000\nDISCOVERY_SUBNET=10.0.0.0/24\n');
    fs.writeFileSync(path.join(dataDir, '.env'), 'FRONTEND_PORT=7100\nPULSE_AUTH_USER=admin\n');
    const env: Record<string, string | undefined> = {
      PULSE_ENV_FILE: systemFile,
      PULSE_DATA_DIR: dataDir,
      PULSE_AUTH_USER: 'from-env',
    };
    expect(applyEnvFiles(env, root)).toEqual([systemFile, path.join(dataDir, '.env')]);
    expect(env).toMatchObject({
      LOG_LEVEL: 'debug',
      FRONTEND_PORT: '7100',
      DISCOVERY_SUBNET: '10.0.0.0/24',
      PULSE_AUTH_USER: 'from-env',
    });
  });

  it('finds the data directory through the system file, and a .env cannot move it', () => {
    const { root, dataDir, systemFile } = dirs();
    fs.writeFileSync(systemFile, `PULSE_DATA_DIR=${dataDir}\n`);
    fs.writeFileSync(path.join(dataDir, '.env'), 'PULSE_DATA_DIR=/elsewhere\nAPI_TOKENS=abc\n');
    const { values, files } = readEnvFiles({ PULSE_ENV_FILE: systemFile }, root);
    expect(files).toEqual([systemFile, path.join(dataDir, '.env')]);
    expect(values).toEqual({ PULSE_DATA_DIR: dataDir, API_TOKENS: 'abc' });
  });

  it('reads comments, quotes, export prefixes and empty values', () => {
    const { root, dataDir } = dirs();
    fs.writeFileSync(
      path.join(dataDir, '.env'),
      [
        '# a comment',
        'export PULSE_AUTH_USER=admin',
        'PULSE_AUTH_PASS="pa ss#word"',
        "PULSE_PUBLIC_URL='https://pulse.example.com'",
        'MULTI="a\\nb"',
        'EMPTY=',
        '',
      ].join('\n'),
    );
    const { values } = readEnvFiles({ PULSE_DATA_DIR: dataDir, PULSE_ENV_FILE: path.join(root, 'none') }, root);
    expect(values).toEqual({
      PULSE_AUTH_USER: 'admin',
      PULSE_AUTH_PASS: 'pa ss#word',
      PULSE_PUBLIC_URL: 'https://pulse.example.com',
      MULTI: 'a\nb',
      EMPTY: '',
    });
  });

  it('skips missing files; one that cannot be read is an error naming it', () => {
    const { root, dataDir, systemFile } = dirs();
    expect(readEnvFiles({ PULSE_DATA_DIR: dataDir, PULSE_ENV_FILE: systemFile }, root)).toEqual({
      values: {},
      files: [],
    });
    fs.mkdirSync(path.join(dataDir, '.env'));
    const err = (() => {
      try {
        readEnvFiles({ PULSE_DATA_DIR: dataDir, PULSE_ENV_FILE: systemFile }, root);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SettingsError);
    expect((err as Error).message).toContain(`${path.join(dataDir, '.env')} (EISDIR)`);
  });
});
