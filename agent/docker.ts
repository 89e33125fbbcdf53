/**
 * Docker Engine API client (also Podman's Docker-compatible socket): DOCKER_HOST may be
 * unix:///path/to/docker.sock, tcp://host:port or http(s)://host:port.
 */
import { HttpError, request } from './http.js';

export class DockerUnavailable extends Error {}

const MAX_BODY = 32 * 1024 * 1024;

export class DockerClient {
  readonly #base: string;
  readonly #socketPath?: string;

  constructor(dockerHost: string) {
    if (dockerHost.startsWith('unix://')) {
      this.#socketPath = dockerHost.slice('unix://'.length);
      this.#base = 'http://docker';
    } else if (dockerHost.startsWith('tcp://')) {
      this.#base = `http://${dockerHost.slice('tcp://'.length)}`;
    } else if (/^https?:\/\//.test(dockerHost)) {
      this.#base = dockerHost.replace(/\/+$/, '');
    } else if (dockerHost.startsWith('/')) {
      this.#socketPath = dockerHost;
      this.#base = 'http://docker';
    } else {
      throw new Error(`unsupported DOCKER_HOST "${dockerHost}" (use unix:///path or tcp://host:port)`);
    }
  }

  get describe(): string {
    return this.#socketPath ?? this.#base;
  }

  async get<T>(path: string, timeoutMs = 10_000): Promise<T> {
    return JSON.parse(await this.#call('GET', path, timeoutMs)) as T;
  }

  async post(path: string, timeoutMs = 30_000): Promise<void> {
    await this.#call('POST', path, timeoutMs);
  }

  async #call(method: 'GET' | 'POST', path: string, timeoutMs: number): Promise<string> {
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request({
        method,
        url: `${this.#base}${path}`,
        socketPath: this.#socketPath,
        timeoutMs,
        maxBytes: MAX_BODY,
      });
    } catch (err) {
      const code = err instanceof HttpError && err.code ? ` (${err.code})` : '';
      throw new DockerUnavailable(`Docker API at ${this.describe} unreachable: ${(err as Error).message}${code}`);
    }
    if (res.status >= 400) {
      throw new Error(`Docker API ${method} ${path} answered ${res.status}: ${res.body.slice(0, 200).trim()}`);
    }
    return res.body;
  }
}
