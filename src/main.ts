/**
 * Entry point: read settings, start Pulse, stop cleanly on SIGINT/SIGTERM.
 * Exit codes: 0 clean stop, 1 failure while running or starting, 2 invalid configuration.
 */
import { KeyFileError } from './crypto/key-file.js';
import { DatabaseFileError } from './db/database.js';
import { createLogger } from './logging.js';
import { startPulse } from './server.js';
import { type Settings, SettingsError } from './settings/env.js';
import { loadProcessSettings } from './settings/env-files.js';

const SHUTDOWN_DEADLINE_MS = 5000;

async function main(): Promise<void> {
  let settings: Settings;
  let envFiles: string[];
  try {
    // /etc/pulse/pulse.env and <data dir>/.env fill in what the environment does not set.
    ({ settings, files: envFiles } = loadProcessSettings());
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`pulse: invalid setting ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  const logger = createLogger({ level: settings.logLevel });
  // Names only: the files may hold passwords and tokens.
  if (envFiles.length > 0) logger.info({ files: envFiles }, 'read settings from configuration files');
  let pulse: Awaited<ReturnType<typeof startPulse>>;
  try {
    pulse = await startPulse(settings, { logger });
  } catch (err) {
    if (err instanceof KeyFileError || err instanceof DatabaseFileError) {
      process.stderr.write(`pulse: ${err.message}\n`);
      process.exit(2);
    }
    // Settings checked at start-up rather than parse time (e.g. an unreadable TLS certificate).
    if (err instanceof SettingsError) {
      process.stderr.write(`pulse: invalid setting ${err.message}\n`);
      process.exit(2);
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      process.stderr.write(`pulse: cannot listen on ${settings.bindAddress}:${settings.port} (${code})\n`);
      process.exit(1);
    }
    logger.fatal({ err }, 'failed to start');
    process.exit(1);
  }

  logger.info({ url: pulse.url, dataDir: settings.dataDir }, `Pulse listening on ${pulse.url}`);

  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took longer than 5 s; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    timer.unref();
    pulse.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`pulse: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
