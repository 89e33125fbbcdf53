/**
 * `npm run demo`: Pulse on http://127.0.0.1:7655 with its own data directory (./data-demo),
 * the web UI built if it is missing, ready for a newcomer to open in a browser.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startPulse } from '../src/server.js';
import { loadSettings } from '../src/settings/env.js';
import { PROJECT_ROOT } from '../src/version.js';

const webIndex = path.join(PROJECT_ROOT, 'dist', 'web', 'index.html');
if (!fs.existsSync(webIndex)) {
  console.log('Building the web UI (first run only)…');
  execSync('npm run build:web', { cwd: PROJECT_ROOT, stdio: 'inherit' });
}

const settings = loadSettings({
  ...process.env,
  PULSE_DATA_DIR: process.env.PULSE_DATA_DIR ?? path.join(PROJECT_ROOT, 'data-demo'),
  BIND_ADDRESS: process.env.BIND_ADDRESS ?? '127.0.0.1',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
});
const pulse = await startPulse(settings);

console.log('');
console.log(`  Pulse demo is running: ${pulse.url}`);
console.log(`  Data directory:        ${settings.dataDir}`);
console.log('  Press Ctrl+C to stop.');
console.log('');

const stop = async () => {
  await pulse.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
