/**
 * `npm run sim -- --estate <name|file.json> [--port 0] [--seed N] [--host 127.0.0.1] [--ssh] [--ssh-key id.pub]`
 * Prints exactly one JSON line (ReadyInfo) on stdout once every endpoint listens; runs until
 * SIGINT/SIGTERM.
 */
import fs from 'node:fs';
import { startSimulator } from './index.js';

interface Args {
  estate: string;
  port: number;
  seed?: number;
  host: string;
  /** SSH per PVE node (`--ssh`), with the public keys of `--ssh-key <file.pub>` (repeatable). */
  ssh?: { authorizedKeys: string[] };
}

function parseArgs(argv: string[]): Args {
  const out: Args = {
    estate: 'demo',
    port: 0,
    host: '127.0.0.1',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--estate':
        out.estate = value();
        break;
      case '--port':
        out.port = Number(value());
        break;
      case '--seed':
        out.seed = Number(value());
        break;
      case '--host':
        out.host = value();
        break;
      case '--ssh':
        out.ssh ??= { authorizedKeys: [] };
        break;
      case '--ssh-key':
        out.ssh ??= { authorizedKeys: [] };
        out.ssh.authorizedKeys.push(fs.readFileSync(value(), 'utf8').trim());
        break;
      case '--help':
        process.stderr.write(
          'usage: sim --estate <demo|small|large|xlarge|mixed|file.json> [--port 0] [--seed N] [--host 127.0.0.1] [--ssh] [--ssh-key id.pub]\n',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) throw new Error('--port must be 0..65535');
  if (out.seed !== undefined && !Number.isInteger(out.seed)) throw new Error('--seed must be an integer');
  return out;
}

try {
  const args = parseArgs(process.argv.slice(2));
  const sim = await startSimulator(args);
  process.stdout.write(`${JSON.stringify(sim.ready)}\n`);
  const stop = async () => {
    await sim.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (e) {
  process.stderr.write(`sim: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
