/** Checks an EstateSpec read from JSON and names the first problem by its path (`pve[0].nodes`). */
import type { EstateSpec } from './spec.js';

const STORAGE_TYPES = ['dir', 'lvmthin', 'lvm', 'zfspool', 'nfs', 'cifs', 'cephfs', 'rbd', 'pbs'];

class SpecError extends Error {}

function fail(path: string, msg: string): never {
  throw new SpecError(`estate ${path}: ${msg}`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || !v) fail(path, 'must be a non-empty string');
  return v;
}

function arr(v: unknown, path: string, optional = true): unknown[] {
  if (v === undefined && optional) return [];
  if (!Array.isArray(v)) fail(path, 'must be an array');
  return v;
}

function num(v: unknown, path: string, min: number, max = Number.POSITIVE_INFINITY): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    fail(path, `must be a number between ${min} and ${max}`);
}

function creds(p: Record<string, unknown>, path: string): void {
  arr(p.users, `${path}.users`).forEach((u, i) => {
    if (!isObj(u)) fail(`${path}.users[${i}]`, 'must be an object');
    if (!/^[^@\s]+@[^@\s]+$/.test(str(u.userid, `${path}.users[${i}].userid`)))
      fail(`${path}.users[${i}].userid`, 'must look like user@realm');
    str(u.password, `${path}.users[${i}].password`);
  });
  arr(p.tokens, `${path}.tokens`).forEach((t, i) => {
    if (!isObj(t)) fail(`${path}.tokens[${i}]`, 'must be an object');
    if (!/^[^@!\s]+@[^!\s]+![A-Za-z0-9._-]+$/.test(str(t.tokenid, `${path}.tokens[${i}].tokenid`)))
      fail(`${path}.tokens[${i}].tokenid`, 'must look like user@realm!name');
    str(t.secret, `${path}.tokens[${i}].secret`);
  });
}

/** pve-manager versions as PVE prints them: "8.2.4", "9.0.10", PVE 7's "7.4-17". */
function pveVersion(v: unknown, path: string): void {
  if (!/^\d+\.\d+[.-]\d+$/.test(str(v, path))) fail(path, 'must be a pve-manager version like 8.2.4 or 7.4-17');
}

export function validateSpec(spec: unknown): EstateSpec {
  if (!isObj(spec)) fail('', 'must be a JSON object');
  str(spec.name, 'name');
  num(spec.seed, 'seed', 0, 2 ** 32);
  arr(spec.pve, 'pve').forEach((p, i) => {
    const at = `pve[${i}]`;
    if (!isObj(p)) fail(at, 'must be an object');
    str(p.name, `${at}.name`);
    const nodes = arr(p.nodes, `${at}.nodes`, false);
    if (!nodes.length) fail(`${at}.nodes`, 'needs at least one node');
    if (p.version !== undefined) pveVersion(p.version, `${at}.version`);
    nodes.forEach((n, j) => {
      str(typeof n === 'string' ? n : isObj(n) ? n.name : undefined, `${at}.nodes[${j}]`);
      if (isObj(n) && n.version !== undefined) pveVersion(n.version, `${at}.nodes[${j}].version`);
    });
    arr(p.guests, `${at}.guests`).forEach((g, j) => {
      if (!isObj(g)) fail(`${at}.guests[${j}]`, 'must be an object');
      if (!Number.isInteger(g.vmid) || (g.vmid as number) < 100)
        fail(`${at}.guests[${j}].vmid`, 'must be an integer ≥ 100');
      if (g.type !== 'qemu' && g.type !== 'lxc') fail(`${at}.guests[${j}].type`, 'must be qemu or lxc');
      str(g.node, `${at}.guests[${j}].node`);
    });
    if (p.generate !== undefined) {
      if (!isObj(p.generate)) fail(`${at}.generate`, 'must be an object');
      num(p.generate.guests, `${at}.generate.guests`, 0, 100_000);
    }
    arr(p.storages, `${at}.storages`).forEach((s, j) => {
      if (!isObj(s)) fail(`${at}.storages[${j}]`, 'must be an object');
      str(s.storage, `${at}.storages[${j}].storage`);
      if (!STORAGE_TYPES.includes(String(s.type)))
        fail(`${at}.storages[${j}].type`, `must be one of ${STORAGE_TYPES.join(', ')}`);
      str(s.content, `${at}.storages[${j}].content`);
      num(s.usedFraction, `${at}.storages[${j}].usedFraction`, 0, 1);
      num(s.fillPerDay, `${at}.storages[${j}].fillPerDay`, 0, 1);
    });
    creds(p, at);
  });
  arr(spec.pbs, 'pbs').forEach((p, i) => {
    const at = `pbs[${i}]`;
    if (!isObj(p)) fail(at, 'must be an object');
    str(p.name, `${at}.name`);
    arr(p.datastores, `${at}.datastores`, false).forEach((d, j) => {
      if (!isObj(d)) fail(`${at}.datastores[${j}]`, 'must be an object');
      str(d.name, `${at}.datastores[${j}].name`);
      num(d.usedFraction, `${at}.datastores[${j}].usedFraction`, 0, 1);
      num(d.keep, `${at}.datastores[${j}].keep`, 1, 10_000);
      num(d.intervalHours, `${at}.datastores[${j}].intervalHours`, 1, 24 * 365);
    });
    creds(p, at);
  });
  arr(spec.pmg, 'pmg').forEach((p, i) => {
    const at = `pmg[${i}]`;
    if (!isObj(p)) fail(at, 'must be an object');
    str(p.name, `${at}.name`);
    arr(p.nodes, `${at}.nodes`).forEach((n, j) => {
      str(n, `${at}.nodes[${j}]`);
    });
    num(p.mailPerHour, `${at}.mailPerHour`, 0, 10_000_000);
    if (p.tokens !== undefined) fail(`${at}.tokens`, 'PMG has no API tokens; give users with passwords');
    creds(p, at);
  });
  return spec as unknown as EstateSpec;
}
