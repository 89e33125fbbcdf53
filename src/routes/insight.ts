/**
 * Answers Pulse computes beyond the live state:
 *   GET /api/storage/forecast   storage-full forecasts (src/forecast/), soonest first
 *   GET /api/backups/coverage   the backup coverage audit (src/backups/), guests at risk first
 *   GET /api/backups/policy     the coverage policy; PUT (admin) replaces it
 * Documented in docs/INSIGHT.md.
 */
import type { FastifyInstance } from 'fastify';
import type { CoverageReason } from '../backups/coverage.js';
import { PolicyError } from '../backups/policy.js';
import { badRequest } from '../http/errors.js';
import type { Services } from '../services.js';

const REASONS: readonly CoverageReason[] = ['no-backup', 'stale', 'unverified', 'single-target', 'few-restore-points'];
const iso = (ms: number) => new Date(ms).toISOString();

type Query = Record<string, string | undefined>;

function only(q: Query, allowed: readonly string[]): void {
  for (const k of Object.keys(q)) if (!allowed.includes(k)) throw badRequest(`unknown query parameter '${k}'`);
}

function boolParam(v: string | undefined, name: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw badRequest(`${name} must be true or false`);
}

export function registerInsightRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'alerts' | 'backupCoverage' | 'forecast'>,
): void {
  app.get<{ Querystring: Query }>('/api/storage/forecast', { config: { guard: 'authenticated' } }, async (req) => {
    const q = req.query ?? {};
    only(q, ['instance', 'id']);
    const snap = deps.forecast.current();
    const forecasts = snap.forecasts.filter(
      (f) => (q.instance === undefined || f.instance === q.instance) && (q.id === undefined || f.id === q.id),
    );
    return {
      computedAt: iso(snap.computedAt),
      horizonDays: deps.alerts.getConfig().storageForecast.horizonDays,
      forecasts: forecasts.map((f) => ({
        ...f,
        fullAt: f.fullAt === null ? null : iso(f.fullAt),
        warnAt: f.warnAt === null ? null : iso(f.warnAt),
      })),
    };
  });

  app.get<{ Querystring: Query }>('/api/backups/coverage', { config: { guard: 'authenticated' } }, async (req) => {
    const q = req.query ?? {};
    only(q, ['atRisk', 'reason', 'instance']);
    const atRisk = boolParam(q.atRisk, 'atRisk');
    if (q.reason !== undefined && !(REASONS as readonly string[]).includes(q.reason)) {
      throw badRequest(`reason must be one of ${REASONS.join(', ')}`);
    }
    const report = deps.backupCoverage.current();
    const guests = report.guests.filter(
      (g) =>
        (atRisk === undefined || g.atRisk === atRisk) &&
        (q.reason === undefined || g.flags.some((f) => f.reason === q.reason)) &&
        (q.instance === undefined || g.instance === q.instance),
    );
    return {
      computedAt: iso(report.computedAt),
      backupsKnown: report.guests.length === 0 || report.guests.some((g) => g.targets.length > 0),
      summary: report.summary,
      unattributedPbsGroups: report.unattributedPbsGroups,
      guests,
    };
  });

  app.get('/api/backups/policy', { config: { guard: 'authenticated' } }, async () => deps.backupCoverage.policy());

  app.put('/api/backups/policy', { config: { guard: 'admin' } }, async (req) => {
    try {
      return deps.backupCoverage.setPolicy(req.body);
    } catch (err) {
      if (err instanceof PolicyError) throw badRequest(err.message);
      throw err;
    }
  });
}
