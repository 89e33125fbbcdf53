/**
 * A benchmark helper script (bench/state-client.ts, bench/floor-client.ts) in its own Node process,
 * driven over IPC: `call(msg)` sends `{...msg, id}` and resolves with the reply carrying that id.
 * Separate processes keep the helpers' work (decoding megabytes, the floor's parsing) out of the
 * CPU and memory figures of the Pulse process being measured.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/version.js';

export interface HelperProcess {
  call<T>(msg: object): Promise<T>;
  /** Asks the helper to exit, and kills it. */
  stop(): void;
}

/** Starts bench/<script> (run from source with tsx; PROJECT_ROOT because benchmarks may be bundled). */
export function startHelper(script: string, args: string[] = []): HelperProcess {
  const child = fork(path.join(PROJECT_ROOT, 'bench', script), args, { execArgv: ['--import', 'tsx'] });
  let seq = 0;
  return {
    call: <T>(msg: object): Promise<T> =>
      new Promise((resolve) => {
        const id = ++seq;
        const on = (m: { id: number }) => {
          if (m.id !== id) return;
          child.off('message', on);
          resolve(m as T);
        };
        child.on('message', on);
        child.send({ ...msg, id });
      }),
    stop: () => {
      if (child.connected) child.send({ op: 'exit', id: 0 });
      child.kill();
    },
  };
}

/** Replies of bench/state-client.ts. */
export type Get = { times: number[]; clientGc?: number[]; bytes: number; wireBytes: number; error?: string };
export type WsStats = { types: Record<string, { count: number; lastBytes: number }> };
