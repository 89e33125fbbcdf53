/**
 * Permissions: the token's missing privileges, checked every 5 minutes and reported in every
 * cycle, under any problem a call of the cycle itself recorded for the same feature.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIVE_MIN } from '../../../src/collect/pve/fetcher.js';
import { PermissionsFetcher } from '../../../src/collect/pve/permissions.js';
import { labSpec, type Rig, SECRET, startRig, TOKEN } from './rig.js';

let rig: Rig;
const permissions = new PermissionsFetcher();
const checks = () => rig.calls(/^\/access\/permissions/);

beforeAll(async () => {
  // Sees nodes and storage but no guests: VM.Audit is missing.
  rig = await startRig(
    labSpec({ tokens: [{ tokenid: TOKEN, secret: SECRET, acl: { '/': ['Sys.Audit', 'Datastore.Audit'] } }] }),
  );
});
afterAll(async () => {
  await rig?.close();
});

describe('permissions', () => {
  it('names the missing privilege, then reports it each cycle without asking again for 5 minutes', async () => {
    await permissions.fetch(await rig.cycle());
    expect(checks()).toBe(1);
    const missing = [...rig.problems.byFeature.values()];
    expect(missing.some((p) => p.privilege === 'VM.Audit')).toBe(true);

    rig.clock.advance(FIVE_MIN - 1);
    await permissions.fetch(await rig.cycle());
    expect(checks()).toBe(1);
    expect([...rig.problems.byFeature.values()]).toEqual(missing);

    rig.clock.advance(1);
    await permissions.fetch(await rig.cycle());
    expect(checks()).toBe(2);
  });

  it("a problem a call of the cycle recorded stands over the check's", async () => {
    const c = await rig.cycle();
    await permissions.fetch(c);
    const [feature] = [...c.problems.byFeature.keys()];
    const own = { feature, privilege: 'VM.Audit', path: '/vms/100', message: 'seen by a call' };
    const next = await rig.cycle();
    next.problems.byFeature.set(feature, own);
    await permissions.fetch(next);
    expect(next.problems.byFeature.get(feature)).toBe(own);
  });
});
