/**
 * Answers Pulse computes beyond the live state:
 *   GET /api/storage/forecast   storage-full forecasts (src/forecast/), soonest first
 *   GET /api/backups/coverage   the backup coverage audit (src/backups/), guests at risk first
 *   GET /api/backups/policy     the coverage policy; PUT (admin) replaces it
 * Documented in docs/INSIGHT.md.
 */
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { PolicyError } from '../backups/policy.js';
import { badRequest } from '../http/errors.js';
import { CLIENT_ERRORS } from '../schemas/common.js';
import {
  CoverageQuery,
  CoverageReply,
  ForecastQuery,
  ForecastReply,
  PolicyConfig,
  PolicyConfigBody,
} from '../schemas/insight.js';
import type { Services } from '../services.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Fastify's validator ignores query parameters a schema does not name, so a misspelt filter
 * (which would silently widen the answer) is refused here.
 */
function only(q: object, allowed: readonly string[]): void {
  for (const k of Object.keys(q))
    if (!allowed.includes(k)) throw badRequest(`unknown query parameter '${k}'`, { field: k });
}

export function registerInsightRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'alerts' | 'backupCoverage' | 'forecast'>,
): void {
  app.get<{ Querystring: Static<typeof ForecastQuery> }>(
    '/api/storage/forecast',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Storage-full forecasts, soonest first',
        querystring: ForecastQuery,
        response: { 200: ForecastReply, ...CLIENT_ERRORS },
      },
    },
    async (req) => {
      const q = req.query;
      only(q, Object.keys(ForecastQuery.properties));
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
    },
  );

  app.get<{ Querystring: Static<typeof CoverageQuery> }>(
    '/api/backups/coverage',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'The backup coverage audit, guests at risk first',
        querystring: CoverageQuery,
        response: { 200: CoverageReply, ...CLIENT_ERRORS },
      },
    },
    async (req) => {
      const q = req.query;
      only(q, Object.keys(CoverageQuery.properties));
      const atRisk = q.atRisk === undefined ? undefined : q.atRisk === 'true' || q.atRisk === '1';
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
    },
  );

  app.get(
    '/api/backups/policy',
    {
      config: { guard: 'authenticated' },
      schema: { summary: 'The backup coverage policy', response: { 200: PolicyConfig, ...CLIENT_ERRORS } },
    },
    async () => deps.backupCoverage.policy(),
  );

  app.put(
    '/api/backups/policy',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'Replace the backup coverage policy',
        body: PolicyConfigBody,
        response: { 200: PolicyConfig, ...CLIENT_ERRORS },
      },
    },
    async (req) => {
      try {
        return deps.backupCoverage.setPolicy(req.body);
      } catch (err) {
        if (err instanceof PolicyError) throw badRequest(err.message);
        throw err;
      }
    },
  );
}
