/**
 * /api/config/nodes: configured PVE/PBS/PMG instances (wire-contract §7.1). Positional ids
 * (`pve-0`, `pbs-1`, …), secrets never returned (only hasPassword/hasToken), 400 naming the
 * field, 409 on duplicates. Test routes report exactly what failed.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ConnectionTestError, type TestSuccess } from '../collect/connection-test.js';
import type { Monitoring } from '../collect/monitoring.js';
import { badRequest, conflict, HttpError, notFound } from '../http/errors.js';
import { type FeatureProblem, PVE_FEATURES, permissionReport } from '../proxmox/privileges.js';
import { CLIENT_ERRORS, ErrorReply, NoBody, SuccessReply } from '../schemas/common.js';
import {
  ConfigTestReply,
  type ConfiguredNode,
  ConfiguredNodes,
  ConnectionTestReply,
  NodeAdded,
  NodeBody,
  NodeParams,
  NodeTestFailure,
} from '../schemas/config-nodes.js';
import type { Services } from '../services.js';
import {
  authOf,
  MONITOR_FLAGS,
  type NodeConfig,
  type NodeInput,
  NodeValidationError,
  parseNodeInput,
} from '../settings/node-config.js';

function publicView(m: Monitoring, cfg: NodeConfig, index: number): ConfiguredNode {
  const st = m.status(cfg.uid);
  const out: ConfiguredNode = {
    id: `${cfg.type}-${index}`,
    type: cfg.type,
    name: cfg.name,
    host: cfg.host,
    ...(cfg.user ? { user: cfg.user } : {}),
    hasPassword: Boolean(cfg.password),
    ...(cfg.tokenName ? { tokenName: cfg.tokenName } : {}),
    hasToken: Boolean(cfg.tokenValue),
    ...(cfg.fingerprint ? { fingerprint: cfg.fingerprint } : {}),
    verifySSL: cfg.verifySSL,
    ...Object.fromEntries(MONITOR_FLAGS[cfg.type].map((f) => [f, cfg.monitor[f] !== false])),
    status: st?.connected ? 'connected' : 'disconnected',
  };
  const cluster = st?.cluster ?? cfg.cluster;
  if (cfg.type === 'pve' && cluster) {
    out.isCluster = cluster.isCluster;
    if (cluster.clusterName) out.clusterName = cluster.clusterName;
    if (cluster.isCluster) {
      out.clusterEndpoints = cluster.endpoints.map(({ Fingerprint: _f, ...e }) => e);
    }
  }
  // Beyond the contract: why a node is disconnected or degraded, in words.
  if (st?.error) {
    out.error = st.error;
    out.errorKind = st.errorKind;
    if (st.presentedFingerprint) out.presentedFingerprint = st.presentedFingerprint;
  }
  if (st) {
    // The permission doctor on the settings row: every feature from the poller's own check
    // (/access/permissions or probes), the 403s its calls met marking those that do not work.
    const major = Number.parseInt(st.permissions?.version ?? '', 10);
    const pveMajor = Number.isFinite(major) ? major : undefined;
    const report = permissionReport(cfg.type, authOf(cfg), st.permissions?.features, [st.problems], {
      pveMajor,
      otherwise: st.lastPoll ? 'poller' : 'unknown',
    });
    // Without the instance's version a grant of a version-dependent privilege would be a guess.
    const guess = cfg.type === 'pve' && pveMajor === undefined && report.missing.some(versionDependent);
    out.permissions = guess ? { features: report.features, missing: report.missing } : report;
    if (report.missing.length) {
      out.warnings = report.missing.map((p) => p.message);
      out.missingPrivileges = report.missing;
      if (report.grantCommand && !guess) out.grantCommand = report.grantCommand;
    }
  }
  if (st?.lastPoll) out.lastPoll = st.lastPoll;
  if (st?.activeHost && st.activeHost !== cfg.host) out.activeEndpoint = st.activeHost;
  if (st?.duplicateOf) out.duplicateOf = st.duplicateOf;
  return out;
}

/** A PVE feature whose privilege differs between versions (VM.Monitor on 8, VM.GuestAgent.* on 9). */
function versionDependent(p: FeatureProblem): boolean {
  return PVE_FEATURES.some((f) => f.feature === p.feature && f.privileges.includes('VM.Monitor'));
}

function parse(body: unknown, existing?: NodeConfig): NodeInput {
  try {
    return parseNodeInput(body, existing);
  } catch (err) {
    if (err instanceof NodeValidationError) throw badRequest(err.message, { field: err.field });
    throw err;
  }
}

/** The short answer of test-config and /:id/test: the outcome, its latency and the doctor's findings. */
function shortTestReply(r: TestSuccess) {
  return {
    status: 'success' as const,
    message: r.message,
    latency: r.latency,
    ...(r.warnings ? { warnings: r.warnings } : {}),
    ...(r.missingPrivileges ? { missingPrivileges: r.missingPrivileges } : {}),
    ...(r.grantCommand ? { grantCommand: r.grantCommand } : {}),
    permissions: r.permissions,
  };
}

