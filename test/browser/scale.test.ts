/**
 * 10,000 guests: the dashboard keeps only the rows in view in the DOM (virtualised), scrolls to
 * the last guest, and filters the whole set. Prints how long the steps took (a figure for the
 * reader, never an assertion).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EstateSpec } from '../../sim/index.js';
import { describeBrowser, type EstatePage, expectNoErrors, screenshot, startEstatePage } from '../helpers/browser.js';

const GUESTS = 10_000;
const NODES = ['n1', 'n2', 'n3', 'n4'];

function estate(): EstateSpec {
  return {
    name: 'ten-thousand',
    seed: 7,
    pve: [
      {
        name: 'big',
        version: '9.0.10',
        nodes: NODES.map((name) => ({ name, cpus: 64, memGiB: 1024, rootGiB: 200 })),
        // Containers: their metrics come from one /cluster/resources call, keeping the poll cheap.
        guests: Array.from({ length: GUESTS }, (_, i) => ({
          vmid: 1000 + i,
          type: 'lxc' as const,
          node: NODES[i % NODES.length]!,
          name: `ct-${String(i).padStart(5, '0')}`,
          status: i % 10 === 0 ? ('stopped' as const) : ('running' as const),
          tags: i % 100 === 0 ? ['rare'] : ['bulk'],
          memMiB: 512,
          diskGiB: 8,
          backup: false,
        })),
        storages: [{ storage: 'local', type: 'dir', content: 'rootdir,iso' }],
      },
    ],
  };
}

describeBrowser('web UI with 10,000 guests', () => {
  let t: EstatePage;

  beforeAll(async () => {
    t = await startEstatePage({ estate: estate() });
    await t.addInstance('big', { verifySSL: true, monitorBackups: false, monitorPhysicalDisks: false });
  }, 240_000);

  afterAll(async () => {
    await t?.close();
  });

  it('renders only the visible rows, scrolls to the end and filters the whole set', async () => {
    const { page } = t;
    const started = Date.now();
    await page.getByText(`${GUESTS} guests shown`).waitFor({ timeout: 90_000 });
    const loaded = Date.now() - started;
    const domRows = await page.locator('tbody tr[data-row-id]').count();
    expect(domRows).toBeGreaterThan(5);
    expect(domRows).toBeLessThan(120);

    // Scroll the table to the very end: the last guest of the last node is rendered, the first is not.
    const t0 = Date.now();
    await page.locator('table[aria-label="Nodes and guests"]').evaluate((table) => {
      const scroller = table.parentElement!;
      scroller.scrollTop = scroller.scrollHeight;
    });
    await page.getByText('ct-09999', { exact: true }).waitFor();
    expect(await page.getByText('ct-00004', { exact: true }).count()).toBe(0);
    expect(await page.locator('tbody tr[data-row-id]').count()).toBeLessThan(120);
    const scrolled = Date.now() - t0;
    await screenshot(page, 'dashboard-10k-bottom');

    const t1 = Date.now();
    await page.getByLabel('Filter guests').fill('tags:rare status:stopped');
    await page.getByText(`${GUESTS / 100} guests shown`).waitFor();
    const filtered = Date.now() - t1;
    await screenshot(page, 'dashboard-10k-filtered');
    console.log(
      `[10k guests] first full state ${loaded} ms, scroll to end ${scrolled} ms, filter ${filtered} ms, ${domRows} rows in the DOM`,
    );
    expectNoErrors(t.errors, '10k dashboard');
  });
});
