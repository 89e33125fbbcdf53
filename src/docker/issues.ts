/**
 * Container problems at a glance (published API, Docker Agent Integration: hosts carry `issues`
 * and `recentExitCodes` so external tooling can mimic the Docker workspace). Pulse 4.24 did not
 * emit these keys; they are additive. Pure: a container, what we knew of it before, and what the
 * agent itself reported in, the annotated container out.
 */
import type { DockerContainer } from '../model/docker.js';

export const MAX_RECENT_EXIT_CODES = 10;
/** Usage of its memory limit at or above which a container counts as under memory pressure. */
export const MEMORY_PRESSURE_PCT = 90;

/**
 * Exit codes of recent runs, newest last. The agent's own list wins when it sends one; otherwise
 * a run that ended since the previous report (a new `finishedAt`) appends its exit code.
 */
export function recentExitCodes(c: DockerContainer, prev: DockerContainer | undefined, agent?: number[]): number[] {
  if (agent) return agent.slice(-MAX_RECENT_EXIT_CODES);
  const known = prev?.recentExitCodes ?? [];
  const ended = c.finishedAt !== undefined && c.finishedAt !== prev?.finishedAt;
  const out = ended ? [...known, c.exitCode] : [...known];
  return out.slice(-MAX_RECENT_EXIT_CODES);
}

export function containerIssues(c: DockerContainer, prev: DockerContainer | undefined, agent?: string[]): string[] {
  const out: string[] = [];
  const state = c.state.toLowerCase();
  if ((c.health ?? '').toLowerCase() === 'unhealthy') out.push('health check failing');
  if (state === 'restarting') out.push('restarting');
  else if (prev && c.restartCount > prev.restartCount) {
    out.push(`restarted ${c.restartCount - prev.restartCount} time(s) since the last report`);
  }
  if (state === 'exited' || state === 'dead') {
    // 143 is SIGTERM: what `docker stop` sends, not a failure.
    if (c.exitCode === 137) out.push('killed (exit 137: SIGKILL, often out of memory)');
    else if (c.exitCode !== 0 && c.exitCode !== 143) out.push(`exited with code ${c.exitCode}`);
  }
  if (state === 'running' && c.memoryLimitBytes > 0) {
    const pct = (c.memoryUsageBytes / c.memoryLimitBytes) * 100;
    if (pct >= MEMORY_PRESSURE_PCT) out.push(`memory at ${Math.round(pct)}% of its limit`);
  }
  for (const a of agent ?? []) if (!out.includes(a)) out.push(a);
  return out;
}

/**
 * The container with `issues` and `recentExitCodes` filled in. On input those fields hold what
 * the agent reported itself, if anything.
 */
export function annotate(c: DockerContainer, prev: DockerContainer | undefined): DockerContainer {
  return {
    ...c,
    issues: containerIssues(c, prev, c.issues),
    recentExitCodes: recentExitCodes(c, prev, c.recentExitCodes),
  };
}

/** Host-level summary: each container's issues, prefixed with its name. */
export function hostIssues(containers: readonly DockerContainer[]): string[] {
  const out: string[] = [];
  for (const c of containers) for (const i of c.issues ?? []) out.push(`${c.name}: ${i}`);
  return out;
}