function testFailure(err: unknown): HttpError {
  if (err instanceof ConnectionTestError) {
    const extra: Record<string, unknown> = { status: 'error', code: err.kind, message: err.message };
    if (err.details.presentedFingerprint) extra.fingerprint = err.details.presentedFingerprint;
    if (err.details.privilege) extra.missingPrivilege = err.details.privilege;
    if (err.details.feature) extra.feature = err.details.feature;
    return new HttpError(400, err.message, extra);
  }
  return new HttpError(400, err instanceof Error ? err.message : String(err), { status: 'error' });
}

function monitoringOf(deps: Pick<Services, 'monitoring'>): Monitoring {
  return deps.monitoring;
}

const ERRORS = { ...CLIENT_ERRORS, 409: ErrorReply };
const TEST_ERRORS = { ...CLIENT_ERRORS, 400: Type.Union([NodeTestFailure, ErrorReply]) };

export function registerConfigNodeRoutes(
  fastify: FastifyInstance,
  deps: Pick<Services, 'events' | 'monitoring'>,
): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const find = (id: string) => {
    const m = monitoringOf(deps);
    const cfg = m.nodes.byPublicId(id);
    if (!cfg) throw notFound(`Node ${id} not found`);
    return cfg;
  };

  app.get(
    '/api/config/nodes',
    {
      config: { guard: 'authenticated' },
      schema: { summary: 'Configured nodes and their connection state', response: { 200: ConfiguredNodes, ...ERRORS } },
    },
    async () => {
      const m = monitoringOf(deps);
      const counters: Record<string, number> = { pve: 0, pbs: 0, pmg: 0 };
      return m.nodes.list().map((cfg) => publicView(m, cfg, counters[cfg.type]++));
    },
  );

  app.post(
    '/api/config/nodes',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'Add a node (a member of a monitored cluster becomes a failover endpoint)',
        body: NodeBody,
        response: { 201: NodeAdded, ...ERRORS },
      },
    },
    async (req, reply) => {
      const m = monitoringOf(deps);
      const input = parse(req.body);
      if (m.nodes.findByName(input.type, input.name)) {
        throw conflict(`A ${input.type.toUpperCase()} node named "${input.name}" already exists`);
      }
      const sameHost = m.nodes.list(input.type).find((n) => n.host === input.host);
      if (sameHost) throw conflict(`${input.host} is already configured as "${sameHost.name}"`);
      const { mergedInto } = await m.addNode(input);
      if (mergedInto) {
        const index = m.nodes.list('pve').findIndex((n) => n.uid === mergedInto.uid);
        return reply.status(201).send({
          status: 'success',
          message:
            `${input.host} is a member of cluster "${mergedInto.cluster?.clusterName}", already monitored as ` +
            `"${mergedInto.name}": added as a failover endpoint of it`,
          mergedInto: `pve-${index}`,
        });
      }
      return reply.status(201).send({ status: 'success' as const });
    },
  );

  app.put(
    '/api/config/nodes/:id',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'Change a node (missing fields and empty secrets keep their value)',
        params: NodeParams,
        body: NodeBody,
        response: { 200: SuccessReply, ...ERRORS },
      },
    },
    async (req) => {
      const m = monitoringOf(deps);
      const existing = find(req.params.id);
      const input = parse(req.body, existing);
      const clash = m.nodes.findByName(input.type, input.name);
      if (clash && clash.uid !== existing.uid) {
        throw conflict(`A ${input.type.toUpperCase()} node named "${input.name}" already exists`);
      }
      m.nodes.update(existing.uid, input);
      m.reload();
      return { status: 'success' as const };
    },
  );

  app.delete(
    '/api/config/nodes/:id',
    {
      config: { guard: 'admin' },
      schema: { summary: 'Remove a node', params: NodeParams, response: { 200: SuccessReply, ...ERRORS } },
    },
    async (req) => {
      const m = monitoringOf(deps);
      const existing = find(req.params.id);
      m.nodes.delete(existing.uid);
      m.reload();
      deps.events.emit('nodeDeleted', { nodeType: existing.type });
      return { status: 'success' as const };
    },
  );

  app.post(
    '/api/config/nodes/test-connection',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Try the given connection details without saving them',
        body: NodeBody,
        response: { 200: ConnectionTestReply, ...TEST_ERRORS },
      },
    },
    async (req) => {
      const input = parse(req.body);
      try {
        return await monitoringOf(deps).test(input);
      } catch (err) {
        throw testFailure(err);
      }
    },
  );

  app.post(
    '/api/config/nodes/test-config',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Try the given connection details (short answer)',
        body: NodeBody,
        response: { 200: ConfigTestReply, ...TEST_ERRORS },
      },
    },
    async (req) => {
      const input = parse(req.body);
      try {
        return shortTestReply(await monitoringOf(deps).test(input));
      } catch (err) {
        throw testFailure(err);
      }
    },
  );

  app.post(
    '/api/config/nodes/:id/test',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Try the saved connection of a node',
        params: NodeParams,
        body: NoBody,
        response: { 200: ConfigTestReply, ...TEST_ERRORS },
      },
    },
    async (req) => {
      const cfg = find(req.params.id);
      try {
        return shortTestReply(await monitoringOf(deps).test(cfg));
      } catch (err) {
        throw testFailure(err);
      }
    },
  );
}
