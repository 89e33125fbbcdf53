/**
 * POST /api/system/verify-temperature-ssh (wire contract §3, ★): `{nodes: "n1 n2"}` → a text
 * report of whether Pulse can read each node's temperatures over SSH. Allowed for admins, or
 * with a setup code in `X-Setup-Token` (the setup script runs this check on the node itself
 * after registering), so the guard is public and the handler checks.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { PvePoller } from '../collect/pve-poller.js';
import {
  type KnownNode,
  parseNodeList,
  VerifyInputError,
  verifyTemperatureSsh,
} from '../collect/temperature-verify.js';
import { badRequest, forbidden, HttpError, unauthorized } from '../http/errors.js';
import { CLIENT_ERRORS, ErrorReply, OptionalBody } from '../schemas/common.js';
import { TemperatureReport, VerifyTemperatureBody } from '../schemas/setup.js';
import type { Services } from '../services.js';

/** Node names and addresses the monitored PVE instances know (cluster members, standalone hosts). */
function knownNodes(deps: Pick<Services, 'monitoring' | 'state'>): KnownNode[] {
  const out: KnownNode[] = [];
  const pollers = deps.monitoring.pollers().filter((p): p is PvePoller => p instanceof PvePoller);
  for (const p of pollers) {
    const cluster = p.cluster;
    if (cluster?.isCluster) {
      for (const e of cluster.endpoints)
        out.push({ instance: p.instance, node: e.NodeName, address: e.IP || undefined });
      continue;
    }
    const host = new URL(p.cfg.host).hostname.replace(/^\[|\]$/g, '');
    for (const n of deps.state.get().nodes)
      if (n.instance === p.instance) out.push({ instance: p.instance, node: n.name, address: host });
  }
  return out;
}

/** Wrong setup tokens allowed per client IP and window before further attempts get 429 (as auto-register). */
const MAX_TOKEN_FAILURES = 10;
const FAILURE_WINDOW_MS = 5 * 60_000;

export function registerTemperatureRoutes(
  fastify: FastifyInstance,
  deps: Pick<Services, 'clock' | 'monitoring' | 'settings' | 'state' | 'temperature' | 'setupCodes'>,
): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const codes = deps.setupCodes;
  const failures = new Map<string, number[]>();
  const recentFailures = (ip: string): number[] => {
    const now = deps.clock.now();
    const list = (failures.get(ip) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
    if (list.length) failures.set(ip, list);
    else failures.delete(ip);
    return list;
  };

  app.post(
    '/api/system/verify-temperature-ssh',
    {
      config: { guard: 'public' },
      schema: {
        summary: "Whether Pulse can read these nodes' temperatures over SSH (admin, or X-Setup-Token)",
        body: OptionalBody(VerifyTemperatureBody),
        response: { 200: TemperatureReport, ...CLIENT_ERRORS, 429: ErrorReply },
      },
    },
    async (req, reply) => {
      if (!req.auth?.admin) {
        const header = req.headers['x-setup-token'];
        const token = Array.isArray(header) ? header[0] : header;
        if (!token) {
          if (req.auth) throw forbidden('Admin privileges required');
          throw unauthorized('Authentication or a setup token (X-Setup-Token) is required');
        }
        if (recentFailures(req.clientIp).length >= MAX_TOKEN_FAILURES)
          throw new HttpError(429, 'Too many invalid setup tokens; try again in a few minutes');
        if (!codes.isValidToken(token)) {
          failures.set(req.clientIp, [...recentFailures(req.clientIp), deps.clock.now()]);
          throw unauthorized('Invalid or expired setup token');
        }
      }
      let names: string[];
      try {
        names = parseNodeList(req.body?.nodes);
      } catch (err) {
        if (err instanceof VerifyInputError) throw badRequest(err.message);
        throw err;
      }
      const report = await verifyTemperatureSsh(
        deps.temperature,
        names,
        knownNodes(deps),
        deps.settings.sensorsSshUser,
      );
      return reply.type('text/plain; charset=utf-8').header('Cache-Control', 'no-store').send(report);
    },
  );
}
