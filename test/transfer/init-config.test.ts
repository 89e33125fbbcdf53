import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encryptConfig } from '../../src/settings/transfer/cipher.js';
import { startTestPulse, tempDir } from '../helpers/pulse.js';

const PASSPHRASE = 'initial import passphrase';
const doc = {
  version: '4.0',
  exportedAt: '2026-01-01T00:00:00Z',
  nodes: {
    pveInstances: [],
    pbsInstances: [{ Name: 'seeded-pbs', Host: '127.0.0.1:9', TokenName: 'a@pbs!t', TokenValue: 'seed-secret' }],
    pmgInstances: [],
  },
  guestMetadata: { 'pve-100': { id: 'pve-100', customUrl: 'https://seed.example.com', description: '', tags: null } },
};

describe('PULSE_INIT_CONFIG_* import at first start', () => {
  it('imports once from a file; deleting the node later is not undone by a restart', async () => {
    const dataDir = tempDir();
    const file = path.join(tempDir(), 'pulse-export.txt');
    fs.writeFileSync(file, await encryptConfig(JSON.stringify(doc), PASSPHRASE));
    const env = { PULSE_INIT_CONFIG_FILE: file, PULSE_INIT_CONFIG_PASSPHRASE: PASSPHRASE };

    let pulse = await startTestPulse({ dataDir, env });
    let nodes = await (await fetch(`${pulse.url}/api/config/nodes`)).json();
    expect(nodes.map((n: { name: string }) => n.name)).toEqual(['seeded-pbs']);
    const meta = await (await fetch(`${pulse.url}/api/guests/metadata/pve-100`)).json();
    expect(meta.customUrl).toBe('https://seed.example.com');
    expect((await fetch(`${pulse.url}/api/config/nodes/pbs-0`, { method: 'DELETE' })).status).toBe(200);
    await pulse.close();

    pulse = await startTestPulse({ dataDir, env });
    nodes = await (await fetch(`${pulse.url}/api/config/nodes`)).json();
    expect(nodes).toEqual([]);
    await pulse.close();
  });

  it('a wrong passphrase is logged and the server starts with nothing imported', async () => {
    const pulse = await startTestPulse({
      env: {
        PULSE_INIT_CONFIG_DATA: await encryptConfig(JSON.stringify(doc), PASSPHRASE),
        PULSE_INIT_CONFIG_PASSPHRASE: 'a different passphrase',
      },
    });
    expect(await (await fetch(`${pulse.url}/api/config/nodes`)).json()).toEqual([]);
    await pulse.close();
  });
});
