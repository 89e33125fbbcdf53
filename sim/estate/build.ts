/** Turns an EstateSpec into the live Estate, deterministically from the seed. */
import { hash32, Rng, unit } from '../random.js';
import {
  type Credential,
  type Estate,
  GiB,
  type Guest,
  MiB,
  type PbsInstance,
  type PmgInstance,
  type PveInstance,
  type PveNode,
  SimClock,
} from './model.js';
import type { EstateSpec, GuestSpec, PbsSpec, PmgSpec, PveSpec, TokenSpec, UserSpec } from './spec.js';
import { validateSpec } from './validate-spec.js';

const FULL_ACL = { '/': ['*'] };

/** A UUID-shaped secret derived from the seed (PVE token secrets are UUIDs). */
export function derivedUuid(seed: number, key: string): string {
  const hex = [0, 1, 2, 3].map((i) => hash32(seed, `${key}#${i}`).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Users (default root@pam) and API tokens (default `<first user>!pulse`); `tokens: null` for PMG, which has none. */
function credentials(seed: number, instance: string, users?: UserSpec[], tokens?: TokenSpec[] | null): Credential[] {
  const out: Credential[] = [];
  const us = users?.length
    ? users
    : [{ userid: 'root@pam', password: `sim-${hash32(seed, `${instance}/pw`).toString(36)}` }];
  for (const u of us)
    out.push({ userid: u.userid, password: u.password, acl: u.acl ?? FULL_ACL, role: u.role ?? 'admin' });
  if (tokens === null) return out;
  const ts = tokens?.length
    ? tokens
    : [{ tokenid: `${us[0].userid}!pulse`, secret: derivedUuid(seed, `${instance}/token`) }];
  for (const t of ts) {
    out.push({
      userid: t.tokenid.split('!')[0],
      tokenid: t.tokenid,
      secret: t.secret,
      acl: t.acl ?? FULL_ACL,
      role: t.role ?? 'admin',
    });
  }
  return out;
}

const NAME_A = [
  'app',
  'web',
  'db',
  'cache',
  'queue',
  'api',
  'worker',
  'auth',
  'mail',
  'git',
  'ci',
  'log',
  'metrics',
  'files',
  'vpn',
];
const NAME_B = ['prod', 'stage', 'dev', 'int', 'edge', 'core'];
const TAGS = ['prod', 'staging', 'dev', 'web', 'db', 'k8s', 'infra', 'backup', 'critical', 'linux', 'windows'];
const LOCKS = ['backup', 'migrate', 'snapshot', 'clone'];
const CPU_MODELS = [
  'AMD EPYC 7543 32-Core Processor',
  'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz',
  'AMD Ryzen 9 5950X 16-Core Processor',
  'Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz',
];

function generatedGuests(spec: PveSpec, nodes: string[], seed: number, existing: Set<number>): GuestSpec[] {
  const gen = spec.generate;
  if (!gen || gen.guests <= 0) return [];
  const rng = new Rng(hash32(seed, `${spec.name}/guests`));
  const out: GuestSpec[] = [];
  let vmid = gen.vmidStart ?? 100;
  for (let i = 0; i < gen.guests; i++) {
    while (existing.has(vmid)) vmid++;
    existing.add(vmid);
    const type = rng.chance(0.7) ? 'qemu' : 'lxc';
    const template = rng.chance(0.02);
    const agent = rng.chance(0.6);
    const ntags = rng.int(0, 2);
    const tags = [...new Set(Array.from({ length: ntags }, () => rng.pick(TAGS)))];
    out.push({
      vmid,
      type,
      node: nodes[i % nodes.length],
      name: `${rng.pick(NAME_A)}-${rng.pick(NAME_B)}-${String(i + 1).padStart(3, '0')}`,
      status: template || rng.chance(0.12) ? 'stopped' : 'running',
      template,
      tags,
      lock: rng.chance(0.01) ? rng.pick(type === 'qemu' ? LOCKS : LOCKS.slice(0, 3)) : undefined,
      agent: type === 'qemu' && agent,
      agentConfigured: type === 'qemu' && (agent || rng.chance(0.5)),
      balloon: type === 'qemu' && rng.chance(0.3),
      cpus: rng.pick([1, 2, 2, 4, 4, 8]),
      memMiB: rng.pick([512, 1024, 2048, 4096, 8192, 16384]),
      diskGiB: rng.pick([8, 16, 32, 64, 100, 250]),
    });
    vmid++;
  }
  return out;
}

export function makeGuest(instance: string, seed: number, g: GuestSpec, now: number): Guest {
  const gseed = hash32(seed, `${instance}/guest/${g.vmid}`);
  const template = g.template ?? false;
  const status = template ? 'stopped' : (g.status ?? 'running');
  return {
    instance,
    vmid: g.vmid,
    type: g.type,
    node: g.node,
    name: g.name ?? `${g.type === 'qemu' ? 'vm' : 'ct'}-${g.vmid}`,
    status,
    template,
    tags: g.tags ?? [],
    lock: g.lock,
    agent: g.type === 'qemu' && (g.agent ?? false),
    agentConfigured: g.type === 'qemu' && (g.agentConfigured ?? g.agent ?? false),
    balloon: g.type === 'qemu' && (g.balloon ?? false),
    cpus: g.cpus ?? 2,
    maxmem: (g.memMiB ?? 2048) * MiB,
    maxdisk: (g.diskGiB ?? 32) * GiB,
    pool: g.pool,
    hastate: g.hastate,
    ostype: g.ostype ?? (g.type === 'qemu' ? 'l26' : 'debian'),
    backup: g.backup ?? !template,
    backupStoppedAt:
      g.backupStoppedDaysAgo === undefined ? undefined : Math.floor(now / 1000) - g.backupStoppedDaysAgo * 86400,
    backupVerify: g.backupVerify ?? true,
    seed: gseed,
    // Up for between an hour and ~40 days, fixed by the seed.
    startedAt: now - Math.floor(3600_000 + unit(gseed, 'uptime') * 40 * 86400_000),
    overrides: {},
    counterOffsets: {},
    snapshots: template
      ? []
      : Array.from({ length: Math.floor(unit(gseed, 'snaps') * 3) }, (_, i) => ({
          name: ['before-upgrade', 'weekly', 'pre-migration'][i],
          description: i === 0 ? 'Taken before the dist-upgrade' : '',
          snaptime: Math.floor(now / 1000) - (i + 1) * 86400 * (3 + Math.floor(unit(gseed, `snap${i}`) * 20)),
          vmstate: g.type === 'qemu' && i === 0,
          parent: i > 0 ? ['before-upgrade', 'weekly'][i - 1] : undefined,
        })),
  };
}

function buildPve(spec: PveSpec, seed: number, now: number): PveInstance {
  const iseed = hash32(seed, `pve/${spec.name}`);
  const version = spec.version ?? '9.0.10';
  const nodes: PveNode[] = spec.nodes.map((n, i) => {
    const ns = typeof n === 'string' ? { name: n } : n;
    const nseed = hash32(iseed, `node/${ns.name}`);
    const cpus = ns.cpus ?? 8;
    return {
      name: ns.name,
      nodeid: i + 1,
      version: ns.version ?? version,
      ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 11}`,
      cpus,
      cpuModel: CPU_MODELS[nseed % CPU_MODELS.length],
      sockets: cpus >= 32 ? 2 : 1,
      maxmem: (ns.memGiB ?? 32) * GiB,
      rootTotal: (ns.rootGiB ?? 94) * GiB,
      swapTotal: 8 * GiB,
      bootedAt: now - Math.floor(86400_000 * (5 + unit(nseed, 'boot') * 60)),
      seed: nseed,
      overrides: {},
      down: false,
    };
  });
  const nodeNames = nodes.map((n) => n.name);
  const explicit = spec.guests ?? [];
  const used = new Set(explicit.map((g) => g.vmid));
  const all = [...explicit, ...generatedGuests(spec, nodeNames, iseed, used)];
  const guests = new Map<number, Guest>();
  for (const g of all) {
    if (!nodeNames.includes(g.node)) throw new Error(`guest ${g.vmid}: unknown node ${g.node}`);
    guests.set(g.vmid, makeGuest(spec.name, iseed, g, now));
  }
  const storages = (spec.storages ?? [{ storage: 'local', type: 'dir', content: 'iso,vztmpl,backup' }]).map((s) => ({
    storage: s.storage,
    type: s.type,
    content: s.content,
    shared: s.shared ?? false,
    nodes: s.nodes,
    total: (s.totalGiB ?? 100) * GiB,
    usedFraction: s.usedFraction ?? 0.3,
    fillPerDay: s.fillPerDay,
    fillSince: s.fillPerDay === undefined ? undefined : now,
    enabled: s.enabled ?? true,
    server: s.server,
    datastore: s.datastore,
    seed: hash32(iseed, `storage/${s.storage}`),
  }));
  return {
    kind: 'pve',
    name: spec.name,
    cluster: spec.cluster,
    version,
    seed: iseed,
    nodes,
    guests,
    storages,
    ceph: spec.ceph,
    credentials: credentials(iseed, spec.name, spec.users, spec.tokens),
    manualBackups: [],
    tasks: [],
    topology: 0,
  };
}

function buildPbs(spec: PbsSpec, seed: number, now: number, guestIds: PbsInstance['guestIds']): PbsInstance {
  const iseed = hash32(seed, `pbs/${spec.name}`);
  return {
    kind: 'pbs',
    name: spec.name,
    version: spec.version ?? '4.0.14',
    seed: iseed,
    nodeName: 'localhost',
    bootedAt: now - Math.floor(86400_000 * (3 + unit(iseed, 'boot') * 30)),
    datastores: spec.datastores.map((d) => ({
      name: d.name,
      total: (d.totalGiB ?? 2000) * GiB,
      usedFraction: d.usedFraction ?? 0.4,
      namespaces: d.namespaces?.length ? d.namespaces : [''],
      groups: d.groups ?? Math.max(1, guestIds.length),
      keep: d.keep ?? 7,
      intervalHours: d.intervalHours ?? 24,
      seed: hash32(iseed, `ds/${d.name}`),
    })),
    credentials: credentials(iseed, spec.name, spec.users, spec.tokens),
    overrides: {},
    down: false,
    guestIds,
  };
}

function buildPmg(spec: PmgSpec, seed: number, now: number): PmgInstance {
  const iseed = hash32(seed, `pmg/${spec.name}`);
  return {
    kind: 'pmg',
    name: spec.name,
    version: spec.version ?? '9.0.1',
    seed: iseed,
    nodes: spec.nodes?.length ? spec.nodes : ['pmg'],
    domains: spec.domains?.length ? spec.domains : ['example.com'],
    mailPerHour: spec.mailPerHour ?? 200,
    bootedAt: now - Math.floor(86400_000 * (2 + unit(iseed, 'boot') * 20)),
    credentials: credentials(iseed, spec.name, spec.users, null),
    overrides: {},
    queueOverrides: {},
    down: false,
  };
}

export function buildEstate(input: EstateSpec, seedOverride?: number): Estate {
  const spec = validateSpec(input);
  const seed = seedOverride ?? spec.seed ?? 1;
  const clock = new SimClock();
  const now = clock.now();
  const names = new Set<string>();
  for (const p of [...(spec.pve ?? []), ...(spec.pbs ?? []), ...(spec.pmg ?? [])]) {
    if (names.has(p.name)) throw new Error(`duplicate instance name ${p.name}`);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(p.name)) throw new Error(`bad instance name ${p.name}`);
    names.add(p.name);
  }
  const pve = (spec.pve ?? []).map((p) => buildPve(p, seed, now));
  const guestIds = pve.flatMap((p) =>
    [...p.guests.values()]
      // Guests left out of the backup jobs have no PBS group either.
      .filter((g) => !g.template && g.backup)
      .map((g) => ({
        type: g.type === 'qemu' ? ('vm' as const) : ('ct' as const),
        id: g.vmid,
        name: g.name,
        stoppedAt: g.backupStoppedAt,
        verify: g.backupVerify,
      })),
  );
  return {
    name: spec.name,
    seed,
    clock,
    pve,
    pbs: (spec.pbs ?? []).map((p) => buildPbs(p, seed, now, guestIds)),
    pmg: (spec.pmg ?? []).map((p) => buildPmg(p, seed, now)),
  };
}
