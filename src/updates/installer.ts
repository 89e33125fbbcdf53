/**
 * How this Pulse was installed, as far as updating goes. A service install (scripts/install.sh)
 * runs from <prefix>/releases/<version>-<time>/ with <prefix>/current pointing at it and the
 * installer's settings in <prefix>/install.conf; anything else (a checkout, Docker) cannot be
 * updated from inside.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface ServiceInstall {
  /** /opt/pulse (under INSTALL_ROOT when installed with --root). */
  prefix: string;
  /** The installer of the running release. */
  script: string;
  /** Where update downloads, requests and results go: <data dir>/updates. */
  updatesDir: string;
  /** true: systemd's pulse-update.path runs the installer as root; false: Pulse starts it itself. */
  systemd: boolean;
}

function readConf(file: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

export function detectServiceInstall(projectRoot: string): ServiceInstall | undefined {
  const releases = path.dirname(projectRoot);
  if (path.basename(releases) !== 'releases') return undefined;
  const prefix = path.dirname(releases);
  const conf = readConf(path.join(prefix, 'install.conf'));
  if (!conf?.DATA_DIR) return undefined;
  const script = path.join(projectRoot, 'scripts', 'install.sh');
  try {
    // Only the release `current` points at may update: an older one left running would roll back.
    if (fs.realpathSync(path.join(prefix, 'current')) !== fs.realpathSync(projectRoot)) return undefined;
    fs.accessSync(script, fs.constants.X_OK);
  } catch {
    return undefined;
  }
  return {
    prefix,
    script,
    // DATA_DIR is the path as the service sees it; a --root install keeps it under INSTALL_ROOT.
    updatesDir: path.join(conf.INSTALL_ROOT ?? '', conf.DATA_DIR, 'updates'),
    systemd: conf.INSTALL_SYSTEMD === '1',
  };
}

/** The installer's last word on an update it ran (written to <updates>/result). */
export interface InstallResult {
  eventId: string;
  status: 'success' | 'rolled_back' | 'failed';
  version: string;
  message: string;
  finishedAt: number;
}

export function readResult(updatesDir: string): InstallResult | undefined {
  const conf = readConf(path.join(updatesDir, 'result'));
  if (!conf?.EVENT_ID) return undefined;
  const status = conf.STATUS === 'success' || conf.STATUS === 'rolled_back' ? conf.STATUS : 'failed';
  return {
    eventId: conf.EVENT_ID,
    status,
    version: conf.VERSION ?? '',
    message: conf.MESSAGE ?? '',
    finishedAt: Number(conf.FINISHED_AT ?? 0) * 1000,
  };
}
