/**
 * pulse-docker-agent: every interval, read the Docker Engine API and post the report to Pulse
 * (wire contract §8); carry out the `stop` command Pulse may answer with. Neither Pulse being
 * down nor the Docker socket being unavailable ends it: it logs the error and tries again later,
 * backing off while Pulse is unreachable. Nothing is queued between attempts (each attempt
 * collects afresh), so memory stays flat however long Pulse is away.
 */
import { execFile } from 'node:child_process';
import { Collector } from './collect.js';
import { type AgentConfig, ConfigError, loadConfig, nextDelaySeconds, USAGE } from './config.js';
import { DockerClient } from './docker.js';
import { request } from './http.js';

declare const __PULSE_AGENT_VERSION__: string | undefined;
export const AGENT_VERSION = typeof __PULSE_AGENT_VERSION__ === 'string' ? __PULSE_AGENT_VERSION__ : '0.0.0-dev';

const PULSE_TIMEOUT_MS = 15_000;
const PULSE_MAX_BODY = 1024 * 1024;

function log(level: 'info' | 'warn' | 'error', msg: string): void {
  process.stderr.write(`${new Date().toISOString()} ${level} ${msg}\n`);
}

interface Command {
  id: string;
  type: string;
}

interface ReportAnswer {
  hostId?: string;
  commands?: Command[];
}

class Agent {
  readonly #cfg: AgentConfig;
  readonly #docker: DockerClient;
  readonly #collector: Collector;
  #failures = 0;
  #lastError = '';
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(cfg: AgentConfig) {
    this.#cfg = cfg;
    this.#docker = new DockerClient(cfg.dockerHost);
    this.#collector = new Collector(this.#docker, {
      hostname: cfg.hostname,
      agentId: cfg.agentId,
      version: AGENT_VERSION,
      intervalSeconds: cfg.intervalSeconds,
    });
  }

  #headers(): Record<string, string> {
    return {
      'Content-Type': 'application/json',
      'X-API-Token': this.#cfg.token,
      Authorization: `Bearer ${this.#cfg.token}`,
      'User-Agent': `pulse-docker-agent/${AGENT_VERSION}`,
    };
  }

  async #post(path: string, body: unknown): Promise<{ status: number; body: string }> {
    return request({
      method: 'POST',
      url: `${this.#cfg.url}${path}`,
      headers: this.#headers(),
      body: JSON.stringify(body),
      timeoutMs: PULSE_TIMEOUT_MS,
      maxBytes: PULSE_MAX_BODY,
      insecure: this.#cfg.insecure,
    });
  }

  /** One report; true when Pulse accepted it. */
  async once(): Promise<boolean> {
    let report: Awaited<ReturnType<Collector['collect']>>;
    try {
      report = await this.#collector.collect();
    } catch (err) {
      this.#fail(`cannot read Docker: ${(err as Error).message}`);
      return false;
    }
    let res: { status: number; body: string };
    try {
      res = await this.#post('/api/agents/docker/report', report);
    } catch (err) {
      this.#fail(`cannot reach Pulse at ${this.#cfg.url}: ${(err as Error).message}`);
      return false;
    }
    if (res.status < 200 || res.status >= 300) {
      this.#fail(`Pulse refused the report (${res.status}): ${res.body.slice(0, 300).trim()}`);
      return false;
    }
    if (this.#failures > 0) log('info', `reporting again after ${this.#failures} failed attempt(s)`);
    this.#failures = 0;
    this.#lastError = '';
    let answer: ReportAnswer = {};
    try {
      answer = JSON.parse(res.body) as ReportAnswer;
    } catch {
      log('warn', 'Pulse answered with something that is not JSON');
    }
    for (const cmd of answer.commands ?? []) await this.#command(cmd, answer.hostId);
    return true;
  }

  #fail(message: string): void {
    this.#failures++;
    // The same error every interval would flood the journal; say it once, then when it changes.
    if (message !== this.#lastError) log('error', message);
    this.#lastError = message;
  }

  async #command(cmd: Command, hostId: string | undefined): Promise<void> {
    if (cmd.type !== 'stop') {
      log('warn', `ignoring unknown command ${cmd.type}`);
      return;
    }
    log('info', 'Pulse asked this agent to stop (host removed in Pulse)');
    try {
      const res = await this.#post(`/api/agents/docker/commands/${encodeURIComponent(cmd.id)}/ack`, {
        hostId,
        status: 'completed',
        message: 'Agent stopped',
      });
      if (res.status >= 300) log('warn', `acknowledging the stop command failed (${res.status})`);
    } catch (err) {
      log('warn', `acknowledging the stop command failed: ${(err as Error).message}`);
    }
    await disableService();
    this.stop(0);
  }

  run(): void {
    const tick = async () => {
      await this.once();
      if (this.#stopping) return;
      const delay = nextDelaySeconds(this.#cfg.intervalSeconds, this.#failures);
      this.#timer = setTimeout(tick, delay * 1000);
    };
    void tick();
  }

  stop(code: number): void {
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    process.exit(code);
  }
}

/** Under the unit our install script writes, a stop also disables the service so a reboot does not restart it. */
function disableService(): Promise<void> {
  const unit = process.env.PULSE_AGENT_SERVICE;
  if (!unit) return Promise.resolve();
  return new Promise((resolve) => {
    execFile('systemctl', ['disable', unit], { timeout: 10_000 }, () => resolve());
  });
}

async function main(): Promise<void> {
  let cfg: ReturnType<typeof loadConfig>;
  try {
    cfg = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pulse-docker-agent: ${err.message}\n${USAGE}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (cfg === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (cfg === 'version') {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return;
  }
  const agent = new Agent(cfg);
  process.once('SIGTERM', () => agent.stop(0));
  process.once('SIGINT', () => agent.stop(0));
  log(
    'info',
    `pulse-docker-agent ${AGENT_VERSION}: reporting to ${cfg.url} every ${cfg.intervalSeconds} s from ${cfg.dockerHost}`,
  );
  if (cfg.once) {
    process.exit((await agent.once()) ? 0 : 1);
  }
  agent.run();
}

main().catch((err) => {
  process.stderr.write(`pulse-docker-agent: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
